"""How long the generated form takes to draw, per field, against Streamlit's own floor.

    python benchmarks/config_form.py [--repeat 15]

The XGBoost training node's form (every section open, its hyperparameters included) is run
again and again with Streamlit's AppTest, in process; the floor is a script drawing as many
plain text inputs in the same run. Prints the medians, the form's cost per field and its
ratio to the floor. Target: under 5 ms a field (what tests/test_config_form.py once asserted,
which a loaded CI machine missed: timings belong here, not in tests).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_PER_FIELD = 0.005  # seconds
VALUES = {
    "author": "ml-team",
    "bucket": "my-ml-bucket",
    "role": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
    "region": "us-east-1",
    "service_name": "fraud",
    "hyperparameters": {
        "full_field_list": ["id", "label", "age", "amount"],
        "tab_field_list": ["age", "amount"],
        "label_name": "label",
        "id_name": "id",
    },
}


def _form() -> None:
    import time

    import streamlit as st

    from builders.step_types.xgboost_training.config import XGBoostTrainingConfig
    from components.config_form import config_form

    started = time.perf_counter()
    config_form(XGBoostTrainingConfig, st.session_state.get("values", {}), key="node:0")
    st.session_state.setdefault("seconds", []).append(time.perf_counter() - started)


def _floor() -> None:
    import time

    import streamlit as st

    started = time.perf_counter()
    for index in range(st.session_state["fields"]):
        st.text_input(f"Field {index}", value=str(index), key=f"field:{index}")
    st.session_state.setdefault("seconds", []).append(time.perf_counter() - started)


def field_count() -> int:
    from builders.configs.fields import form_fields
    from builders.configs.hyperparameters import XGBoostModelHyperparameters
    from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

    return len(form_fields(XGBoostTrainingConfig)) + len(form_fields(XGBoostModelHyperparameters))


def median_seconds(script, repeat: int, **state) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(script, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    for switch in [t for t in at.toggle if ":section:" in t.key and not t.value]:
        switch.set_value(True)  # every section open: every field drawn
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.session_state["seconds"] = []
    for _ in range(repeat):
        at.run()
    return statistics.median(at.session_state["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    fields = field_count()
    form = median_seconds(_form, args.repeat, values=VALUES)
    floor = median_seconds(_floor, args.repeat, fields=fields)
    per_field = form / fields
    print(f"config form, {fields} fields: {form * 1000:7.1f} ms (median of {args.repeat})")
    print(f"floor, {fields} text inputs:  {floor * 1000:7.1f} ms (median of {args.repeat})")
    print(f"per field: {per_field * 1000:.2f} ms; ratio to the floor: {form / floor:.1f}x")
    met = per_field < TARGET_PER_FIELD
    print(f"target (< {TARGET_PER_FIELD * 1000:.0f} ms a field): {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
