"""The node panel's events applied to a design: what the user did in the browser's form.

Plain Python (no Streamlit). The panel (`components/node_form`) sends only the user's edits;
each is turned here into a design edit, with the rules the Streamlit form had:

- ``set`` (``field``: a dotted path, ``value``: what the widget holds): the value as the
  field stores it (`stored_value`: text read back into lists, numbers or JSON; an emptied
  Optional text, list or table is null; a float field keeps a float), stored as typed, valid
  or not. A pipeline setting the node does not override is the pipeline's value. A field the
  node does not hold keeps its default unless the user typed something else.
- ``override`` (``field``, ``on``): the node keeps its own value of a pipeline setting
  (starting from the pipeline's) or goes back to the pipeline's.
- ``rename`` (``name``), ``delete``; ``promote`` (``field``, ``parameter``), ``unbind``
  (``field``), ``default`` (``parameter``, ``text``): the node and its pipeline parameters.

`apply_event` returns the edited design and a message for an edit that was refused (a taken
name, a parameter of another type): the design is then unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from builders.configs.fields import (
    FieldSpec,
    fits,
    form_fields,
    parse_lines,
    parse_text,
    same_raw,
    text_of,
    to_raw,
)
from builders.configs.parameters import parse_value
from builders.designs.design import (
    Design,
    remove_nodes,
    rename_node,
    set_node_values,
    set_settings,
    step_type_of,
)
from builders.designs.parameter_edits import (
    parameter_named,
    promote_field,
    set_parameter_default,
    unbind_field,
)
from builders.errors import PipelineDesignError
from components.form_view import shared_specs


def apply_event(design: Design, node: str, event: Mapping[str, Any]) -> tuple[Design, str | None]:
    """`design` with the user's `event` on node `node`'s panel; a refusal's message."""
    if node not in design.node_names:
        return design, None  # the node went away (undo, another tab) before the event came
    kind = event.get("kind")
    try:
        if kind == "set":
            return set_field(design, node, str(event["field"]), event.get("value")), None
        if kind == "override":
            return override(design, node, str(event["field"]), bool(event.get("on"))), None
        if kind == "rename":
            return rename_node(design, node, str(event.get("name", ""))), None
        if kind == "delete":
            return remove_nodes(design, [node]), None
        if kind == "promote":
            return promote_field(design, node, event["field"], str(event["parameter"])), None
        if kind == "unbind":
            return unbind_field(design, node, str(event["field"])), None
        if kind == "default":
            return set_default(design, str(event["parameter"]), str(event["text"])), None
    except PipelineDesignError as error:
        return design, error.message
    return design, None


def _spec(specs, name: str) -> FieldSpec | None:
    return next((spec for spec in specs if spec.name == name), None)


def set_field(design: Design, node: str, path: str, value: Any) -> Design:
    """The user set the field at `path` (`hyperparameters.eta` inside a nested config)."""
    config_class = step_type_of(design.node(node)).config_class
    name, _, rest = path.partition(".")
    spec = _spec(form_fields(config_class), name)
    if spec is None:
        return design
    values = dict(design.node(node).values)
    shared = spec in shared_specs(config_class, design.settings) and name not in values
    held = dict(design.settings) if shared else values
    raw = to_raw(held.get(name, spec.default))
    if rest:
        new = _nested(spec, raw, rest, value)
        if new is None:
            return design
    elif _shows(spec, raw, value):
        return design  # what the widget already shows (an empty box for no text)
    else:
        new = stored_value(spec, value, raw)
    if same_raw(new, raw) and (name in held or same_raw(new, spec.default)):
        return design  # nothing changed: a field the node does not hold keeps its default
    held[name] = new
    return set_settings(design, held) if shared else set_node_values(design, node, held)


def _nested(spec: FieldSpec, raw: Any, path: str, value: Any) -> dict[str, Any] | None:
    """The nested config `raw` with `path` set, or None when it is not one (shown as text);
    `path` may go deeper (`eta.min_value`: a field of a hyperparameter's search)."""
    if spec.kind != "model" or not fits(spec, raw):
        return None
    first, _, rest = path.partition(".")
    inner = _spec(form_fields(spec.model), first)
    if inner is None:
        return None
    values = dict(raw or {})
    shown = to_raw(values.get(inner.name, inner.default))
    if rest:
        new = _nested(inner, shown, rest, value)
        if new is None:
            return None
    elif _shows(inner, shown, value):
        return values if raw is not None else None
    else:
        new = stored_value(inner, value, shown)
    if same_raw(new, shown) and (inner.name in values or same_raw(new, inner.default)):
        return values if raw is not None else None
    values[inner.name] = new
    return values


def _shows(spec: FieldSpec, raw: Any, value: Any) -> bool:
    """Whether `value` is what the field's text box shows for `raw` (no text: empty)."""
    return spec.kind == "text" and raw is None and value == ""


def stored_value(spec: FieldSpec, value: Any, raw: Any) -> Any:
    """What the field stores for the widget's `value`, the field holding `raw` until now.
    Text in a field shown as text (its value did not fit) is read as the Streamlit form's
    text boxes read it; nothing is refused: a value out of range or of the wrong kind is
    stored as typed, and validation says what is wrong with it."""
    if isinstance(value, str) and (not fits(spec, raw) or spec.kind in ("json", "model")):
        return parse_text(spec, value)
    if spec.kind == "model" and isinstance(value, Mapping):
        return _stored_model(spec, value, raw)
    if spec.kind == "text":
        return None if value in ("", None) and spec.optional else _text(value)
    if spec.kind in ("int", "float"):
        return _number(spec, value)
    if spec.kind == "list" and isinstance(value, str):
        return parse_lines(spec, value)
    if spec.kind in ("list", "multichoice", "dict"):  # a list of names chosen, a table
        if not value:
            return None if spec.optional else ({} if spec.kind == "dict" else [])
        return value
    return value  # bool, choice (None: no choice)


def _stored_model(spec: FieldSpec, value: Mapping[str, Any], raw: Any) -> dict[str, Any]:
    """A nested config sent whole (a group inside a nested config, such as one
    hyperparameter's search): each of its fields read as that field's widget is read."""
    held = raw if isinstance(raw, Mapping) else {}
    stored = dict(value)
    for inner in form_fields(spec.model):
        if inner.name in value:
            shown = to_raw(held.get(inner.name, inner.default))
            stored[inner.name] = stored_value(inner, value[inner.name], shown)
    return stored


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, str):
        return parse_text(spec, value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if spec.kind == "float":
        return float(value)
    return int(value) if math.isfinite(value) and float(value).is_integer() else value


def override(design: Design, node: str, field: str, on: bool) -> Design:
    """Switch a pipeline setting's override for the node on (from the pipeline's value) or
    off (back to the pipeline's)."""
    config_class = step_type_of(design.node(node)).config_class
    spec = _spec(shared_specs(config_class, design.settings), field)
    values = dict(design.node(node).values)
    if spec is None or on == (field in values):
        return design
    if on:
        values[field] = to_raw(design.settings.get(field, spec.default))
    else:
        values.pop(field)
    return set_node_values(design, node, values)


def set_default(design: Design, parameter: str, text: str) -> Design:
    """The text typed as a parameter's default: read as its type, else kept as typed."""
    found = parameter_named(design, parameter)
    if found is None:
        return design
    if text == text_of(found.default):
        return design
    try:
        default = parse_value(found.type, text)
    except ValueError:
        default = text  # as typed: validation says what is wrong with it
    return set_parameter_default(design, parameter, default)
