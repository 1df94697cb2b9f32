"""A compiled pipeline against the SageMaker API's requests, read from botocore's model.

When a pipeline runs, SageMaker makes a request for each step from the step's arguments: a
Processing step's are a CreateProcessingJob request, a Training step's a CreateTrainingJob
request, and so on. botocore's service model holds the shapes of those requests: required
members, list and map sizes, string lengths and patterns, enums and numeric ranges.
`request_problems` checks every step's arguments against them, so a limit nobody listed by
hand (10 ProcessingInputs, 100 environment entries of 256 characters, 50 customer metadata
properties) is caught before deploy, and names the node and the field whose value caused it.

Values only a run knows (a step's property, a Join with the execution id) are left alone; a
pipeline parameter is checked with its default value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from builders.configs.api_rules import request_shape, shape
from builders.errors import Problem

# The kinds of step the step bases build (the definition's "Type") and the request SageMaker
# makes for each; step types declare the other kinds they compile to (StepType.kinds).
REQUESTS = {
    "Processing": "CreateProcessingJob",
    "Training": "CreateTrainingJob",
    "Transform": "CreateTransformJob",
    "Model": "CreateModel",
    "CreateModel": "CreateModel",
    "RegisterModel": "CreateModelPackage",
}
# Required members the pipeline gives each request when it runs: the job's or model's name.
GIVEN_BY_THE_PIPELINE = frozenset(
    {"ProcessingJobName", "TrainingJobName", "TransformJobName", "ModelName"}
)
_EXPRESSIONS = ("Get", "Std:Join", "Std:JsonGet")
_UNKNOWN = object()  # a value only the run knows


@dataclass(frozen=True)
class _Found:
    path: str  # where in the request: "ProcessingInputs", "Environment.LEVEL"
    value: Any
    text: str  # what the request takes: "takes at most 10 items in ProcessingInputs; ..."


def request_problems(
    definition: Mapping[str, Any], configs: Mapping[str, BaseModel]
) -> list[Problem]:
    """Every way a step's arguments break its request's shape, as a problem of the node
    (and field) it comes from."""
    defaults = {
        p.get("Name"): p.get("DefaultValue", _UNKNOWN) for p in definition.get("Parameters", [])
    }
    problems = []
    requests = step_requests()
    for step in _steps(definition.get("Steps", [])):
        if step.get("Type") not in requests:
            continue
        operation, given = requests[step.get("Type")]
        node = _node_of(step.get("Name", ""), configs)
        values = _values(configs.get(node)) if node else {}
        arguments = step.get("Arguments") or {}
        for found in _check(arguments, request_shape(operation), "", defaults, given):
            problems.append(
                Problem(
                    f"SageMaker would refuse this step: its {operation} request {found.text}.",
                    node=node or step.get("Name"),
                    field=_field_of(found.value, values, found.path),
                )
            )
    return problems


def step_requests() -> dict[str, tuple[str, frozenset[str]]]:
    """Each kind of step's request and the members of it the pipeline names: the step bases'
    kinds, then those the registered step types declare."""
    from builders.registry import REGISTRY

    found = {kind: (operation, GIVEN_BY_THE_PIPELINE) for kind, operation in REQUESTS.items()}
    for kind in REGISTRY.step_kinds().values():
        if kind.request:
            given = GIVEN_BY_THE_PIPELINE | frozenset(kind.named_by_pipeline)
            found[kind.name] = (kind.request, given)
    return found


def _steps(steps: list[dict]) -> Iterator[dict]:
    for step in steps:
        yield step
        arguments = step.get("Arguments") or {}
        if step.get("Type") == "Condition":
            yield from _steps(arguments.get("IfSteps", []) + arguments.get("ElseSteps", []))


def _node_of(step_name: str, configs: Mapping[str, Any]) -> str | None:
    """The node a step comes from: its name, or the name before an SDK suffix
    (`<node>-CreateModel`, `<node>-RegisterModel`)."""
    if step_name in configs:
        return step_name
    owners = [node for node in configs if step_name.startswith(node + "-")]
    return max(owners, key=len, default=None)


def _values(config: BaseModel | None) -> dict[str, Any]:
    if config is None:
        return {}
    return config.model_dump(mode="json", exclude_computed_fields=True, warnings=False)


# -- the shapes ----------------------------------------------------------------------------
def _check(
    value: Any, shape_name: str, path: str, defaults: Mapping, given: frozenset[str] = frozenset()
) -> Iterator[_Found]:
    """What breaks the shape in `value`; `given`: required members the pipeline fills in."""
    value = _concrete(value, defaults)
    if value is _UNKNOWN:
        return
    rules = shape(shape_name)
    kind = rules.get("type")
    if kind == "structure":
        yield from _structure(value, rules, path, defaults, given)
    elif kind == "list":
        if not isinstance(value, list):
            yield _Found(path, value, f"takes a list in {path}, not {_kind(value)}")
            return
        yield from _size(value, rules, path, "items")
        for index, item in enumerate(value):
            yield from _check(item, rules["member"]["shape"], f"{path}[{index}]", defaults)
    elif kind == "map":
        if not isinstance(value, dict):
            yield _Found(path, value, f"takes key-value pairs in {path}, not {_kind(value)}")
            return
        yield from _size(value, rules, path, "entries")
        for key, item in value.items():
            yield from _check(key, rules["key"]["shape"], f"{path} (a key)", defaults)
            yield from _check(item, rules["value"]["shape"], f"{path}.{key}", defaults)
    elif kind == "string":
        yield from _string(value, rules, path)
    elif kind in ("integer", "long", "float", "double"):
        yield from _number(value, rules, path, kind)
    elif kind == "boolean" and not isinstance(value, bool):
        yield _Found(path, value, f"takes true or false in {path}, not {value!r}")


def _structure(
    value: Any, rules: dict, path: str, defaults: Mapping, given: frozenset[str]
) -> Iterator[_Found]:
    if not isinstance(value, dict):
        yield _Found(path, value, f"takes a group of settings in {path}, not {_kind(value)}")
        return
    for member in rules.get("required", []):
        if member not in value and member not in given:
            yield _Found(_join(path, member), None, f"needs {_join(path, member)}")
    members = rules.get("members", {})
    for name, item in value.items():
        if name not in members:
            yield _Found(_join(path, name), item, f"has no member {_join(path, name)}")
        else:
            yield from _check(item, members[name]["shape"], _join(path, name), defaults)


def _size(value: list | dict, rules: dict, path: str, what: str) -> Iterator[_Found]:
    low, high = rules.get("min"), rules.get("max")
    if high is not None and len(value) > high:
        yield _Found(
            path, value, f"takes at most {high} {what} in {path}; this step gives {len(value)}"
        )
    if low is not None and len(value) < low:
        yield _Found(
            path, value, f"takes at least {low} {what} in {path}; this step gives {len(value)}"
        )


def _string(value: Any, rules: dict, path: str) -> Iterator[_Found]:
    if not isinstance(value, str):
        yield _Found(path, value, f"takes text in {path}, not {_kind(value)}")
        return
    low, high = rules.get("min"), rules.get("max")
    if high is not None and len(value) > high:
        yield _Found(
            path, value, f"takes at most {high} characters in {path}; this value has {len(value)}"
        )
    elif low is not None and len(value) < low:
        yield _Found(path, value, f"takes at least {low} character(s) in {path}")
    elif rules.get("enum") and value not in rules["enum"]:
        choices = ", ".join(rules["enum"][:8]) + (", ..." if len(rules["enum"]) > 8 else "")
        yield _Found(path, value, f"takes one of {choices} in {path}, not {_shown(value)}")
    elif (pattern := _pattern(rules.get("pattern"))) and not pattern.fullmatch(value):
        yield _Found(
            path, value, f"needs {path} to match {rules['pattern']}; {_shown(value)} does not"
        )


def _number(value: Any, rules: dict, path: str, kind: str) -> Iterator[_Found]:
    whole = kind in ("integer", "long")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
    ):
        what = "a whole number" if whole else "a number"
        yield _Found(path, value, f"takes {what} in {path}, not {_shown(value)}")
        return
    low, high = rules.get("min"), rules.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (
            f"from {low} to {high}"
            if low is not None and high is not None
            else (f"at least {low}" if low is not None else f"at most {high}")
        )
        yield _Found(path, value, f"takes {path} {bounds}, not {value}")


# -- values --------------------------------------------------------------------------------
def _concrete(value: Any, defaults: Mapping) -> Any:
    """The value, a parameter's default for a reference to it, or _UNKNOWN for what only a
    run knows (a step's property, a Join, a JSON file's value)."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _EXPRESSIONS:
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Parameters."):
            return defaults.get(reference.split(".", 1)[1], _UNKNOWN)
        return _UNKNOWN
    return value


@functools.cache
def _pattern(text: str | None) -> Any:
    """The shape's pattern as Java reads it (\\p{L} and the like), or None: the `regex`
    module reads those classes; a pattern it cannot read is not checked."""
    import regex

    if not text:
        return None
    try:
        return regex.compile(text)
    except regex.error:
        return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind(value: Any) -> str:
    return {dict: "a group", list: "a list", str: "text"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- which field it comes from -------------------------------------------------------------
def _field_of(value: Any, values: Mapping[str, Any], where: str) -> str | None:
    """The config field (dotted path) whose value the offending value is, holds, or is made
    of; None when no field's value shows in it (a value the builder made). Among fields
    holding the same value, the one under the same key or index as `where` in the request."""
    if value is None:
        return None
    leaves = list(_leaves(values, ""))
    if isinstance(value, list | dict):
        return _collection_field(value, leaves)
    equal = [path for path, leaf in leaves if leaf == value and not isinstance(leaf, bool)]
    if equal:
        last = where.replace("[", ".").rstrip("]").rsplit(".", 1)[-1]
        return next((path for path in equal if path.rsplit(".", 1)[-1] == last), equal[0])
    keys = [path for path, leaf in leaves if isinstance(leaf, dict) and value in leaf]
    if keys:
        return keys[0]
    if isinstance(value, str):  # made of a field's text (an S3 URI from the bucket, ...)
        inside = [(len(leaf), path) for path, leaf in leaves if isinstance(leaf, str)
                  and len(leaf) >= 4 and leaf in value]  # fmt: skip
        if inside:
            return max(inside)[1]
    return None


def _collection_field(value: list | dict, leaves: list[tuple[str, Any]]) -> str | None:
    """The list or key-value field sharing the most names with the offending collection:
    its items, its keys, or its items' names (InputName, OutputName)."""
    names = set(_names(value))
    best, shared = None, 0
    for path, leaf in leaves:
        if isinstance(leaf, list | dict):
            common = len(names & set(_names(leaf)))
            if common > shared:
                best, shared = path, common
    return best


def _names(collection: list | dict) -> Iterator[str]:
    items = collection.keys() if isinstance(collection, dict) else collection
    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (v for k, v in item.items() if k.endswith("Name") and isinstance(v, str))


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every value in a config's values, collections included."""
    if path:
        yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, _join(path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, _join(path, str(index)))
