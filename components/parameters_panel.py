"""A node's pipeline parameters, as the node panel shows them: its bound fields (default and
Unbind), and the fields it may promote (components/form_edits.py applies the user's edits).

A bound field is not drawn in the node's form (see node_panel): its value is the parameter's
default, edited here and shared by every node bound to the parameter.
"""

from __future__ import annotations

import re
from typing import Any

from builders.configs.fields import readable, text_of
from builders.configs.parameters import bindable_fields
from builders.designs.design import Design, step_type_of
from builders.designs.parameter_edits import bound_parameter
from components.text import counted


def bound_fields(design: Design, name: str) -> list[str]:
    return [b.field for p in design.parameters for b in p.bindings if b.node == name]


def parameters_view(design: Design, name: str) -> dict[str, Any] | None:
    """What the panel's "Pipeline parameters" section shows; None for a step with no field
    a parameter can take."""
    fields = bindable_fields(step_type_of(design.node(name)).config_class)
    if not fields:
        return None
    bound = []
    for field in bound_fields(design, name):
        parameter = bound_parameter(design, name, field)
        others = len(parameter.bindings) - 1
        bound.append(
            {"field": field, "label": readable(field), "parameter": parameter.name,
             "type": parameter.type, "others": others,
             "shared": f", shared with {counted(others, 'other field')}" if others else "",
             "default": text_of(parameter.default)}
        )  # fmt: skip
    free = [
        {"field": spec.name, "label": readable(spec.name), "suggested": suggested(spec.name)}
        for spec in fields
        if bound_parameter(design, name, spec.name) is None
    ]
    return {"bound": bound, "free": free, "existing": [p.name for p in design.parameters]}


def suggested(field: str) -> str:
    """`processing_instance_type_small` -> 'ProcessingInstanceTypeSmall'."""
    return "".join(part.capitalize() for part in re.split(r"_+", field) if part)
