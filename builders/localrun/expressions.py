"""The expressions of a pipeline definition: `Get`, `Std:Join`, `Std:JsonGet`, and conditions.

A definition's arguments are plain JSON in which some values are expressions the SDK wrote:
`{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}`, `{"Get": "Parameters.Threshold"}`,
`{"Get": "Execution.PipelineExecutionId"}`, `{"Std:Join": {"On": "/", "Values": [...]}}` and
`{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"}, "Path": "a.b"}}`.
`resolve` replaces each by its value, asking a `Scope` for what only the run knows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Protocol

from builders.localrun.errors import DefinitionError

# One step of a property path: `.Name`, `['name']`, `["name"]` or `[0]`.
_TOKEN = re.compile(
    r"""\.?([A-Za-z0-9_\-]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]"""
)


class Scope(Protocol):
    """What an expression needs from the run that evaluates it."""

    def parameter(self, name: str) -> Any: ...

    def execution_variable(self, name: str) -> Any: ...

    def step_property(self, step: str, path: list[str | int]) -> Any: ...

    def json_file(self, step: str | None, property_file: str | None, s3_uri: str | None) -> Any: ...


def parse_path(text: str) -> list[str | int]:
    """`Outputs['data'].S3Output.S3Uri` -> ["Outputs", "data", "S3Output", "S3Uri"].

    A leading `$` (JSON path root) is dropped; a bracketed number becomes an int.
    """
    text = text.strip()
    if text.startswith("$"):
        text = text[1:]
    tokens: list[str | int] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise DefinitionError(f"Cannot read the path '{text}' at '{text[position:]}'.")
        name, single, double, index = match.groups()
        tokens.append(int(index) if index is not None else name or single or double or "")
        position = match.end()
    return tokens


def walk(value: Any, path: list[str | int], what: str) -> Any:
    """Follow `path` into `value`; a string index into a list picks the item of that name.

    SageMaker's property lists are indexed by their members' names: `Outputs['data']` is the
    output whose OutputName is "data", `FinalMetricDataList['auc']` the metric named "auc".
    """
    for depth, token in enumerate(path):
        if (isinstance(value, dict) and isinstance(token, str) and token in value) or (
            isinstance(value, list) and isinstance(token, int) and token < len(value)
        ):
            value = value[token]
        elif isinstance(value, list) and isinstance(token, str):
            value = _named_item(value, token, what, path[: depth + 1])
        else:
            shown = ".".join(str(part) for part in path[: depth + 1])
            raise DefinitionError(f"{what} has no '{shown}'.")
    return value


def _named_item(items: list, name: str, what: str, path: list) -> Any:
    for item in items:
        if isinstance(item, dict) and any(
            key.endswith("Name") and value == name for key, value in item.items()
        ):
            return item
    shown = ".".join(str(part) for part in path)
    raise DefinitionError(f"{what} has no item named '{name}' at '{shown}'.")


def resolve(value: Any, scope: Scope) -> Any:
    """`value` with every expression in it replaced by its value."""
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, body),) = value.items()
        if key == "Get":
            return _get(body, scope)
        if key == "Std:Join":
            return _join(body, scope)
        if key == "Std:JsonGet":
            return _json_get(body, scope)
    return {key: resolve(item, scope) for key, item in value.items()}


def _get(reference: Any, scope: Scope) -> Any:
    if not isinstance(reference, str):
        raise DefinitionError(f"A Get expression names {reference!r}; it must be a string.")
    root, _, rest = reference.partition(".")
    if root == "Parameters" and rest:
        return scope.parameter(rest)
    if root == "Execution" and rest:
        return scope.execution_variable(rest)
    if root == "Steps" and rest:
        step, _, path = rest.partition(".")
        return scope.step_property(step, parse_path(path) if path else [])
    raise DefinitionError(
        f"Cannot resolve {{'Get': '{reference}'}}: only Steps., Parameters. and Execution. "
        "references exist."
    )


def _join(body: Any, scope: Scope) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("Values"), list):
        raise DefinitionError(f"A Std:Join needs 'On' and a list of 'Values': {body!r}.")
    on = to_text(resolve(body.get("On", ""), scope))
    return on.join(to_text(resolve(item, scope)) for item in body["Values"])


def _json_get(body: Any, scope: Scope) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("Path"), str):
        raise DefinitionError(f"A Std:JsonGet needs a 'Path': {body!r}.")
    if "PropertyFile" in body:
        reference = body["PropertyFile"]
        target = reference.get("Get", "") if isinstance(reference, dict) else reference
        parts = str(target).split(".")
        if len(parts) != 4 or parts[0] != "Steps" or parts[2] != "PropertyFiles":
            raise DefinitionError(
                f"A Std:JsonGet names the property file {reference!r}; expected "
                "Steps.<step>.PropertyFiles.<name>."
            )
        document = scope.json_file(parts[1], parts[3], None)
    elif "S3Uri" in body:
        document = scope.json_file(None, None, to_text(resolve(body["S3Uri"], scope)))
    else:
        raise DefinitionError(f"A Std:JsonGet needs a PropertyFile or an S3Uri: {body!r}.")
    return walk(document, parse_path(body["Path"]), f"The JSON file read by {body!r}")


def to_text(value: Any) -> str:
    """A value as Std:Join writes it: JSON spelling for booleans and null, numbers as-is."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True)


def step_references(value: Any) -> Iterator[str]:
    """The names of the steps that `value`'s expressions read from."""
    if isinstance(value, list):
        for item in value:
            yield from step_references(item)
    elif isinstance(value, dict):
        reference = value.get("Get") if len(value) == 1 else None
        if isinstance(reference, str) and reference.startswith("Steps."):
            yield reference.split(".")[1]
            return
        for item in value.values():
            yield from step_references(item)


# -- conditions ---------------------------------------------------------------------------
_COMPARISONS = {
    "Equals": lambda left, right: left == right,
    "GreaterThan": lambda left, right: left > right,
    "GreaterThanOrEqualTo": lambda left, right: left >= right,
    "LessThan": lambda left, right: left < right,
    "LessThanOrEqualTo": lambda left, right: left <= right,
}


def condition_holds(condition: dict, scope: Scope) -> bool:
    """Whether one condition of a Condition step holds (all of a step's conditions must)."""
    kind = condition.get("Type")
    if kind in _COMPARISONS:
        left = resolve(condition.get("LeftValue"), scope)
        right = resolve(condition.get("RightValue"), scope)
        return _compare(kind, left, right)
    if kind == "In":
        query = resolve(condition.get("QueryValue"), scope)
        values = resolve(condition.get("Values") or [], scope)
        return any(_compare("Equals", query, value) for value in values)
    if kind == "Not":
        inner = condition.get("Condition") or condition.get("Expression")
        if not isinstance(inner, dict):
            raise DefinitionError(f"A Not condition needs a 'Condition': {condition!r}.")
        return not condition_holds(inner, scope)
    if kind == "Or":
        return any(condition_holds(inner, scope) for inner in condition.get("Conditions") or [])
    raise DefinitionError(f"Unknown condition type {kind!r} in {condition!r}.")


def _compare(kind: str, left: Any, right: Any) -> bool:
    left, right = _comparable(left), _comparable(right)
    try:
        return bool(_COMPARISONS[kind](left, right))
    except TypeError:
        raise DefinitionError(
            f"Cannot compare {left!r} with {right!r} ({kind}): one is a number, the other not."
        ) from None


def _comparable(value: Any) -> Any:
    """Numbers stay numbers; numeric text (a JSON file's "0.91") becomes a number."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    try:
        return float(value)
    except ValueError:
        return value


# -- a condition's outcome in words -------------------------------------------------------------
_SYMBOLS = {
    "Equals": ("==", "!="),
    "GreaterThan": (">", "<="),
    "GreaterThanOrEqualTo": (">=", "<"),
    "LessThan": ("<", ">="),
    "LessThanOrEqualTo": ("<=", ">"),
}


def condition_outcome(conditions: list[dict], scope: Scope) -> tuple[bool, str]:
    """Whether all `conditions` hold, and in words: 'AUC 0.935 >= 0.75: if branch' (each
    comparison with the operator that is true of its values)."""
    parts, holds = [], True
    for condition in conditions:
        held = condition_holds(condition, scope)
        holds = holds and held
        parts.append(_in_words(condition, scope, held))
    return holds, f"{' and '.join(parts)}: {'if' if holds else 'else'} branch"


def _in_words(condition: dict, scope: Scope, held: bool) -> str:
    kind = condition.get("Type")
    inner = condition.get("Condition") or condition.get("Expression")
    if kind == "Not" and isinstance(inner, dict) and inner.get("Type") in _SYMBOLS:
        condition, held = inner, not held
        kind = inner["Type"]
    if kind not in _SYMBOLS:
        return f"{kind} {'holds' if held else 'does not hold'}"
    left, right = condition.get("LeftValue"), condition.get("RightValue")
    symbol = _SYMBOLS[kind][0 if held else 1]
    shown = " ".join(
        filter(None, [_label(left), _number(resolve(left, scope)), symbol])
    )  # the right side's value only: "AUC 0.91 >= 0.8"
    return f"{shown} {_number(resolve(right, scope))}"


def _label(value: Any) -> str:
    """What a compared value is: a metric of a JSON file ('AUC'), a parameter's name."""
    if isinstance(value, dict) and isinstance(value.get("Std:JsonGet"), dict):
        path = str(value["Std:JsonGet"].get("Path", "")).removeprefix("$.").split(".")
        parts = [p for p in path if p not in ("metrics", "value")] or path
        name = parts[-1]
        return name.upper() if len(name) <= 4 else name
    if isinstance(value, dict) and str(value.get("Get", "")).startswith("Parameters."):
        return value["Get"].split(".", 1)[1]
    return ""


def _number(value: Any) -> str:
    value = _comparable(value)
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    return to_text(value)
