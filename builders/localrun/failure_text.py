"""A failed job's reason in one line: the last line of its errors that says something.

A Python traceback ends with the exception and its message (`KeyError: 'label'`); the lines
before it are frames, source lines and markers, which say where, not what. The reason the
run store and the canvas show is that last line; the step's log keeps everything.
"""

from __future__ import annotations

import re

_FRAME = re.compile(r'(^|")\S*", line \d+, in |^File "')
_NOT_MEANINGFUL = (
    "Traceback (most recent call last):",
    "During handling of the above exception",
    "The above exception was the direct cause",
    "[local run]",
)
MAX_LENGTH = 500


def meaningful_line(text: str) -> str:
    """The last line of `text` that is not blank, indented (a frame's source), a frame, a
    traceback heading or a marker; '' when there is none (a tail cut mid-traceback)."""
    for line in reversed(text.splitlines()):
        line = line.rstrip()
        if not line or line[0].isspace() or line.startswith(_NOT_MEANINGFUL):
            continue
        if _FRAME.search(line) or set(line) <= set("^~ "):
            continue
        return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 1] + "…"
    return ""
