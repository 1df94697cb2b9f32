"""A Config class's JSON schema as a form library draws it (the node panel's form).

Pydantic writes the schema (`model_json_schema()`); this module shapes it for a form, once
per class (cached): references are inlined, `anyOf [X, null]` becomes X (the form offers no
value instead), every field gets the widget its `FieldSpec` kind calls for, and what would
make the library validate or fill in values is left out (`default`, patterns, lengths,
bounds): Python validates, and the browser shows what Python says. Bounds stay in the field's
description, in words.

Kinds and their schema (what the form holds for the field, `view_value`):
- bool, int, float, text: boolean, integer, number, string;
- choice: a string/integer/... with `enum` (an Optional choice adds no null option: an empty
  select is "no value");
- multichoice: an array of unique enum items, drawn as check boxes;
- list (str/int/float items): a string, one item per line, drawn as a text area;
- dict: an object with `additionalProperties` (a string, or an enum);
- model: a nested object whose properties follow the same rules;
- json (a type the form has no widget for): a string, the value as JSON text.
A value its widget cannot show (text in a number field) is drawn as text instead
(`as_text`); the panel decides that per value.

Fields that apply in one mode only (a tuning search's range fields, shown for a range):
a Config declares them in its `json_schema_extra` with `form_modes(selector={mode: fields})`,
and its schema keeps them out of `properties`: each lives in the branch of its mode, a
`dependencies` entry with one `oneOf` branch per value of the selector (the form library's
"dynamic" fields: it draws the branch whose selector value is the one held). The values of
the other modes stay in the form's data and the design (Python ignores them), so switching
back shows them again (the form puts back what the library clears on a switch). A field
of another mode with a problem is drawn anyway (`reveal`), to be fixed where it is.
`properties_of` gives every field, branches included.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from builders.configs.fields import FieldSpec, bounds_text, form_fields

_DROPPED = {"default", "examples", "pattern", "maxLength", "minLength", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "maxItems", "minItems", "multipleOf",
            "format", "anyOf", "$ref", "allOf", "oneOf", "const", "items", "properties",
            "additionalProperties", "required", "uniqueItems", "propertyNames",
            "x-form-modes", "dependencies"}  # fmt: skip
_SCALARS = {"bool": "boolean", "int": "integer", "float": "number", "text": "string"}
MODES = "x-form-modes"  # the declaration's key in a Config's JSON schema


def form_modes(**selectors: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """A Config's `json_schema_extra` that shows fields only while a selector holds their
    mode: `form_modes(search={"range": ("min_value", "max_value"), "values": ("values",)})`.
    Fields not named always show; a mode not named shows none of those named; a mode that
    is not text is named by its JSON (`{"true": (...)}` for a switch)."""
    return {
        MODES: {
            selector: {mode: list(names) for mode, names in by_mode.items()}
            for selector, by_mode in selectors.items()
        }
    }


@functools.cache
def modes_of(config_class: type[BaseModel]) -> dict[str, dict[str, list[str]]]:
    """The mode-dependent fields `config_class` declares: {selector: {mode: [field]}}."""
    return config_class.model_json_schema().get(MODES, {})


@functools.cache
def _class_schema(config_class: type[BaseModel]) -> dict[str, Any]:
    pydantic = config_class.model_json_schema()
    properties = pydantic.get("properties", {})
    defs = pydantic.get("$defs", {})
    specs = form_fields(config_class)
    schema = {
        "type": "object",
        "required": [spec.name for spec in specs if spec.required],
        "properties": {
            spec.name: field_schema(spec, _plain(properties.get(spec.name, {}), defs))
            for spec in specs
        },
    }
    return with_modes(config_class, schema)


def with_modes(config_class: type[BaseModel], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (every field under `properties`; `dependencies` made again) with the fields
    of each declared mode moved into that mode's branch (see the module docstring)."""
    properties = dict(schema["properties"])
    schema = {k: v for k, v in schema.items() if k != "dependencies"}
    dependencies = {}
    for selector, by_mode in modes_of(config_class).items():
        if selector not in properties:
            continue
        moved = {name for names in by_mode.values() for name in names if name in properties}
        modes = _modes(properties[selector], by_mode)
        dependencies[selector] = {
            "oneOf": [
                *({"properties": {selector: {"enum": [mode]}}
                   | {name: properties[name] for name in by_mode.get(_named(mode), [])
                      if name in moved}}
                  for mode in modes),
                # No mode (an empty choice, a wrong value): the others only. The library
                # wants exactly one branch to hold.
                {"properties": {selector: {"not": {"enum": modes}}}},
            ]
        }  # fmt: skip
        properties = {name: prop for name, prop in properties.items() if name not in moved}
    schema["properties"] = properties
    if dependencies:
        schema["dependencies"] = dependencies
    return schema


def _modes(selector: dict[str, Any], by_mode: Mapping[str, Any]) -> list[Any]:
    """The values the selector's widget offers: its choices, on and off, or those named."""
    if "enum" in selector:
        return selector["enum"]
    return [True, False] if selector.get("type") == "boolean" else list(by_mode)


def _named(mode: Any) -> str:
    return mode if isinstance(mode, str) else json.dumps(mode)


def properties_of(schema: dict[str, Any]) -> dict[str, Any]:
    """Every field of an object's schema, its modes' fields included (after the others)."""
    every = dict(schema.get("properties", {}))
    for selector, dependency in schema.get("dependencies", {}).items():
        for branch in dependency.get("oneOf", []):
            every |= {k: v for k, v in branch.get("properties", {}).items() if k != selector}
    return every


def reveal(schema: dict[str, Any], data: Any, path: str) -> None:
    """Draw the field at `path` (dotted) though the mode `data` holds hides it: a field of
    another mode with a problem shows so that it can be fixed. Changes the objects on the
    way, which must be the caller's own (`with_modes` makes new ones)."""
    node = schema
    for part in path.split("."):
        if part not in properties_of(node):
            return
        if part not in shown_fields(node, data):
            node["properties"] = {**node["properties"], part: properties_of(node)[part]}
            for dependency in node.get("dependencies", {}).values():
                for branch in dependency.get("oneOf", []):
                    branch["properties"].pop(part, None)
        node = properties_of(node)[part]
        data = data.get(part) if isinstance(data, dict) else None


def shown_fields(schema: dict[str, Any], data: Any) -> list[str]:
    """The fields the form draws for `data`: the others and those of the modes it holds."""
    shown = list(schema.get("properties", {}))
    for selector, dependency in schema.get("dependencies", {}).items():
        held = data.get(selector) if isinstance(data, dict) else None
        for branch in dependency.get("oneOf", []):
            branch_props = branch.get("properties", {})
            if held in branch_props.get(selector, {}).get("enum", []):
                shown += [name for name in branch_props if name != selector]
    return shown


def class_schema(config_class: type[BaseModel]) -> dict[str, Any]:
    """The form's schema of `config_class` (a copy: callers may change it)."""
    return copy.deepcopy(_class_schema(config_class))


def shared_class_schema(config_class: type[BaseModel]) -> dict[str, Any]:
    """The form's schema of `config_class`, computed once: read it, copy what you change
    (a deep copy on every draw costs milliseconds)."""
    return _class_schema(config_class)


def _plain(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A property with its references inlined and `anyOf [X, null]` read as X."""
    if "$ref" in prop:
        target = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
        prop = {**_plain(target, defs), **{k: v for k, v in prop.items() if k != "$ref"}}
    options = [option for option in prop.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        rest = {k: v for k, v in prop.items() if k != "anyOf"}
        prop = {**_plain(options[0], defs), **rest}
    if isinstance(prop.get("items"), dict):
        prop = {**prop, "items": _plain(prop["items"], defs)}
    return prop


def field_schema(spec: FieldSpec, prop: dict[str, Any]) -> dict[str, Any]:
    """One field's schema: Pydantic's property `prop` (references inlined) shaped for the
    field's widget (see the module docstring)."""
    schema = {k: v for k, v in prop.items() if k not in _DROPPED}
    schema["title"] = spec.label
    about = " ".join(part for part in (spec.description, _bounds(spec)) if part)
    schema.pop("description", None)
    if about:
        schema["description"] = about
    return schema | _shape(spec, prop)


def as_text(spec: FieldSpec) -> dict[str, Any]:
    """The schema of a field whose value is shown as typed text (it does not fit)."""
    extra = "Shown as typed: it does not fit this field's type."
    description = " ".join(part for part in (spec.description, extra) if part)
    return {"title": spec.label, "description": description, "type": "string"}


def _bounds(spec: FieldSpec) -> str:
    bounds = bounds_text(spec)
    return f"A number{bounds}." if bounds and spec.kind in ("int", "float") else ""


def _shape(spec: FieldSpec, prop: dict[str, Any]) -> dict[str, Any]:
    """The keywords that decide the widget: Pydantic's type and choices where the widget
    shows the value as it is, a text for what the form shows as text."""
    if spec.kind in _SCALARS:
        return {"type": _SCALARS[spec.kind]}
    if spec.kind == "choice":
        return _choices(prop.get("enum", list(spec.options)))
    if spec.kind == "multichoice":
        items = {"enum": prop.get("items", {}).get("enum", list(spec.options))}
        return {"type": "array", "uniqueItems": True, "items": items}
    if spec.kind == "dict":
        # A row the user adds starts with the first choice, or no text (the form's own
        # starting value would be a made-up word).
        if spec.options:
            added = _choices(list(spec.options)) | {"default": spec.options[0]}
            return {"type": "object", "additionalProperties": added}
        return {"type": "object", "additionalProperties": {"type": "string", "default": ""}}
    if spec.kind == "model":
        return _class_schema(spec.model)
    return {"type": "string"}  # list: one item per line; json: JSON text


def _choices(options: list[Any]) -> dict[str, Any]:
    """An enum, with its JSON type when every choice has the same one (a form picks the
    widget by type)."""
    types = {_JSON_TYPES.get(type(option)) for option in options}
    return (
        {"enum": options, "type": types.pop()}
        if len(types) == 1 and None not in types
        else {"enum": options}
    )


_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}
