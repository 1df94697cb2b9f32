"""A failed job's reason: its last meaningful line, not the tail of its errors (issue 17)."""

from __future__ import annotations

import pytest

from builders.localrun.failure_text import meaningful_line

TRACEBACK = """\
reading the data
Traceback (most recent call last):
  File "/ws/runs/abc/steps/Prep/container/opt/ml/code/prep.py", line 9, in <module>
    main()
  File "/ws/runs/abc/steps/Prep/container/opt/ml/code/prep.py", line 7, in main
    raise KeyError("label")
KeyError: 'label'
"""
CHAINED = """\
Traceback (most recent call last):
  File "job.py", line 3, in <module>
    int("x")
ValueError: invalid literal for int() with base 10: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "job.py", line 5, in <module>
    raise RuntimeError("the column 'amount' is not a number")
RuntimeError: the column 'amount' is not a number
"""
CUT = 'ges/pandas/core/frame.py", line 4102, in __getitem__\n    indexer = self.get_loc(key)\n'


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (TRACEBACK, "KeyError: 'label'"),
        (CHAINED, "RuntimeError: the column 'amount' is not a number"),
        (TRACEBACK + "\n\n[local run] note\n", "KeyError: 'label'"),
        ("error: the bucket is empty\n", "error: the bucket is empty"),
        (
            "xgboost.core.XGBoostError: [09:12:01] bad label\n",
            "xgboost.core.XGBoostError: [09:12:01] bad label",
        ),
        ("Killed\n", "Killed"),
        ("", ""),
    ],
)
def test_the_last_meaningful_line(text, line):
    assert meaningful_line(text) == line


def test_a_tail_cut_mid_traceback_says_so_instead_of_quoting_a_path():
    assert meaningful_line(CUT) == ""
