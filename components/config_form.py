"""A form generated from any Config class: no hand-written form per step type.

`config_form` draws one widget per field, chosen by its type (see `builders.configs.fields`),
shows the raw values as they are (incomplete or invalid included) and returns the new raw
values. With `settings` (the pipeline settings), the class's shared fields (author, bucket,
region, ...) form a "Pipeline settings" section: edited there they change the settings, for
every node; "Override for this node" keeps a value on this node only.

Widget state: every widget is created with the value the design holds (`value=`, never an
empty default), so a widget the browser re-creates (after a page switch, or when a run was
cut short by the next one) reports the design's value, not an empty one that would look like
the user cleared it. `shown` remembers what each widget returned last run; when the design's
value changed outside the form (an import, another tab, a pipeline setting) the widget gets
a new key (`f"{key}:{dotted.path}"`, then `~1`, `~2`...) and is created afresh with it. Session
state is never written for an input, so no run can push a stale value into one (only the
read-only derived values are set there, on every run).

The caller stores the returned values. Problem messages are drawn last, into places kept
under each field: with `recheck`, they describe the edited values (the run that takes an
edit also shows its messages, no second run); without, the problems passed in. Where fields
go (required and flagged ones first) follows the problems passed in, so a field does not
jump while it is edited.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from builders.configs.base import BasePipelineConfig
from builders.configs.fields import (
    FieldSpec,
    bounds_text,
    derived_fields,
    derived_values,
    fits,
    form_fields,
    lines_of,
    option_named,
    parse_lines,
    parse_text,
    same_raw,
    text_of,
    to_raw,
)
from builders.errors import Problem
from components.text import label as plain_label
from components.text import md

_UNCHANGED = object()  # the widget still shows the value it was given
SHARED_FIELDS = BasePipelineConfig.SHARED_FIELDS


@dataclass
class _Form:
    """What one call of config_form shares between its fields."""

    key: str
    problems: Sequence[Problem]
    exclude: Collection[str]  # dotted paths not to draw
    shown: dict[str, Any]  # base key -> (widget kind, value it returned, key version), last run
    choices: Mapping[str, Sequence[Any]]  # list fields chosen from the design's names
    seen: dict[str, Any] = field(default_factory=dict)  # the same, for this run
    reported: set[int] = field(default_factory=set)  # indexes of problems already shown
    slots: list[tuple[Any, str, bool]] = field(default_factory=list)  # (place, path, leaf)

    def key_of(self, path: str) -> str:
        return f"{self.key}:{path}"


@dataclass(frozen=True)
class FormResult:
    """What the form holds after the user's edit: the node's raw values, and the pipeline
    settings (changed when a shared field was edited without an override)."""

    values: dict[str, Any]
    settings: dict[str, Any]


def config_form(
    config_class: type[BaseModel],
    values: Mapping[str, Any],
    *,
    key: str,
    problems: Sequence[Problem] = (),
    recheck: Callable[[FormResult], Sequence[Problem]] | None = None,
    settings: Mapping[str, Any] | None = None,
    exclude: Collection[str] = (),
    choices: Mapping[str, Sequence[Any]] | None = None,
) -> FormResult:
    """Render a form for `config_class` showing `values` (raw, possibly incomplete or invalid)
    and return the new raw values (and settings).

    The values hold every key of `values` (excluded ones untouched) plus the fields the user
    changed; a field absent from `values` stays absent until edited, so its default applies.
    An emptied Optional text, number, list or dict is stored as None (null), never dropped.
    With `settings`, shared fields absent from `values` show (and edit) the setting;
    overriding one copies the setting into the values.
    `recheck(result)` gives the problems of the edited values, shown instead of `problems`.
    `choices` turns a list field into a multiselect of the names given (a condition's
    children for its "if" branch).
    """
    memo_key = f"{key}::shown"
    shown = st.session_state.get(memo_key, {})
    form = _Form(key, tuple(problems), frozenset(exclude), shown, dict(choices or {}))
    top = st.container()
    shared = dict(settings) if settings is not None else None
    result = _fields(form, config_class, values, "", shared, form.exclude)
    st.session_state[memo_key] = form.seen  # only this run's widgets: stale keys drop out
    edited = FormResult(result, shared if shared is not None else {})
    if recheck is not None and (edited.values != dict(values) or shared != settings):
        form.problems = tuple(recheck(edited))
    _messages(form, top)
    return edited


def _fields(
    form: _Form,
    config_class: type[BaseModel],
    values: Mapping[str, Any],
    prefix: str,
    settings: dict[str, Any] | None,
    exclude: Collection[str],
) -> dict[str, Any]:
    """Every field of `config_class` (pipeline settings first), then its derived values.
    `settings`, when given, is updated in place with edits of shared fields."""
    result = dict(values)
    applies = getattr(config_class, "applies", lambda name: True)
    specs = [
        spec
        for spec in form_fields(config_class)
        if prefix + spec.name not in exclude
        and (applies(spec.name) or spec.name in _flagged(form))  # shown to fix a wrong value
    ]
    shared = [spec for spec in specs if settings is not None and _takes_shared(config_class, spec)]
    if shared:
        _pipeline_settings(form, shared, values, settings, result)
    own = [spec for spec in specs if spec not in shared]
    main, advanced = _sections(config_class, own, _flagged(form)) if not prefix else (own, [])
    for spec in main:
        _field(form, spec, prefix + spec.name, values, result)
    if advanced and _section(form, "Advanced settings", "advanced", opened=False):
        for spec in advanced:
            _field(form, spec, spec.name, values, result)
    effective = {
        name: to_raw(value)
        for name, value in (settings or {}).items()
        if name in config_class.model_fields and name in SHARED_FIELDS and name not in result
    }
    _derived(form, config_class, effective | result, prefix)
    return result


def _takes_shared(config_class: type[BaseModel], spec: FieldSpec) -> bool:
    """A pipeline setting the node takes (a model node's cache_enabled is its own, off)."""
    takes = getattr(config_class, "takes_shared", None)
    return spec.name in SHARED_FIELDS and (takes is None or takes(spec.name))


def _sections(config_class: type[BaseModel], specs: list[FieldSpec], flagged: set[str]):
    """(main, advanced): required fields and fields with a problem first, then the step's
    own; fields marked ADVANCED (instance sizes, container versions, code folders) go under
    Advanced unless something is wrong with them."""
    advanced = [
        spec for spec in specs if spec.advanced and not spec.required and spec.name not in flagged
    ]
    main = [spec for spec in specs if spec not in advanced]
    return sorted(main, key=lambda spec: not (spec.required or spec.name in flagged)), advanced


def _flagged(form: _Form) -> set[str]:
    """The top-level fields a problem is about."""
    return {p.field.split(".")[0] for p in form.problems if p.field}


def _section(form: _Form, title: str, name: str, opened: bool) -> bool:
    """A switch that shows a section's fields: a closed section's widgets are not drawn at
    all (a collapsed expander's are: the browser still builds them, which made a click on
    a large step's node cost a second). The switch starts `opened` and keeps what the user
    chose; the fields keep their values while hidden."""
    return st.toggle(title, value=opened, key=form.key_of(f"section:{name}"))


def _field(
    form: _Form,
    spec: FieldSpec,
    path: str,
    values: Mapping[str, Any],
    result: dict[str, Any],
    note: str = "",
) -> None:
    """One field in its own container: its widget, then its problems right under it."""
    present = spec.name in values
    raw = values[spec.name] if present else spec.default
    box = st.container()
    with box:
        new = _input(form, spec, path, raw, note)
    _report(form, path, leaf=spec.kind != "model" or not fits(spec, raw), place=box)
    if new is not _UNCHANGED and (present or not same_raw(new, raw)):
        result[spec.name] = new


# --- pipeline settings ------------------------------------------------------------------------


def _pipeline_settings(
    form: _Form,
    specs: list[FieldSpec],
    values: Mapping[str, Any],
    settings: dict[str, Any],
    result: dict[str, Any],
) -> None:
    """The shared fields: each edits the pipeline settings unless overridden for this node."""
    paths = {spec.name for spec in specs}
    attention = any(name in values for name in paths) or bool(paths & _flagged(form))
    if _section(form, "Pipeline settings", "settings", opened=attention):
        st.caption(
            "Shared by every step: a change here changes the pipeline settings. Switch on "
            "Override for this node to give this step its own value."
        )
        for spec in specs:
            _shared_field(form, spec, values, settings, result)


def _shared_field(
    form: _Form,
    spec: FieldSpec,
    values: Mapping[str, Any],
    settings: dict[str, Any],
    result: dict[str, Any],
) -> None:
    wkey = form.key_of(spec.name)
    overridden = spec.name in values
    with st.container(key=f"{wkey}:shared"):  # the field and its switch, together
        box = st.container()  # the value goes above the switch that decides where it is kept
        override = _widget(
            form,
            f"{wkey}:override",
            "toggle",
            overridden,
            lambda key, shown: st.toggle("Override for this node", value=shown, key=key),
        )
    with box:
        if override and not overridden:  # starts from the pipeline's value
            result[spec.name] = to_raw(settings.get(spec.name, spec.default))
        if override:
            _field(form, spec, spec.name, result, result, note=" (overridden for this node)")
        else:
            result.pop(spec.name, None)  # back to the pipeline's value
            _field(form, spec, spec.name, settings, settings, note=" (pipeline setting)")


# --- widgets ----------------------------------------------------------------------------------


def _widget(
    form: _Form, base: str, kind: str, display: Any, draw: Callable[[str, Any], Any]
) -> Any:
    """Draw a widget created with `display` (the design's value); see the module docstring.

    Its key changes only when `display` differs from what the widget returned last run: the
    value changed outside the form, and the widget must show it. Otherwise it is created with
    what it holds (the user's edit, if this run brings one): the browser re-creates a widget
    from the value it was last sent, and that must be the value the design now holds."""
    last = form.shown.get(base)
    version = 0 if last is None else last[2]
    key = base if version == 0 else f"{base}~{version}"
    if last is not None and (last[0], last[1]) != (kind, display):
        version += 1
        key = f"{base}~{version}"
    elif key in st.session_state:  # what the user just set: the value the design will hold
        display = st.session_state[key]
    value = draw(key, display)
    form.seen[base] = (kind, value, version)
    return value


def _readonly(wkey: str, label: str, text: str, description: str | None) -> None:
    st.session_state[wkey] = text  # always the live value: it is computed, not typed
    st.text_input(plain_label(label), key=wkey, disabled=True, help=_help(description))


def _help(description: str | None, extra: str = "") -> str | None:
    text = " ".join(part for part in (description, extra) if part)
    return md(text) if text else None


def _input(form: _Form, spec: FieldSpec, path: str, raw: Any, note: str) -> Any:
    """The field's widget; returns its new raw value or _UNCHANGED."""
    star = " *" if spec.required else ""
    label = plain_label(f"{spec.label}{note}{star}")  # a label is also the accessible name
    wkey = form.key_of(path)
    if spec.kind == "model" and fits(spec, raw):
        return _nested(form, spec, path, raw, label)
    if path in form.choices and spec.kind == "list" and fits(spec, raw):
        # Names the design offers (a condition's children), and any chosen ones it lacks.
        options = tuple(dict.fromkeys([*form.choices[path], *(raw or [])]))
        spec = replace(spec, kind="multichoice", options=options)
    draw = _WIDGETS[spec.kind] if fits(spec, raw) else _fallback
    return draw(form, spec, wkey, to_raw(raw), label)


def _toggle(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    def draw(key: str, shown: Any) -> Any:
        return st.toggle(label, value=shown, key=key, help=_help(spec.description))

    value = _widget(form, wkey, "toggle", raw, draw)
    return _UNCHANGED if value == raw else value


def _number(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    """A number box without min or max: a value out of range is kept as typed, and its
    problem shows under the field like any other (a bounded box would refuse it silently)."""
    cast = int if spec.kind == "int" else float
    display = None if raw is None else cast(raw)
    bounds = bounds_text(spec)
    about = f"A number{bounds}." if bounds else ""

    def draw(key: str, shown: Any) -> Any:
        return st.number_input(
            label,
            value=shown,  # None: an empty box, which reads None when cleared
            step=spec.step,
            format="%d" if spec.kind == "int" else "%g",  # %g shows 0.001 and 1e-05
            key=key,
            help=_help(spec.description, about),
        )

    value = _widget(form, wkey, spec.kind, display, draw)
    if spec.optional and display is not None and _clear(wkey, spec):
        return None
    return _UNCHANGED if value == display and type(value) is type(display) else value


def _clear(wkey: str, spec: FieldSpec) -> bool:
    """A button that empties an Optional number: a box created with a value cannot be
    emptied (Streamlit then returns its default), and one created empty would read as
    emptied whenever the browser re-creates it."""
    return st.button(
        "Clear", key=f"{wkey}:clear", type="tertiary", help=md(f"{spec.label}: no value")
    )


def _same(option: Any, value: Any) -> bool:
    return option == value and type(option) is type(value)  # True == 1, but not as a choice


def _option_label(option: Any) -> str:
    if option is None:
        return "—"
    if isinstance(option, bool):
        return "true" if option else "false"
    return str(option)


def _select(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    options = [None, *spec.options] if spec.optional else list(spec.options)

    def draw(key: str, shown: Any) -> Any:
        chosen = next((i for i, o in enumerate(options) if _same(o, shown)), None)
        return st.selectbox(
            label,
            options,
            index=chosen,  # None: nothing chosen yet (a required choice not made)
            format_func=_option_label,
            key=key,
            help=_help(spec.description),
            placeholder="Choose one",
        )

    value = _widget(form, wkey, "choice", raw, draw)
    return _UNCHANGED if value == raw else value


def _multiselect(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    display = list(raw or [])

    def draw(key: str, shown: Any) -> Any:
        return st.multiselect(
            label,
            spec.options,
            default=shown,
            format_func=_option_label,
            max_selections=spec.max_items,
            key=key,
            help=_help(spec.description),
        )

    value = _widget(form, wkey, "multichoice", display, draw)
    if value == display:
        return _UNCHANGED
    return None if not value and spec.optional else list(value)


def _text(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    display = "" if raw is None else raw

    def draw(key: str, shown: Any) -> Any:
        return st.text_input(label, value=shown, key=key, help=_help(spec.description))

    value = _widget(form, wkey, "text", display, draw)
    if value == display:
        return _UNCHANGED
    return None if value == "" and spec.optional else value  # empty Optional text -> None


def _lines(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    """A list of str/int/float: one item per line; items keep their types."""
    display = lines_of(raw)

    def draw(key: str, shown: Any) -> Any:
        return st.text_area(
            label,
            value=shown,
            key=key,
            help=_help(spec.description, "One item per line."),
            placeholder="One item per line",
            height="content",
        )

    value = _widget(form, wkey, "lines", display, draw)
    return _UNCHANGED if value == display else parse_lines(spec, value)


def _fallback(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    """A value its widget cannot show (text in a number field...): shown as typed."""
    display = text_of(raw)
    help_ = _help(spec.description, "Shown as typed: it does not fit this field's type.")

    def draw(key: str, shown: Any) -> Any:
        return st.text_input(label, value=shown, key=key, help=help_)

    value = _widget(form, wkey, "fallback", display, draw)
    return _UNCHANGED if value == display else parse_text(spec, value)


# --- key-value editor -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """The data editor's base table: it must not change while the user edits it, or the
    editor's row edits (kept by Streamlit relative to it) would be applied twice."""

    origin: Any  # the raw dict the table was built from
    frame: pd.DataFrame
    choices: bool  # the value column is a select box
    current: Any  # what the editor produced last: the raw value expected next run


def _pairs_editor(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    """A dict[str, str | Enum], in order: rows of name and value; + adds a row."""
    base_key = f"{wkey}:base"
    table = st.session_state.get(base_key)
    if table is None or wkey not in st.session_state or not same_raw(table.current, raw):
        # First draw, the editor's edits dropped (not drawn last run), or an outside change.
        table = _table(spec, raw)
    st.markdown(label, help=_help(spec.description, "Add, edit or delete rows; order counts."))
    edited = st.data_editor(
        table.frame,
        key=wkey,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=_columns(spec, table.choices),
    )
    value, notes = _dict_of(edited, spec)
    for note in notes:
        st.warning(md(note))
    if value == _dict_of(table.frame, spec)[0]:
        new = table.origin  # untouched, or edited back to where it started
    else:
        new = None if not value and spec.optional else value
    st.session_state[base_key] = replace(table, current=new)
    return _UNCHANGED if same_raw(new, raw) else new


def _table(spec: FieldSpec, raw: Mapping[str, Any] | None) -> _Table:
    items = list((raw or {}).items())
    choices = bool(spec.options) and all(value in spec.options for _, value in items)
    frame = pd.DataFrame(
        {
            "key": pd.Series([name for name, _ in items], dtype="string"),
            "value": pd.Series([None if v is None else str(v) for _, v in items], dtype="string"),
        }
    )
    return _Table(raw, frame, choices, raw)


def _columns(spec: FieldSpec, choices: bool) -> dict[str, Any]:
    value_column = (
        st.column_config.SelectboxColumn("Value", options=[str(o) for o in spec.options])
        if choices
        else st.column_config.TextColumn("Value")
    )
    return {"key": st.column_config.TextColumn("Name", required=True), "value": value_column}


def _dict_of(frame: pd.DataFrame, spec: FieldSpec) -> tuple[dict[str, Any], list[str]]:
    """Rows to a dict in row order, and notes on rows a dict cannot keep (it needs unique
    names); the editor still shows those rows, so nothing typed disappears unexplained."""
    result, notes = {}, []
    for row, (name, value) in enumerate(zip(frame["key"], frame["value"], strict=True), 1):
        if pd.isna(name) or str(name).strip() == "":
            if not pd.isna(value) and str(value):
                notes.append(f"Row {row} has no name, so it is not saved.")
            continue
        if str(name) in result:
            notes.append(f"{name} is named twice: the last row counts.")
        if pd.isna(value):
            value = None if spec.options else ""
        elif spec.options:
            value = option_named(spec, str(value))
        result[str(name)] = value
    return result, notes


# --- nested configs ---------------------------------------------------------------------------


def _nested(form: _Form, spec: FieldSpec, path: str, raw: Any, label: str) -> Any:
    """A nested config (hyperparameters): the same form, in a bordered box."""
    values = raw or {}
    with st.container(border=True):
        st.markdown(f"**{label}**", help=_help(spec.description))
        _report(form, path, leaf=False)
        sub = _fields(form, spec.model, values, f"{path}.", None, form.exclude)
    return _UNCHANGED if sub == values else sub


# --- derived values ---------------------------------------------------------------------------


def _derived(form: _Form, config_class: type[BaseModel], values: Mapping, prefix: str) -> None:
    """Computed fields, read-only, from the current values (they change as the user types)."""
    specs = derived_fields(config_class)
    if not specs:
        return
    shown = derived_values(config_class, values)
    st.caption("Derived values (read-only)")
    for spec in specs:
        _readonly(form.key_of(prefix + spec.name), spec.label, shown[spec.name], spec.description)


# --- problems ---------------------------------------------------------------------------------


def _report(form: _Form, path: str, *, leaf: bool, place=None) -> None:
    """Keep a place for the problems of `path` (drawn by `_messages`): the end of the
    field's own container `place`, under its widget, or a new one here."""
    form.slots.append((place if place is not None else st.container(), path, leaf))


def _messages(form: _Form, top) -> None:
    """Each problem under its widget, in the order the fields were drawn; the rest on top."""
    for place, path, leaf in form.slots:
        with place:
            _problems_of(form, path, leaf=leaf)
    with top:
        _report_rest(form)


def _problems_of(form: _Form, path: str, *, leaf: bool) -> None:
    """Problems about `path` (and, for a leaf, its items: `data_sources.0`)."""
    for index, problem in enumerate(form.problems):
        where = problem.field
        if index in form.reported or not where:
            continue
        if where == path or (leaf and where.startswith(path + ".")):
            form.reported.add(index)
            st.error(md(_item(where[len(path) + 1 :]) + problem.message))


def _item(rest: str) -> str:
    if not rest:
        return ""
    first = rest.split(".")[0]
    return f"Item {int(first) + 1}: " if first.isdigit() else f"{rest}: "


def _report_rest(form: _Form) -> None:
    """Problems no widget showed: at the top of the form, with the field they are about."""
    for index, problem in enumerate(form.problems):
        if index not in form.reported:
            where = f"{problem.field}: " if problem.field else ""
            st.error(md(where + problem.message))


_WIDGETS: dict[str, Callable[[_Form, FieldSpec, str, Any, str], Any]] = {
    "bool": _toggle,
    "int": _number,
    "float": _number,
    "text": _text,
    "choice": _select,
    "multichoice": _multiselect,
    "list": _lines,
    "dict": _pairs_editor,
    "json": _fallback,
}
