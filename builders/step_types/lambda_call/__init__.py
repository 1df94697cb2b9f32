"""LambdaCall: a step that calls a Lambda function (the SDK's LambdaStep).

The function is named by ARN, or is a handler of the code folder that deploy creates. Its
input ports go into the event; its output ports are keys of the answer holding S3 URIs,
read by later steps. The sandbox runs a deployed handler (`local.py`, through the
`local_run` hook).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builders.step_types import Port, PortKind, StepType
from builders.step_types.lambda_call.config import NUMBERS, LambdaCallConfig
from builders.step_types.script_processing import ports as declared_ports


def ports(values: Mapping[str, Any]) -> tuple[tuple[Port, ...], tuple[Port, ...]]:
    """(inputs, outputs) the node declares (none by default), read as ScriptProcessing reads
    its own, and a value port per number it declares among its outputs (for a condition);
    invalid entries are left out here (validation reports them on the field)."""
    inputs, outputs = declared_ports(
        {field: values.get(field, {}) for field in ("input_ports", "output_ports")}
    )
    answer = values.get("outputs")
    numbers = [
        Port(name, PortKind.VALUE, f"A number in the function's answer ({kind}).")
        for name, kind in (answer.items() if isinstance(answer, Mapping) else ())
        if isinstance(name, str) and name.strip() and kind in NUMBERS
    ]
    return inputs, (*outputs, *numbers)


STEP_TYPE = StepType(
    name="LambdaCall",
    display_name="Lambda call",
    category="Data",
    description="Calls an AWS Lambda function, by ARN or from a handler in your code folder "
    "that deploy creates: the event holds the inputs you map, and the outputs you declare "
    "(name and type) are read from its answer for later steps.",
    config_class=LambdaCallConfig,
    builder="builders.step_types.lambda_call.builder:LambdaCallStepBuilder",
    order=27,
    ports=ports,
    local_run="builders.step_types.lambda_call.local:executor_for",
)
