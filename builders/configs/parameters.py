"""Pipeline parameters: values a run can change without compiling the pipeline again.

A parameter has a name, a type and a default, and is bound to fields of nodes. Several nodes
can bind one parameter (one instance type for every processing step). While bound, a field's
value is the parameter's default: the design stores one value, and validation checks it by
the rules of every field it is bound to. Only fields marked PARAMETER can be bound (see
`builders.configs.types`); a list field is bound as a one-item list whose item is the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from builders.configs.fields import FieldSpec, form_fields, readable

ParameterType = Literal["String", "Integer", "Float", "Boolean"]
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,255}")
_TYPE_OF_KIND: dict[str, ParameterType] = {
    "text": "String", "choice": "String", "list": "String",
    "int": "Integer", "float": "Float", "bool": "Boolean",
}  # fmt: skip
_PYTHON_TYPES: dict[ParameterType, tuple[type, ...]] = {
    "String": (str,), "Integer": (int,), "Float": (int, float), "Boolean": (bool,),
}  # fmt: skip


class Binding(BaseModel):
    """A node's field whose value is the parameter's."""

    model_config = ConfigDict(frozen=True)
    node: str
    field: str


class PipelineParameter(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    type: ParameterType
    default: Any = None  # raw, possibly invalid: validation names what is wrong
    bindings: tuple[Binding, ...] = ()

    def binds(self, node: str, field: str | None = None) -> bool:
        return any(b.node == node and field in (None, b.field) for b in self.bindings)


def name_problem(name: str) -> str | None:
    if NAME_PATTERN.fullmatch(name):
        return None
    return (
        f"'{name}' cannot name a parameter: use a letter, then letters, digits or underscores "
        "(up to 256), such as ProcessingInstanceType."
    )


def spec_of(config_class: type[BaseModel], field: str) -> FieldSpec | None:
    return next((spec for spec in form_fields(config_class) if spec.name == field), None)


def binding_refusal(config_class: type[BaseModel], field: str) -> str | None:
    """Why `field` of `config_class` cannot be a pipeline parameter, or None when it can."""
    spec = spec_of(config_class, field)
    if spec is None:
        return f"'{field}' is not a setting of this step."
    if spec.parameter:
        return None
    return (
        f"{readable(field)} cannot be a pipeline parameter: the pipeline needs its value when "
        "it is compiled (names, code and settings files, image lookups). Parameters can set "
        "instance types and counts, the input data location, the approval status and a "
        "quality gate's threshold."
    )


def bindable_fields(config_class: type[BaseModel]) -> list[FieldSpec]:
    return [spec for spec in form_fields(config_class) if spec.parameter]


def parameter_type(spec: FieldSpec) -> ParameterType:
    """The parameter type of a bindable field (a list's item is a string)."""
    return _TYPE_OF_KIND[spec.kind]


def field_value(spec: FieldSpec, value: Any) -> Any:
    """The field's value when the parameter holds `value`."""
    return [value] if spec.kind == "list" else value


def parameter_default(spec: FieldSpec, raw: Any) -> Any:
    """What a field holds now, as the default of a new parameter bound to it."""
    if spec.kind == "list":
        return raw[0] if isinstance(raw, list) and len(raw) == 1 else None
    return raw


def parse_value(type_: ParameterType, text: str) -> Any:
    """`text` (from a command line or a text box) as a value of the type; ValueError if not."""
    cleaned = text.strip()
    if type_ == "Integer" and re.fullmatch(r"[+-]?\d{1,18}", cleaned):
        return int(cleaned)
    if type_ == "Float":
        try:
            value = float(cleaned)
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return value
    if type_ == "Boolean" and cleaned.lower() in ("true", "false"):
        return cleaned.lower() == "true"
    if type_ == "String":
        return text
    raise ValueError(f"is {type_}, and {text!r} is not a value of that type")


def type_problem(type_: ParameterType, value: Any) -> str | None:
    kinds = _PYTHON_TYPES[type_]
    if isinstance(value, kinds) and (bool not in kinds) == (not isinstance(value, bool)):
        return None
    return f"is not {'an' if type_ == 'Integer' else 'a'} {type_} value"


def with_parameters(
    values: Mapping[str, Any],
    node: str,
    config_class: type[BaseModel],
    parameters: Iterable[PipelineParameter],
) -> dict[str, Any]:
    """A node's raw values with each bound field holding its parameter's default."""
    bound = dict(values)
    for parameter in parameters:
        for binding in parameter.bindings:
            spec = spec_of(config_class, binding.field)
            if binding.node == node and spec is not None:
                bound[binding.field] = field_value(spec, parameter.default)
    return bound
