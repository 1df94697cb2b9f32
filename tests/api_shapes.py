"""A compiled step's arguments checked against the SageMaker API request they become.

botocore ships SageMaker's request shapes: required members, types, enums, lengths, value
ranges and patterns. `request_problems(step)` walks a definition step's arguments along the
shape of the call SageMaker Pipelines makes for its type (the names Pipelines gives at run
time filled in); a pipeline expression (Get, Std:Join, Std:JsonGet) stands for a value
known only then, and is not checked. botocore's own ParamValidator checks minimums only,
hence this walk.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session

# Definition step type -> the API call it makes, and the names Pipelines gives at run time.
OPERATIONS = {
    "Processing": ("CreateProcessingJob", {"ProcessingJobName": "pipelines-job"}),
    "Training": ("CreateTrainingJob", {"TrainingJobName": "pipelines-job"}),
    "Tuning": ("CreateHyperParameterTuningJob", {"HyperParameterTuningJobName": "tuning"}),
    "Transform": ("CreateTransformJob", {"TransformJobName": "pipelines-job"}),
    "Model": ("CreateModel", {"ModelName": "pipelines-model"}),
    "RegisterModel": ("CreateModelPackage", {}),
    "EndpointConfig": ("CreateEndpointConfig", {}),
    "Endpoint": ("CreateEndpoint", {}),
}
EXPRESSIONS = ("Get", "Std:Join", "Std:JsonGet")


@functools.cache
def _model():
    return botocore.session.get_session().get_service_model("sagemaker")


def request_problems(step: dict[str, Any]) -> list[str]:
    """Why SageMaker would refuse the step's request ([] when it accepts it)."""
    operation, names = OPERATIONS[step["Type"]]
    shape = _model().operation_model(operation).input_shape
    return _problems({**names, **step["Arguments"]}, shape, operation)


def _problems(value: Any, shape: Any, path: str) -> list[str]:
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSIONS:
        return []  # resolved when the pipeline runs
    kind = shape.type_name
    check = _CHECKS.get(kind)
    return check(value, shape, path) if check else []


def _structure(value: Any, shape: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not a structure"]
    found = [f"{path}.{name}: required" for name in shape.required_members if name not in value]
    for name, item in value.items():
        if name not in shape.members:
            found.append(f"{path}.{name}: not a member of {shape.name}")
        else:
            found += _problems(item, shape.members[name], f"{path}.{name}")
    return found


def _list(value: Any, shape: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: {value!r} is not a list"]
    found = _range(len(value), shape, path, "items")
    for index, item in enumerate(value):
        found += _problems(item, shape.member, f"{path}[{index}]")
    return found


def _map(value: Any, shape: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not a map"]
    found = _range(len(value), shape, path, "entries")
    for key, item in value.items():
        found += _problems(key, shape.key, f"{path} key {key!r}")
        found += _problems(item, shape.value, f"{path}[{key!r}]")
    return found


def _string(value: Any, shape: Any, path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{path}: {value!r} is not a string"]
    found = _range(len(value), shape, path, "characters")
    if shape.enum and value not in shape.enum:
        found.append(f"{path}: {value!r} is not one of {shape.enum}")
    pattern = _pattern(shape.metadata.get("pattern"))
    if pattern is not None and not pattern.fullmatch(value):
        found.append(f"{path}: {value!r} does not match {shape.metadata['pattern']}")
    return found


def _number(value: Any, shape: Any, path: str) -> list[str]:
    whole = shape.type_name in ("integer", "long")
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        return [f"{path}: {value!r} is not a {shape.type_name}"]
    return _range(value, shape, path, "")


def _boolean(value: Any, shape: Any, path: str) -> list[str]:
    return [] if isinstance(value, bool) else [f"{path}: {value!r} is not a boolean"]


def _range(size: float, shape: Any, path: str, unit: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return [f"{path}: {size} {unit} is below the minimum {low}".replace("  ", " ")]
    if high is not None and size > high:
        return [f"{path}: {size} {unit} is above the maximum {high}".replace("  ", " ")]
    return []


@functools.cache
def _pattern(text: str | None) -> re.Pattern | None:
    """The shape's pattern, or None when Python's `re` cannot read it (\\p{L} classes)."""
    try:
        return re.compile(text) if text else None
    except re.error:
        return None


_CHECKS = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _number,
    "long": _number,
    "float": _number,
    "double": _number,
    "boolean": _boolean,
}
