"""Pipeline parameters in the compiled definition: the SDK's Parameter objects and config views.

Builders read their config's fields as plain values. For a node with bound fields the template
hands its builder a *view* of the config: a copy whose bound fields hold the SDK's
`ParameterString` / `ParameterInteger` / ... (so the definition says {"Get": "Parameters.X"}
there), made without validation, since a Parameter is no string or int. Only fields marked
PARAMETER are bound (the SDK passes them through); where a value must be known at compile
time, such as the instance type of an image lookup, the SDK's lookup takes the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from builders.compiling.sdk import backend
from builders.configs.parameters import PipelineParameter, binding_refusal, field_value, spec_of
from builders.errors import ConfigValidationError, Problem


def sdk_parameters(parameters: Iterable[PipelineParameter]) -> dict[str, Any]:
    """Name -> the SDK's Parameter of that type, with its default."""
    sdk = backend()
    return {p.name: sdk.parameter(p.type, p.name, p.default) for p in parameters}


def config_view(
    config: BaseModel,
    node: str,
    parameters: Iterable[PipelineParameter],
    declared: Mapping[str, Any],
) -> BaseModel:
    """`config` with the fields bound to a parameter reading as the SDK's Parameter."""
    update = {}
    for parameter in parameters:
        for binding in parameter.bindings:
            if binding.node != node:
                continue
            refusal = binding_refusal(type(config), binding.field)
            if refusal:
                raise ConfigValidationError([Problem(refusal, node, binding.field)])
            spec = spec_of(type(config), binding.field)
            update[binding.field] = field_value(spec, declared[parameter.name])
    return config.model_copy(update=update) if update else config
