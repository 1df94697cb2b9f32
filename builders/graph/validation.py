"""Validation that reports every problem, per node and field, in words a person understands.

Elyra's editor keeps validation apart from the editor: it returns problems per node and the
editor only shows them. The CLI's `validate`, the designer's badges and the template's errors
all come from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from builders.configs.types import FieldRuleError
from builders.errors import ConfigValidationError, Problem

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a setting of this step (check the spelling)",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a set of key-value pairs",
    "model_type": "must be a group of settings",
    "model_attributes_type": "must be a group of settings",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "takes at most {max_length} item(s)",
    "enum": "must be one of: {expected}",
    "literal_error": "must be one of: {expected}",
}


def friendly_message(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence fragment: 'must be at least 1'."""
    context = error.get("ctx") or {}
    if isinstance(context.get("error"), ValueError):
        return str(context["error"])
    kind = error["type"]
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        kind = "string_" + kind  # a length check placed after a validator reports list words
    template = _MESSAGES.get(kind)
    if template:
        try:
            return template.format(**context)
        except (KeyError, IndexError):
            pass
    return error["msg"]


def error_field(error: Mapping[str, Any]) -> str | None:
    """Dotted path of the field an error is about; a FieldRuleError names its own field."""
    parts = [str(part) for part in error["loc"]]
    rule = (error.get("ctx") or {}).get("error")
    if isinstance(rule, FieldRuleError):
        parts.append(rule.field)
    return ".".join(parts) or None


def problems_from(error: ValidationError, node: str | None = None) -> list[Problem]:
    return [
        Problem(
            friendly_message(item),
            node=node,
            field=error_field(item),
            code="missing" if item["type"] == "missing" else "invalid",
        )
        for item in error.errors(include_url=False)
    ]


def validate_config(
    config_class: type[BaseModel], values: Mapping[str, Any], node: str | None = None
) -> tuple[BaseModel | None, list[Problem]]:
    """The config built from `values`, or None and every problem with them."""
    try:
        return config_class.model_validate(dict(values)), []
    except ValidationError as error:
        return None, [_as_required(p, config_class, values) for p in problems_from(error, node)]


def _as_required(problem: Problem, config_class: type[BaseModel], values: Mapping[str, Any]):
    """A required field holding None (a cleared form field) is missing, whatever rule its
    type has for a value: 'is required', not 'must be text'."""
    info = config_class.model_fields.get(problem.field or "")
    cleared = problem.field in values and values[problem.field] is None
    if info is None or not info.is_required() or not cleared or problem.code == "missing":
        return problem
    return Problem(_MESSAGES["missing"], problem.node, problem.field, "missing")


def build_config(
    config_class: type[BaseModel], values: Mapping[str, Any], node: str | None = None
) -> BaseModel:
    """Like validate_config, but raises ConfigValidationError with every problem."""
    config, problems = validate_config(config_class, values, node)
    if problems:
        raise ConfigValidationError(problems)
    return config
