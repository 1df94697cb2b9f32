"""Edits of a design's pipeline parameters: promote a field, unbind it, change a default.

Like every design edit, each returns a new Design. Promoting a field to a new parameter takes
the field's type and its current value as the default; promoting it to an existing one adds a
binding when the types agree. A refused promotion raises PipelineDesignError saying why.
"""

from __future__ import annotations

from typing import Any

from builders.configs.parameters import (
    Binding,
    PipelineParameter,
    binding_refusal,
    name_problem,
    parameter_default,
    parameter_type,
    spec_of,
)
from builders.designs.design import Design, effective_values, step_type_of
from builders.errors import PipelineDesignError
from builders.registry import REGISTRY, StepRegistry


def parameter_named(design: Design, name: str) -> PipelineParameter | None:
    return next((p for p in design.parameters if p.name == name), None)


def bound_parameter(design: Design, node: str, field: str) -> PipelineParameter | None:
    """The parameter `node`'s `field` is bound to, if any."""
    return next((p for p in design.parameters if p.binds(node, field)), None)


def promote_field(
    design: Design, node: str, field: str, name: str, registry: StepRegistry = REGISTRY
) -> Design:
    """Bind `node`'s `field` to parameter `name`, made from the field if it is new."""
    name = name.strip()
    config_class = step_type_of(design.node(node), registry).config_class
    refusal = binding_refusal(config_class, field) or name_problem(name)
    if refusal:
        raise PipelineDesignError(refusal, node=node, field=field)
    spec = spec_of(config_class, field)
    type_ = parameter_type(spec)
    binding = Binding(node=node, field=field)
    existing = parameter_named(design, name)
    if existing is not None and existing.binds(node, field):
        return design
    if existing is not None and existing.type != type_:
        raise PipelineDesignError(
            f"Parameter '{name}' is {existing.type}; this field takes {type_} values. Choose "
            "another name for a new parameter.",
            node=node,
            field=field,
        )
    unbound = unbind_field(design, node, field)
    if existing is None:
        raw = effective_values(design, design.node(node), registry).get(field, spec.default)
        added = PipelineParameter(
            name=name, type=type_, default=parameter_default(spec, raw), bindings=(binding,)
        )
        return unbound.model_copy(update={"parameters": (*unbound.parameters, added)})
    return _replace(unbound, name, bindings=(*parameter_named(unbound, name).bindings, binding))


def unbind_field(design: Design, node: str, field: str) -> Design:
    """The field keeps the parameter's default as its own value; a parameter left bound to
    nothing is removed (the user made it for this field)."""
    parameter = bound_parameter(design, node, field)
    if parameter is None:
        return design
    kept = tuple(b for b in parameter.bindings if (b.node, b.field) != (node, field))
    values = {**design.node(node).values, field: _field_value(design, node, field)}
    nodes = tuple(
        n.model_copy(update={"values": values}) if n.name == node else n for n in design.nodes
    )
    others = tuple(p for p in design.parameters if p.name != parameter.name)
    parameters = (*others, parameter.model_copy(update={"bindings": kept})) if kept else others
    return design.model_copy(update={"nodes": nodes, "parameters": _in_order(design, parameters)})


def set_parameter_default(design: Design, name: str, default: Any) -> Design:
    return _replace(design, name, default=default)


def _field_value(design: Design, node: str, field: str) -> Any:
    return effective_values(design, design.node(node))[field]


def _replace(design: Design, name: str, **update: Any) -> Design:
    parameters = tuple(
        p.model_copy(update=update) if p.name == name else p for p in design.parameters
    )
    return design.model_copy(update={"parameters": parameters})


def _in_order(design: Design, parameters: tuple[PipelineParameter, ...]):
    """`parameters` in the order the design declared them."""
    order = [p.name for p in design.parameters]
    return tuple(sorted(parameters, key=lambda p: order.index(p.name)))


def start_values_of(design: Design, given: dict[str, str]) -> dict[str, str]:
    """The values an execution of the design starts with, checked (see start_values)."""
    from builders.designs.design import node_values_of
    from builders.graph.parameter_checks import start_values

    classes = {n.name: step_type_of(n).config_class for n in design.nodes}
    values = {n.name: node_values_of(design, n) for n in design.nodes}
    return start_values(design.parameters, given, classes, values)
