"""What a form needs to know about a Config class, read from its Pydantic fields.

Pure analysis, no Streamlit: `form_fields(SomeConfig)` turns each field's annotation into a
`FieldSpec` (widget kind, label, bounds, choices, ...), once per class (cached), so drawing a
form on every rerun costs no annotation walking. The text helpers turn what a person typed back
into raw JSON-like values and keep anything unparsable as typed, so validation can name it.
"""

from __future__ import annotations

import enum
import functools
import json
import math
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from builders.configs.types import ADVANCED, LOCAL_PATH, PARAMETER

Kind = Literal[
    "bool", "int", "float", "text", "choice", "multichoice", "list", "dict", "model", "json"
]
# Scalar kinds a list item or a dict value can have.
ItemKind = Literal["int", "float", "text"]

# Words that read better in capitals in a label.
_ACRONYMS = {"s3": "S3", "id": "ID", "uri": "URI", "uris": "URIs", "tps": "TPS", "mb": "MB"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a Config class, as a form draws it."""

    name: str
    label: str  # readable, plain text (escape it before it reaches markdown)
    kind: Kind
    required: bool  # no default: the user must fill it in
    default: Any = None  # raw (JSON-like) default; None when required
    optional: bool = False  # None is a valid value
    description: str | None = None
    options: tuple[Any, ...] = ()  # choices (choice, multichoice, dict values)
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    step: float | None = None  # number inputs
    max_items: int | None = None  # list/multichoice length limit
    item_kinds: tuple[ItemKind, ...] = ()  # list items / dict values, in declared order
    model: type[BaseModel] | None = None  # nested config (kind "model")
    advanced: bool = False  # marked ADVANCED: drawn under the form's Advanced section
    local_path: bool = False  # marked LOCAL_PATH: may hold a local path
    parameter: bool = False  # marked PARAMETER: may be bound to a pipeline parameter


@dataclass(frozen=True)
class DerivedSpec:
    """A computed_field of a Config class: shown read-only."""

    name: str
    label: str
    description: str | None


def readable(name: str) -> str:
    """`processing_instance_count` -> 'Processing instance count'."""
    words = [_ACRONYMS.get(word, word) for word in name.split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@functools.cache
def form_fields(config_class: type[BaseModel]) -> tuple[FieldSpec, ...]:
    """The fields of `config_class` in declaration order (cached per class)."""
    return tuple(_spec(name, info) for name, info in config_class.model_fields.items())


@functools.cache
def derived_fields(config_class: type[BaseModel]) -> tuple[DerivedSpec, ...]:
    return tuple(
        DerivedSpec(name, readable(name), info.description)
        for name, info in config_class.model_computed_fields.items()
    )


def _spec(name: str, info: FieldInfo) -> FieldSpec:
    core, optional, metadata = unwrap(info.annotation)
    metadata = [*info.metadata, *metadata]
    kind, extra = _classify(core)
    required = info.is_required()
    default = None if required else to_raw(info.get_default(call_default_factory=True))
    bounds = _bounds(metadata)
    if kind == "bool" and optional:
        kind, extra = "choice", {"options": (True, False)}  # a toggle has no "empty"
    step = _float_step(default, bounds) if kind == "float" else (1 if kind == "int" else None)
    return FieldSpec(
        name=name,
        label=readable(name),
        kind=kind,
        required=required,
        default=default,
        optional=optional,
        description=info.description,
        step=step,
        max_items=_max_length(metadata) if kind in ("list", "multichoice") else None,
        advanced=ADVANCED in metadata,
        local_path=LOCAL_PATH in metadata,
        parameter=PARAMETER in metadata,
        **bounds,
        **extra,
    )


def unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """(core type, whether None is allowed, constraints found in Annotated layers)."""
    optional, metadata = False, []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (Union, types.UnionType):
            args = get_args(annotation)
            rest = tuple(arg for arg in args if arg is not type(None))
            optional = optional or len(rest) < len(args)
            if len(rest) != 1:
                return Union[rest], optional, metadata  # noqa: UP007  (a runtime union of rest)
            annotation = rest[0]
        else:
            return annotation, optional, metadata


def _classify(core: Any) -> tuple[Kind, dict[str, Any]]:
    """Widget kind of a core type, with its choices / item kinds / nested model."""
    scalar = _scalar(core)
    if scalar in ("int", "float", "text"):
        return scalar, {}
    if core is bool:
        return "bool", {}
    options = _choices(core)
    if options is not None:
        return "choice", {"options": options}
    if isinstance(core, type) and issubclass(core, BaseModel):
        return "model", {"model": core}
    origin, args = get_origin(core), get_args(core)
    if origin in (list, tuple, set, frozenset) and args:
        item = unwrap(args[0])[0]
        options = _choices(item)
        if options is not None:
            return "multichoice", {"options": options}
        kinds = _item_kinds(item)
        if kinds:
            return "list", {"item_kinds": kinds}
    if origin is dict and len(args) == 2 and _scalar(unwrap(args[0])[0]) == "text":
        value = unwrap(args[1])[0]
        options = _choices(value)
        if options is not None:
            return "dict", {"options": options}
        if _scalar(value) == "text":
            return "dict", {"item_kinds": ("text",)}
    return "json", {}


def _scalar(core: Any) -> ItemKind | None:
    return {int: "int", float: "float", str: "text"}.get(core)


def _choices(core: Any) -> tuple[Any, ...] | None:
    if get_origin(core) is Literal:
        return get_args(core)
    if isinstance(core, type) and issubclass(core, enum.Enum):
        return tuple(member.value for member in core)
    return None


def _item_kinds(item: Any) -> tuple[ItemKind, ...]:
    """Scalar kinds of a list item (`int | str` -> ('int', 'text')); () when not scalar."""
    members = get_args(item) if get_origin(item) in (Union, types.UnionType) else (item,)
    kinds = tuple(_scalar(unwrap(member)[0]) for member in members)
    return () if None in kinds else kinds


def _bounds(metadata: list[Any]) -> dict[str, float]:
    bounds = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(item, name, None)
            if isinstance(item, annotated_types.BaseMetadata) and value is not None:
                bounds[name] = value
    return bounds


def _max_length(metadata: list[Any]) -> int | None:
    lengths = [item.max_length for item in metadata if isinstance(item, annotated_types.MaxLen)]
    return min(lengths) if lengths else None


def _float_step(default: Any, bounds: Mapping[str, float]) -> float:
    """A step fine enough for the field's scale: 0.01 for fractions, the default's decade."""
    upper = bounds.get("le", bounds.get("lt"))
    if upper is not None and upper <= 1:
        return 0.01
    if isinstance(default, int | float) and default:
        return min(1.0, 10.0 ** math.floor(math.log10(abs(default))))
    return 0.1


def bounds_text(spec: FieldSpec) -> str:
    """The field's bounds in words: ' between 1 and 100', ' of at least 0', or ''."""
    low = spec.ge if spec.ge is not None else spec.gt
    high = spec.le if spec.le is not None else spec.lt
    if low is not None and high is not None:
        return f" between {low:g} and {high:g}"
    if low is not None:
        return f" of {'more than' if spec.ge is None else 'at least'} {low:g}"
    if high is not None:
        return f" of {'less than' if spec.le is None else 'at most'} {high:g}"
    return ""


def to_raw(value: Any) -> Any:
    """A value in its stored form: enums as their values, models and tuples as dicts/lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {key: to_raw(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_raw(item) for item in value]
    return value


# --- does a raw value fit the field's widget? -------------------------------------------------


def same_raw(a: Any, b: Any) -> bool:
    """Equal in stored form (1, 1.0 and True differ in JSON, so they differ here)."""
    return json.dumps(to_raw(a), default=str) == json.dumps(to_raw(b), default=str)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def fits(spec: FieldSpec, raw: Any) -> bool:
    """Whether the field's own widget can show `raw` as it is (else: a text box shows it)."""
    if raw is None:
        return spec.kind not in ("bool", "json")
    raw = to_raw(raw)
    if spec.kind == "bool":
        return isinstance(raw, bool)
    if spec.kind == "int":
        return _is_number(raw) and float(raw).is_integer() and abs(raw) < 2**53
    if spec.kind == "float":
        return _is_number(raw) and math.isfinite(raw)
    if spec.kind == "text":
        return isinstance(raw, str)
    if spec.kind == "choice":
        return any(raw == option and type(raw) is type(option) for option in spec.options)
    if spec.kind == "multichoice":
        return (
            isinstance(raw, list)
            and all(fits(_choice_of(spec), item) for item in raw)
            and len(set(map(str, raw))) == len(raw)
            and (spec.max_items is None or len(raw) <= spec.max_items)
        )
    if spec.kind == "list":
        return isinstance(raw, list) and all(_is_line(item) for item in raw)
    if spec.kind == "dict":
        return isinstance(raw, dict) and all(_is_scalar(v) for v in raw.values())
    if spec.kind == "model":
        return isinstance(raw, dict)
    return False


def _choice_of(spec: FieldSpec) -> FieldSpec:
    return FieldSpec(spec.name, spec.label, "choice", False, options=spec.options)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float)


def _is_line(item: Any) -> bool:
    """An item a one-per-line editor shows and reads back unchanged."""
    if isinstance(item, str):
        return "\n" not in item and item.strip() != "" and item == item.strip()
    return _is_number(item) and math.isfinite(item)


# --- typed text back to raw values ------------------------------------------------------------


def text_of(raw: Any) -> str:
    """How a text box shows a raw value: strings as they are, anything else as JSON."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return json.dumps(to_raw(raw), ensure_ascii=False, default=str)


def parse_scalar(text: str, kinds: tuple[ItemKind, ...]) -> Any:
    """The first of `kinds` (in declared order) that reads `text`; else the text as typed."""
    for kind in kinds:
        if kind == "text":
            return text
        number = _number(text, whole=kind == "int")
        if number is not None:
            return number
    return text


def _number(text: str, *, whole: bool) -> int | float | None:
    """`text` as an int (whole) or a float, or None; never inf/NaN (not JSON)."""
    cleaned = text.strip().replace("_", "")
    try:
        return int(cleaned) if whole else _finite(float(cleaned))
    except ValueError:
        return None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def lines_of(raw: list[Any] | None) -> str:
    return "\n".join(str(item) for item in raw or [])


def parse_lines(spec: FieldSpec, text: str) -> list[Any] | None:
    """One item per non-blank line, typed by the list's item kinds (choices as themselves)."""
    items = [line.strip() for line in text.splitlines() if line.strip()]
    if not items and spec.optional:
        return None
    if spec.kind == "multichoice":
        return [option_named(spec, item) for item in items]
    return [parse_scalar(item, spec.item_kinds or ("text",)) for item in items]


def option_named(spec: FieldSpec, text: str) -> Any:
    """The choice whose text is `text`, else the text as typed."""
    return next((option for option in spec.options if str(option) == text), text)


def parse_text(spec: FieldSpec, text: str) -> Any:
    """What a person typed into the fallback text box, as the raw value of the field."""
    if spec.kind in ("int", "float"):
        number = _number(text, whole=True) if spec.kind == "int" else None
        number = number if number is not None else _number(text, whole=False)
        if number is not None:
            return number
        return None if text.strip() == "" and spec.optional else text
    if spec.kind == "bool" and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    if spec.kind == "choice":
        return None if text == "" and spec.optional else option_named(spec, text)
    if spec.kind in ("list", "multichoice"):
        parsed = _json_of(text, list)
        return parsed if parsed is not None else parse_lines(spec, text)
    if spec.kind in ("dict", "model", "json"):
        parsed = _json_of(text, dict if spec.kind != "json" else object)
        return parsed if parsed is not None else text
    return text


def _json_of(text: str, expected: type) -> Any:
    """`text` read as JSON when it is JSON of the expected type, else None."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, expected) else None


# --- derived values ---------------------------------------------------------------------------

_MISSING_ATTRIBUTE = re.compile(r"attribute '(\w+)'")


def derived_values(config_class: type[BaseModel], values: Mapping[str, Any]) -> dict[str, str]:
    """Each computed_field of the class as text: from the valid config when `values` validate,
    else computed from what is there, else '— fill in <the fields it needs>' or '—'."""
    names = list(config_class.model_computed_fields)
    if not names:
        return {}
    try:
        config = config_class.model_validate(dict(values))
    except ValidationError:
        return {name: _partial(config_class, values, name) for name in names}
    return {name: str(to_raw(getattr(config, name))) for name in names}


def _partial(config_class: type[BaseModel], values: Mapping[str, Any], name: str) -> str:
    """Compute one derived value without validating; name the missing fields it reads."""
    fields, missing = dict(values), []
    for _ in range(len(config_class.model_fields) + 1):
        try:
            value = str(to_raw(getattr(config_class.model_construct(**fields), name)))
            return value if not missing else "— fill in " + ", ".join(map(readable, missing))
        except AttributeError as error:
            match = _MISSING_ATTRIBUTE.search(str(error))
            needed = match.group(1) if match else None
            if needed not in config_class.model_fields or needed in fields:
                break
            missing.append(needed)
            fields[needed] = "…"  # stand-in, to discover the next missing field
        except Exception:  # a half-filled config can break a property in any way
            break
    return "—"
