"""PythonFunction: a function of your code folder as a step (the SDK's function step, @step).

Its ports are the ones the user declares in the form, read by ScriptProcessing's `ports`
hook (the same fields, `input_ports` and `output_ports`). The sandbox runs the SDK's own
function runtime on it (`local.py`, found through the `local_run` hook).
"""

from __future__ import annotations

from builders.step_types import StepType
from builders.step_types.python_function.config import PythonFunctionConfig
from builders.step_types.script_processing import ports

STEP_TYPE = StepType(
    name="PythonFunction",
    display_name="Python function",
    category="Data",
    description="Runs a function of your code folder (such as features.py:build_features) "
    "as a step, with its requirements installed: each input and output you declare is a "
    "folder it receives by name, and later steps read the outputs.",
    config_class=PythonFunctionConfig,
    builder="builders.step_types.python_function.builder:PythonFunctionStepBuilder",
    inputs=ports({})[0],
    outputs=ports({})[1],
    order=26,
    ports=ports,
    local_run="builders.step_types.python_function.local:executor_for",
)
