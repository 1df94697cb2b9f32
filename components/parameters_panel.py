"""A node's pipeline parameters: its bound fields (default and Unbind), and promoting a field.

A bound field is not drawn in the node's form (see node_panel): its value is the parameter's
default, edited here and shared by every node bound to the parameter.
"""

from __future__ import annotations

import hashlib
import re

import streamlit as st

from builders.configs.fields import readable, text_of
from builders.configs.parameters import bindable_fields, parse_value
from builders.designs.design import Design, step_type_of
from builders.designs.parameter_edits import (
    bound_parameter,
    promote_field,
    set_parameter_default,
    unbind_field,
)
from builders.errors import PipelineDesignError
from components.text import counted, md


def bound_fields(design: Design, name: str) -> list[str]:
    return [b.field for p in design.parameters for b in p.bindings if b.node == name]


def parameters_panel(design: Design, name: str, epoch: int) -> Design:
    """Draw the node's parameters; returns the design with the user's edit."""
    fields = bindable_fields(step_type_of(design.node(name)).config_class)
    if not fields:
        return design
    key = f"params:{epoch}:{name}"
    st.markdown("#### Pipeline parameters")
    for field in bound_fields(design, name):
        design = _bound(design, name, field, key)
    free = [spec for spec in fields if bound_parameter(design, name, spec.name) is None]
    if free and st.toggle("Promote a field to a pipeline parameter", key=f"{key}:promote"):
        design = _promote(design, name, free, key)
    return design


def _bound(design: Design, name: str, field: str, key: str) -> Design:
    parameter = bound_parameter(design, name, field)
    others = len(parameter.bindings) - 1
    shared = f", shared with {counted(others, 'other field')}" if others else ""
    st.caption(
        f"**{md(readable(field))}** takes its value from parameter "
        f"`{md(parameter.name)}` ({parameter.type}{shared}); a run can set another."
    )
    text_box, unbind = st.columns([3, 1], vertical_alignment="bottom")
    shown = text_of(parameter.default)
    # Keyed by the value too: after an undo, another node's edit or another tab's save,
    # the box is created afresh with the design's default, never left holding an old one.
    digest = hashlib.sha256(shown.encode()).hexdigest()[:8]
    text = text_box.text_input(
        f"Default of {parameter.name}",
        value=shown,
        key=f"{key}:default:{field}:{parameter.name}:{digest}",
    )
    if unbind.button("Unbind", key=f"{key}:unbind:{field}", help="Give the field its own value"):
        return unbind_field(design, name, field)
    if text != shown:
        return set_parameter_default(design, parameter.name, _typed(parameter.type, text))
    return design


def _typed(type_, text: str):
    """The text as a value of the type; as typed when it is not one (validation says so)."""
    try:
        return parse_value(type_, text)
    except ValueError:
        return text


def _promote(design: Design, name: str, free, key: str) -> Design:
    labels = {spec.name: readable(spec.name) for spec in free}
    field = st.selectbox("Field", list(labels), format_func=labels.get, key=f"{key}:field", index=0)
    existing = [p.name for p in design.parameters]
    parameter = st.text_input(
        "Parameter name",
        value=_suggested(field),
        key=f"{key}:name:{field}",
        help="A new name makes a parameter with this field's type and value as its default. "
        f"An existing one ({', '.join(existing) or 'none yet'}) binds this field to it too.",
    )
    if st.button("Promote", key=f"{key}:do", icon=":material/tune:"):
        try:
            return promote_field(design, name, field, parameter)
        except PipelineDesignError as error:
            st.error(md(error.message))
    return design


def _suggested(field: str) -> str:
    """`processing_instance_type_small` -> 'ProcessingInstanceTypeSmall'."""
    return "".join(part.capitalize() for part in re.split(r"_+", field) if part)
