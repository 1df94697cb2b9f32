"""The SageMaker API's own rules, read offline from botocore's service model.

botocore ships the SageMaker API's shapes: the instance types each kind of job accepts, the
values of its enums, and the patterns and lengths of its names. Configs are checked against
them instead of lists kept by hand, so a botocore upgrade brings new instance types along.
The model is loaded once per process (builders/service_models.py), on the first check, never
at import.
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import Any, Literal

from builders.service_models import service_model

JobKind = Literal["processing", "training", "transform", "inference"]
# The shape that lists the instance types of each kind of job.
INSTANCE_TYPE_SHAPES: dict[str, str] = {
    "processing": "ProcessingInstanceType",
    "training": "TrainingInstanceType",
    "transform": "TransformInstanceType",
    "inference": "ProductionVariantInstanceType",
}


def _shapes(service: str = "sagemaker") -> dict[str, dict[str, Any]]:
    return service_model(service)["shapes"]


def request_shape(operation: str) -> str:
    """The name of the shape of an operation's request (CreateProcessingJobRequest)."""
    return service_model("sagemaker")["operations"][operation]["input"]["shape"]


def shape(name: str, service: str = "sagemaker") -> dict[str, Any]:
    """A shape of the SageMaker API (or `service`'s): {"type", "enum", "pattern", "min", ...}."""
    return _shapes(service)[name]


def enum(shape_name: str) -> tuple[str, ...]:
    return tuple(shape(shape_name).get("enum", ()))


def instance_types(kind: JobKind) -> tuple[str, ...]:
    return enum(INSTANCE_TYPE_SHAPES[kind])


def instance_type_problem(kind: JobKind, value: str) -> str | None:
    """Why `value` is not an instance type of `kind` jobs, or None when it is one."""
    accepted = instance_types(kind)
    if value in accepted:
        return None
    close = difflib.get_close_matches(value, accepted, n=3, cutoff=0.8)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return (
        f"is not an instance type for SageMaker {kind} jobs (the SageMaker API lists "
        f"{len(accepted)}, such as {', '.join(accepted[:3])}){hint}"
    )


def string_problem(shape_name: str, value: str, service: str = "sagemaker") -> str | None:
    """Why `value` breaks a string shape's length or pattern, or None when it fits."""
    rules = shape(shape_name, service)
    low, high = rules.get("min", 0), rules.get("max")
    if len(value) < low:
        return f"must have at least {low} character(s)"
    if high is not None and len(value) > high:
        return f"must have at most {high} characters"
    pattern = _pattern(rules.get("pattern"))
    if pattern is not None and not pattern.fullmatch(value):
        api = "SageMaker" if service == "sagemaker" else service.capitalize()
        return f"must match the {api} API's pattern {rules['pattern']}"
    return None


@functools.cache
def _pattern(text: str | None) -> re.Pattern | None:
    """The shape's pattern, or None when it has none or Python's `re` cannot read it (\\p{L})."""
    if not text:
        return None
    try:
        return re.compile(text)
    except re.error:
        return None
