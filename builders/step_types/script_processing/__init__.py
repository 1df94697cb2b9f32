"""ScriptProcessing: your own script as a step, in a framework container or your own image.

Its ports are the ones the user declares in the form (`input_ports`, `output_ports`): the
`ports` hook reads them from the node's values, so wiring, validation and the canvas treat
them like any declared port.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builders.step_types import Port, PortKind, StepType
from builders.step_types.script_processing.config import (
    DEFAULT_INPUTS,
    DEFAULT_OUTPUTS,
    ScriptProcessingConfig,
)


def ports(values: Mapping[str, Any]) -> tuple[tuple[Port, ...], tuple[Port, ...]]:
    """(inputs, outputs) the node's values declare; entries that are not valid are left
    out here (validation reports them on the field)."""
    return (
        _declared(values.get("input_ports", DEFAULT_INPUTS), "Declared input."),
        _declared(values.get("output_ports", DEFAULT_OUTPUTS), "Declared output."),
    )


def _declared(raw: Any, description: str) -> tuple[Port, ...]:
    if not isinstance(raw, Mapping):
        return ()
    kinds = {kind.value: kind for kind in PortKind}
    declared = []
    for name, kind in raw.items():
        value = kind.value if isinstance(kind, PortKind) else kind
        if isinstance(name, str) and name.strip() and value in kinds:
            declared.append(Port(name, kinds[value], description))
    return tuple(declared)


STEP_TYPE = StepType(
    name="ScriptProcessing",
    display_name="Script processing",
    category="Data",
    description="Runs your own Python script (a local folder or an s3:// folder) in a "
    "scikit-learn, XGBoost or PyTorch container or your own image, with the inputs and "
    "outputs you declare.",
    config_class=ScriptProcessingConfig,
    builder="builders.step_types.script_processing.builder:ScriptProcessingStepBuilder",
    inputs=ports({})[0],
    outputs=ports({})[1],
    order=25,
    ports=ports,
)
