"""The tests' own reading of SageMaker's request shapes, apart from the product's check.

A pipeline definition's steps become API requests when the pipeline runs; this walks each
step's arguments with botocore's Shape objects (the service model as botocore's clients see
it) and lists what the API would refuse. It shares no code with builders.compiling.api_requests:
two independent readings of the same model, so a blind spot of one shows in the other.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
import regex

OPERATION_OF_STEP = {
    "Processing": "CreateProcessingJob",
    "Training": "CreateTrainingJob",
    "Transform": "CreateTransformJob",
    "Model": "CreateModel",
    "CreateModel": "CreateModel",
    "RegisterModel": "CreateModelPackage",
    "Tuning": "CreateHyperParameterTuningJob",
    "EndpointConfig": "CreateEndpointConfig",
    "Endpoint": "CreateEndpoint",
}
NAMED_AT_RUN_TIME = {
    "CreateProcessingJob": {"ProcessingJobName"},
    "CreateTrainingJob": {"TrainingJobName"},
    "CreateTransformJob": {"TransformJobName"},
    "CreateModel": {"ModelName"},
    "CreateHyperParameterTuningJob": {"HyperParameterTuningJobName"},
}


@functools.cache
def service_model():
    return botocore.session.get_session().get_service_model("sagemaker")


def definition_problems(definition: dict) -> list[str]:
    """Every way the definition's steps (and its name) break the API's request shapes."""
    defaults = {p["Name"]: p.get("DefaultValue") for p in definition.get("Parameters", [])}
    found: list[str] = []
    pending = list(definition.get("Steps", []))
    while pending:
        step = pending.pop(0)
        arguments = step.get("Arguments", {})
        if step["Type"] == "Condition":
            pending += arguments.get("IfSteps", []) + arguments.get("ElseSteps", [])
        operation = OPERATION_OF_STEP.get(step["Type"])
        if operation is None:
            continue
        request = service_model().operation_model(operation).input_shape
        skip = NAMED_AT_RUN_TIME.get(operation, set())
        _walk(arguments, request, f"{step['Name']}:{operation}", defaults, found, skip)
    return found


def _walk(value, shape, where: str, defaults: dict, found: list, skip=frozenset()) -> None:
    value = _resolved(value, defaults)
    if value is _RUNTIME:
        return
    rules = shape.metadata
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            found.append(f"{where}: not a structure: {value!r:.60}")
            return
        for name in shape.required_members:
            if name not in value and name not in skip:
                found.append(f"{where}.{name}: required")
        for name, item in value.items():
            if name not in shape.members:
                found.append(f"{where}.{name}: unknown member")
            else:
                _walk(item, shape.members[name], f"{where}.{name}", defaults, found)
    elif shape.type_name == "list":
        if not isinstance(value, list):
            found.append(f"{where}: not a list")
            return
        _bounds(len(value), rules, where, found, "items")
        for index, item in enumerate(value):
            _walk(item, shape.member, f"{where}[{index}]", defaults, found)
    elif shape.type_name == "map":
        if not isinstance(value, dict):
            found.append(f"{where}: not a map")
            return
        _bounds(len(value), rules, where, found, "entries")
        for key, item in value.items():
            _walk(key, shape.key, f"{where}<key>", defaults, found)
            _walk(item, shape.value, f"{where}[{key}]", defaults, found)
    elif shape.type_name == "string":
        if not isinstance(value, str):
            found.append(f"{where}: not a string: {value!r:.60}")
            return
        _bounds(len(value), rules, where, found, "characters")
        if shape.enum and value not in shape.enum:
            found.append(f"{where}: {value!r} not in the enum")
        pattern = _compiled(rules.get("pattern"))
        if pattern is not None and not pattern.fullmatch(value):
            found.append(f"{where}: {value!r:.60} does not match {rules['pattern']}")
    elif shape.type_name in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            found.append(f"{where}: not an integer: {value!r}")
            return
        _bounds(value, rules, where, found, "")
    elif shape.type_name in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            found.append(f"{where}: not a number: {value!r}")
            return
        _bounds(value, rules, where, found, "")
    elif shape.type_name == "boolean" and not isinstance(value, bool):
        found.append(f"{where}: not a boolean: {value!r}")


def _bounds(measure, rules: dict, where: str, found: list, unit: str) -> None:
    if "min" in rules and measure < rules["min"]:
        found.append(f"{where}: {measure} {unit} < min {rules['min']}")
    if "max" in rules and measure > rules["max"]:
        found.append(f"{where}: {measure} {unit} > max {rules['max']}")


_RUNTIME = object()


def _resolved(value: Any, defaults: dict) -> Any:
    """A parameter's default in place of a reference to it; _RUNTIME for what a run decides."""
    if not (isinstance(value, dict) and len(value) == 1):
        return value
    ((key, body),) = value.items()
    if key == "Get" and isinstance(body, str) and body.startswith("Parameters."):
        return defaults.get(body.removeprefix("Parameters."), _RUNTIME)
    if key in ("Get", "Std:Join", "Std:JsonGet"):
        return _RUNTIME
    return value


@functools.cache
def _compiled(pattern: str | None):
    if pattern is None:
        return None
    try:
        return regex.compile(pattern)
    except regex.error:
        return None


def shape_problems(value: Any, shape, where: str) -> list[str]:
    """Every way `value` breaks a botocore shape (members, types, enums, lengths)."""
    found: list[str] = []
    _walk(value, shape, where, {}, found)
    return found
