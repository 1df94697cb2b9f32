"""A form generated from any Config class: no hand-written form per step type.

`config_form` draws one widget per field, chosen by the field's type (see `builders.fields`), shows
the raw values as they are (incomplete or invalid included) and returns the new raw values.

Widget state: a widget is never given `value=`; its session-state entry is set before it is
drawn, when it is first drawn or when the value it should show changed outside the form (an
import, an undo, a pipeline setting). `shown` remembers what each widget was last set to show,
so a user's edit is never mistaken for an outside change. Keys: `f"{key}:{dotted.path}"`.

The caller stores the returned values. Problems passed in describe the values passed in, so
a caller that shows them should `st.rerun()` when the result differs from `values`: the
messages (and a mistyped value's widget turning back into a number box) then follow the edit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from builders.configs.base import BasePipelineConfig, ProcessingStepConfigBase
from builders.errors import Problem
from builders.fields import (
    FieldSpec,
    derived_fields,
    derived_values,
    fits,
    form_fields,
    lines_of,
    number_bounds,
    option_named,
    parse_lines,
    parse_text,
    same_raw,
    text_of,
    to_raw,
)
from components.text import md

_UNCHANGED = object()  # the widget still shows the value it was given
_INHERITED = "inherited from pipeline settings"


@dataclass
class _Form:
    """What one call of config_form shares between its fields."""

    key: str
    problems: Sequence[Problem]
    exclude: Collection[str]  # dotted paths not to draw
    shown: dict[str, Any]  # widget key -> (widget kind, value) it showed last run
    seen: dict[str, Any] = field(default_factory=dict)  # the same, for this run
    reported: set[int] = field(default_factory=set)  # indexes of problems already shown

    def key_of(self, path: str) -> str:
        return f"{self.key}:{path}"


def config_form(
    config_class: type[BaseModel],
    values: Mapping[str, Any],
    *,
    key: str,
    problems: Sequence[Problem] = (),
    inherited: Mapping[str, Any] | None = None,
    exclude: Collection[str] = (),
) -> dict[str, Any]:
    """Render a form for `config_class` showing `values` (raw, possibly incomplete or invalid)
    and return the new raw values.

    The result holds every key of `values` (excluded ones untouched) plus the fields the user
    changed; a field absent from `values` stays absent until edited, so its default applies.
    An emptied Optional text, number, list or dict is stored as None (null), never dropped.
    Inherited fields absent from `values` show the inherited value; overriding one adds it.
    """
    memo_key = f"{key}::shown"
    form = _Form(key, tuple(problems), frozenset(exclude), st.session_state.get(memo_key, {}))
    top = st.container()
    result = _fields(form, config_class, values, "", inherited or {}, form.exclude)
    with top:
        _report_rest(form)
    st.session_state[memo_key] = form.seen  # only this run's widgets: stale keys drop out
    return result


def _fields(
    form: _Form,
    config_class: type[BaseModel],
    values: Mapping[str, Any],
    prefix: str,
    inherited: Mapping[str, Any],
    exclude: Collection[str],
) -> dict[str, Any]:
    """Every field of `config_class` (pipeline settings first), then its derived values."""
    result = dict(values)
    specs = [spec for spec in form_fields(config_class) if prefix + spec.name not in exclude]
    shared = [spec for spec in specs if spec.name in inherited]
    if shared:
        _pipeline_settings(form, shared, values, inherited, result)
    own = [spec for spec in specs if spec.name not in inherited]
    main, advanced = _sections(config_class, own) if not prefix else (own, [])
    for spec in main:
        _field(form, spec, prefix + spec.name, values, result)
    if advanced:
        names = {spec.name for spec in advanced}
        attention = any(p.field and p.field.split(".")[0] in names for p in form.problems)
        with st.expander("Advanced settings", expanded=attention):
            for spec in advanced:
                _field(form, spec, spec.name, values, result)
    effective = {
        name: to_raw(value)
        for name, value in inherited.items()
        if name in config_class.model_fields and name not in result
    }
    _derived(form, config_class, effective | result, prefix)
    return result


def _sections(config_class: type[BaseModel], specs: list[FieldSpec]):
    """(main, advanced): required fields first, then the step's own; the library's common
    settings (instance sizes, container versions, code folders) go under Advanced."""
    common = {
        name
        for base in (BasePipelineConfig, ProcessingStepConfigBase)
        if issubclass(config_class, base) and base is not config_class
        for name in base.model_fields
    }
    advanced = [spec for spec in specs if spec.name in common and not spec.required]
    main = [spec for spec in specs if spec not in advanced]
    return sorted(main, key=lambda spec: not spec.required), advanced


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
    with st.container():
        new = _input(form, spec, path, raw, note)
        _report(form, path, leaf=spec.kind != "model" or not fits(spec, raw))
    if new is not _UNCHANGED and (present or not same_raw(new, raw)):
        result[spec.name] = new


# --- pipeline settings ------------------------------------------------------------------------


def _pipeline_settings(
    form: _Form,
    specs: list[FieldSpec],
    values: Mapping[str, Any],
    inherited: Mapping[str, Any],
    result: dict[str, Any],
) -> None:
    """The inherited fields, each read-only unless overridden for this node."""
    paths = {spec.name for spec in specs}
    attention = any(name in values for name in paths) or any(
        problem.field and problem.field.split(".")[0] in paths for problem in form.problems
    )
    with st.expander("Pipeline settings", expanded=attention):
        st.caption("Entered once for the whole pipeline. Override a value for this node only.")
        for spec in specs:
            _inherited_field(form, spec, values, inherited[spec.name], result)


def _inherited_field(
    form: _Form, spec: FieldSpec, values: Mapping[str, Any], value: Any, result: dict[str, Any]
) -> None:
    wkey = form.key_of(spec.name)
    overridden = spec.name in values
    box = st.container()  # the value goes above the toggle that decides how it shows
    override = _widget(
        form,
        f"{wkey}:override",
        "toggle",
        overridden,
        lambda: st.toggle("Override for this node", key=f"{wkey}:override"),
    )
    with box:
        if override and not overridden:
            result[spec.name] = to_raw(value)  # starts from the inherited value
        if override:
            _field(form, spec, spec.name, result, result, note=" (overridden)")
        else:
            result.pop(spec.name, None)  # back to the pipeline's value
            label = f"{spec.label} ({_INHERITED})"
            _readonly(f"{wkey}:inherited", label, text_of(value), spec.description)
            _report(form, spec.name, leaf=True)


# --- widgets ----------------------------------------------------------------------------------


def _widget(form: _Form, wkey: str, kind: str, display: Any, draw: Callable[[], Any]) -> Any:
    """Draw a widget showing `display` (set in session state, never as `value=`)."""
    if wkey not in st.session_state or form.shown.get(wkey) != (kind, display):
        st.session_state[wkey] = display  # first draw, or the value changed outside the form
    value = draw()
    form.seen[wkey] = (kind, value)
    return value


def _readonly(wkey: str, label: str, text: str, description: str | None) -> None:
    st.session_state[wkey] = text  # always the live value: it is computed, not typed
    st.text_input(md(label), key=wkey, disabled=True, help=_help(description))


def _help(description: str | None, extra: str = "") -> str | None:
    text = " ".join(part for part in (description, extra) if part)
    return md(text) if text else None


def _input(form: _Form, spec: FieldSpec, path: str, raw: Any, note: str) -> Any:
    """The field's widget; returns its new raw value or _UNCHANGED."""
    star = " *" if spec.required else ""
    label = md(f"{spec.label}{note}{star}")
    wkey = form.key_of(path)
    if spec.kind == "model" and fits(spec, raw):
        return _nested(form, spec, path, raw, label)
    draw = _WIDGETS[spec.kind] if fits(spec, raw) else _fallback
    return draw(form, spec, wkey, to_raw(raw), label)


def _toggle(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    value = _widget(
        form, wkey, "toggle", raw, lambda: st.toggle(label, key=wkey, help=_help(spec.description))
    )
    return _UNCHANGED if value == raw else value


def _number(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    cast = int if spec.kind == "int" else float
    display = None if raw is None else cast(raw)
    low, high = number_bounds(spec)
    if display is not None and not _within(display, low, high):
        low = high = None  # show an out-of-range value as it is; its problem says why

    def draw() -> Any:
        return st.number_input(
            label,
            value=None,  # no default: a cleared box reads None (its state comes from _widget)
            min_value=low,
            max_value=high,
            step=spec.step,
            format="%d" if spec.kind == "int" else "%g",  # %g shows 0.001 and 1e-05
            key=wkey,
            help=_help(spec.description),
        )

    value = _widget(form, wkey, spec.kind, display, draw)
    return _UNCHANGED if value == display and type(value) is type(display) else value


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _option_label(option: Any) -> str:
    if option is None:
        return "—"
    if isinstance(option, bool):
        return "true" if option else "false"
    return str(option)


def _select(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    options = [None, *spec.options] if spec.optional else list(spec.options)

    def draw() -> Any:
        return st.selectbox(
            label,
            options,
            format_func=_option_label,
            key=wkey,
            help=_help(spec.description),
            placeholder="Choose one",
        )

    value = _widget(form, wkey, "choice", raw, draw)
    return _UNCHANGED if value == raw else value


def _multiselect(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    display = list(raw or [])

    def draw() -> Any:
        return st.multiselect(
            label,
            spec.options,
            format_func=_option_label,
            max_selections=spec.max_items,
            key=wkey,
            help=_help(spec.description),
        )

    value = _widget(form, wkey, "multichoice", display, draw)
    if value == display:
        return _UNCHANGED
    return None if not value and spec.optional else list(value)


def _text(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    display = "" if raw is None else raw
    value = _widget(
        form,
        wkey,
        "text",
        display,
        lambda: st.text_input(label, key=wkey, help=_help(spec.description)),
    )
    if value == display:
        return _UNCHANGED
    return None if value == "" and spec.optional else value  # empty Optional text -> None


def _lines(form: _Form, spec: FieldSpec, wkey: str, raw: Any, label: str) -> Any:
    """A list of str/int/float: one item per line; items keep their types."""
    display = lines_of(raw)

    def draw() -> Any:
        return st.text_area(
            label,
            key=wkey,
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
    value = _widget(
        form, wkey, "fallback", display, lambda: st.text_input(label, key=wkey, help=help_)
    )
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
        sub = _fields(form, spec.model, values, f"{path}.", {}, form.exclude)
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


def _report(form: _Form, path: str, *, leaf: bool) -> None:
    """Problems about `path` (and, for a leaf, its items: `data_sources.0`) under its widget."""
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
