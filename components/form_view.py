"""What the node panel's form is drawn from: a step's schema, its values and its problems.

Plain Python (no Streamlit): `form_view` gives the JSON the browser's form library draws
(`components/node_form`): the schema (`builders.configs.form_schema`), the uiSchema (order,
sections, widgets, shared fields and their overrides), the values as the widgets show them
(defaults included: what a form shows is what the design holds) and the problems under each
field, as computed by Python. The browser decides nothing about validity.

A field that means nothing for the step (the Config's `applies`: caching on a step SageMaker
never caches) is left out unless something is wrong with its value. Order, as the
Streamlit form had it: the pipeline settings a step takes first (each edits
the pipeline's value unless overridden for the node), then required fields and fields with a
problem, then the step's own, then ADVANCED ones (unless something is wrong with them). The
order follows the problems the panel had before the edit (`order_problems`), so a field does
not jump while it is edited.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from builders.configs.base import BasePipelineConfig
from builders.configs.fields import (
    FieldSpec,
    derived_fields,
    derived_values,
    fits,
    form_fields,
    lines_of,
    text_of,
    to_raw,
)
from builders.configs.form_schema import (
    as_text,
    properties_of,
    reveal,
    shared_class_schema,
    shown_fields,
    with_modes,
)
from builders.errors import Problem

SHARED_FIELDS = BasePipelineConfig.SHARED_FIELDS
PIPELINE_SETTING, OVERRIDDEN = " (pipeline setting)", " (overridden for this node)"


def takes_shared(config_class: type[BaseModel], spec: FieldSpec) -> bool:
    """A pipeline setting the node takes (a model node's cache_enabled is its own, off)."""
    takes = getattr(config_class, "takes_shared", None)
    return spec.name in SHARED_FIELDS and (takes is None or takes(spec.name))


def shared_specs(config_class: type[BaseModel], settings: Mapping[str, Any] | None):
    if settings is None:
        return []
    return [spec for spec in form_fields(config_class) if takes_shared(config_class, spec)]


def form_view(
    config_class: type[BaseModel],
    values: Mapping[str, Any],
    *,
    settings: Mapping[str, Any] | None = None,
    exclude: Collection[str] = (),
    choices: Mapping[str, Sequence[Any]] | None = None,
    problems: Sequence[Problem] = (),
    order_problems: Sequence[Problem] | None = None,
) -> dict[str, Any]:
    """The form's schema, uiSchema, values and problems (see the module docstring)."""
    schema = dict(shared_class_schema(config_class))  # its properties are replaced below
    flagged = _flagged(problems if order_problems is None else order_problems)
    wrong = flagged | _flagged(problems)
    applies = getattr(config_class, "applies", lambda name: True)
    specs = [
        spec
        for spec in form_fields(config_class)
        if spec.name not in exclude
        and (applies(spec.name) or spec.name in wrong)  # shown to fix a wrong value
    ]
    shown = {spec.name for spec in specs}  # names, not specs: a spec's == compares every field
    shared = [s for s in shared_specs(config_class, settings) if s.name in shown]
    shared_names = {spec.name for spec in shared}
    own = [spec for spec in specs if spec.name not in shared_names]
    main, advanced = _sections(own, flagged)
    order = [spec.name for spec in (*shared, *main, *advanced)]
    every = properties_of(schema)
    schema["properties"] = {name: every[name] for name in order}
    schema["required"] = [name for name in schema["required"] if name in order]
    ui: dict[str, Any] = {"ui:order": order}
    data: dict[str, Any] = {}
    for spec in (*shared, *main, *advanced):
        overridden = spec.name in values
        is_shared = spec.name in shared_names
        held = values if not is_shared or overridden else settings or {}
        raw = held.get(spec.name, spec.default)
        options = (choices or {}).get(spec.name)
        prop, field_ui, data[spec.name] = _field(spec, raw, options, schema["properties"])
        if is_shared:
            field_ui["ui:options"] |= {"shared": True, "overridden": overridden}
            field_ui["ui:title"] = spec.label + (OVERRIDDEN if overridden else PIPELINE_SETTING)
        schema["properties"][spec.name] = prop
        ui[spec.name] = field_ui
    schema = with_modes(config_class, schema)
    attention = any(name in values for name in shared_names) or bool(shared_names & flagged)
    ui["ui:options"] = {
        "settings": [spec.name for spec in shared],
        "advanced": [spec.name for spec in advanced],
        "settingsOpen": attention,
    }
    for problem in problems:
        if problem.field:
            reveal(schema, data, problem.field)  # a field of another mode shown to fix it
    errors, general = _errors(problems, _slots(schema, ui, data))
    effective = {
        name: to_raw(value)
        for name, value in (settings or {}).items()
        if name in config_class.model_fields and name in SHARED_FIELDS
    }
    derived = _derived(config_class, effective | dict(values))
    return {"schema": schema, "uiSchema": ui, "formData": data, "errors": errors,
            "general": general, "derived": derived}  # fmt: skip


def _flagged(problems: Sequence[Problem]) -> set[str]:
    """The top-level fields a problem is about."""
    return {p.field.split(".")[0] for p in problems if p.field}


def _sections(specs: list[FieldSpec], flagged: set[str]):
    """(main, advanced): required fields and fields with a problem first; ADVANCED ones
    apart unless something is wrong with them."""
    advanced = [s for s in specs if s.advanced and not s.required and s.name not in flagged]
    apart = {spec.name for spec in advanced}
    main = [spec for spec in specs if spec.name not in apart]
    return sorted(main, key=lambda spec: not (spec.required or spec.name in flagged)), advanced


def _field(spec: FieldSpec, raw: Any, options, properties) -> tuple[dict, dict, Any]:
    """(schema, uiSchema, value shown) of one field holding `raw`."""
    prop = properties[spec.name]
    raw = to_raw(raw)
    if options is not None and spec.kind == "list" and fits(spec, raw):
        # Names the design offers (a condition's children), and any chosen ones it lacks.
        enum = list(dict.fromkeys([*options, *(raw or [])]))
        prop = {**prop, "type": "array", "uniqueItems": True, "items": {"enum": enum}}
        return prop, _ui("multichoice", "checkboxes"), list(raw or [])
    if not fits(spec, raw):
        return as_text(spec), _ui(spec.kind, "text", as_text=True), text_of(raw)
    if spec.kind == "model":
        return _nested(spec, raw or {}, prop)
    if spec.kind == "list":
        return prop, _ui("list", "textarea"), lines_of(raw)
    if spec.kind == "multichoice":
        return prop, _ui("multichoice", "checkboxes"), list(raw or [])
    if spec.kind == "json":
        return prop, _ui("json", "text", as_text=True), text_of(raw)
    if spec.kind == "choice":
        return prop, _ui("choice", "select"), raw
    return prop, _ui(spec.kind), raw


def _ui(kind: str, widget: str | None = None, as_text: bool = False) -> dict[str, Any]:
    ui: dict[str, Any] = {"ui:options": {"kind": kind, "asText": as_text}}
    if widget is not None:
        ui["ui:widget"] = widget
    return ui


def _nested(spec: FieldSpec, raw: Mapping[str, Any], prop: dict) -> tuple[dict, dict, Any]:
    """A nested config (hyperparameters): its fields, each as a top-level one."""
    every = properties_of(prop)  # the shared schema stays as is
    prop = {**prop, "properties": {}}
    ui: dict[str, Any] = _ui("model")
    data: dict[str, Any] = {}
    for inner in form_fields(spec.model):
        value = raw.get(inner.name, inner.default)
        inner_prop, inner_ui, data[inner.name] = _field(inner, value, None, every)
        prop["properties"][inner.name] = inner_prop
        ui[inner.name] = inner_ui
    ui["ui:order"] = [inner.name for inner in form_fields(spec.model)]
    return with_modes(spec.model, prop), ui, data


def _slots(schema: dict, ui: dict, data: Any, path: str = "") -> list[tuple[str, bool]]:
    """(path, leaf) of every place a problem can show, in the order they are drawn (the
    fields of the modes `data` holds only): a nested config's own place comes before its
    fields'; a leaf also takes its items'."""
    slots = []
    shown = set(shown_fields(schema, data))
    for name in [name for name in ui["ui:order"] if name in shown]:
        options = ui[name]["ui:options"]
        if options["kind"] == "model" and not options["asText"]:
            slots.append((path + name, False))
            inner = data.get(name) if isinstance(data, dict) else None
            slots += _slots(properties_of(schema)[name], ui[name], inner, f"{path}{name}.")
        else:
            slots.append((path + name, True))
    return slots


def _errors(problems: Sequence[Problem], slots: list[tuple[str, bool]]):
    """Each problem under the first place drawn for it ({path: {"__errors": [...]}}, the
    form library's error schema), the rest as general lines naming their field."""
    errors: dict[str, Any] = {}
    general: list[str] = []
    for problem in problems:
        where = problem.field
        slot = next(
            (path for path, leaf in slots
             if where and (where == path or (leaf and where.startswith(path + ".")))),
            None,
        )  # fmt: skip
        if slot is None:
            general.append((f"{where}: " if where else "") + problem.message)
            continue
        node = errors
        for part in slot.split("."):
            node = node.setdefault(part, {})
        node.setdefault("__errors", []).append(_item(where[len(slot) + 1 :]) + problem.message)
    return errors, general


def _item(rest: str) -> str:
    if not rest:
        return ""
    first = rest.split(".")[0]
    return f"Item {int(first) + 1}: " if first.isdigit() else f"{rest}: "


def _derived(config_class: type[BaseModel], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Computed fields, read-only, from the current values."""
    specs = derived_fields(config_class)
    if not specs:
        return []
    shown = derived_values(config_class, values)
    return [
        {"name": spec.name, "label": spec.label, "value": shown[spec.name],
         "description": spec.description or ""}
        for spec in specs
    ]  # fmt: skip
