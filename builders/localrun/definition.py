"""Read a pipeline definition (the JSON the SDK writes) into steps, dependencies and parameters.

Steps nested in a Condition step's IfSteps and ElseSteps become steps of their own that depend
on the condition and remember which branch they are on. A step depends on the steps named in
its DependsOn and on every step its arguments read from (`Get` and property files), so the
order never needs DependsOn to be complete.
"""

from __future__ import annotations

import graphlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from builders.localrun.errors import DefinitionError, ParameterError
from builders.localrun.expressions import step_references

STEP_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # SageMaker's rule; names become folder names
PARAMETER_TYPES = ("String", "Integer", "Float", "Boolean")


@dataclass(frozen=True)
class Branch:
    """A step on a condition's branch runs only when the condition's outcome is `when`."""

    condition: str
    when: bool


@dataclass(frozen=True)
class StepSpec:
    name: str
    type: str
    arguments: dict[str, Any]
    upstream: frozenset[str]
    branch: Branch | None = None
    cache_config: dict[str, Any] = field(default_factory=dict)
    retry_policies: tuple[dict[str, Any], ...] = ()
    property_files: tuple[dict[str, Any], ...] = ()
    # The step's other fields, by kind of step: a Lambda step's FunctionArn and
    # OutputParameters, a callback step's queue, ...
    details: dict[str, Any] = field(default_factory=dict)


_READ = ("Name", "Type", "Arguments", "DependsOn", "CacheConfig", "RetryPolicies", "PropertyFiles")


@dataclass(frozen=True)
class PipelineSpec:
    """The steps in a dependency order, and the declared parameters by name."""

    steps: dict[str, StepSpec]
    parameters: dict[str, dict[str, Any]]

    @property
    def order(self) -> list[str]:
        return list(self.steps)

    def downstream(self, names: set[str]) -> set[str]:
        """`names` and every step that depends on them, directly or not."""
        found = set(names)
        for step in self.steps.values():  # dependency order: parents are seen first
            if step.upstream & found:
                found.add(step.name)
        return found


def parse_definition(definition: str | dict[str, Any]) -> PipelineSpec:
    """The definition's steps in dependency order; a DefinitionError says what is wrong."""
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except json.JSONDecodeError as error:
            raise DefinitionError(f"The pipeline definition is not JSON: {error}.") from None
    if not isinstance(definition, dict) or not isinstance(definition.get("Steps"), list):
        raise DefinitionError("The pipeline definition has no list of Steps.")
    steps: dict[str, StepSpec] = {}
    for raw in definition["Steps"]:
        _collect(raw, None, steps)
    _check_references(steps)
    return PipelineSpec(_in_order(steps), _parameters(definition.get("Parameters") or []))


def _collect(raw: Any, branch: Branch | None, steps: dict[str, StepSpec]) -> None:
    if not isinstance(raw, dict) or not isinstance(raw.get("Name"), str):
        raise DefinitionError(f"A step of the definition has no Name: {str(raw)[:200]}.")
    name = raw["Name"]
    if not STEP_NAME.fullmatch(name):
        raise DefinitionError(
            f"The step name '{name[:80]}' is not a SageMaker step name (1 to 64 letters, "
            "digits, '-' or '_').",
            node=name[:80],
        )
    if name in steps:
        raise DefinitionError(f"Two steps are named '{name}'.", node=name)
    arguments = raw.get("Arguments") or {}
    kind = str(raw.get("Type", ""))
    # A condition reads only its conditions; its branches' arguments belong to their steps.
    read = arguments.get("Conditions") if kind == "Condition" else arguments
    upstream = set(raw.get("DependsOn") or []) | set(step_references(read))
    if branch:
        upstream.add(branch.condition)
    steps[name] = StepSpec(
        name=name,
        type=kind,
        arguments=arguments,
        upstream=frozenset(upstream),
        branch=branch,
        cache_config=dict(raw.get("CacheConfig") or {}),
        retry_policies=tuple(raw.get("RetryPolicies") or ()),
        property_files=tuple(raw.get("PropertyFiles") or ()),
        details={key: value for key, value in raw.items() if key not in _READ},
    )
    if kind == "Condition":
        for key, when in (("IfSteps", True), ("ElseSteps", False)):
            for nested in arguments.get(key) or []:
                _collect(nested, Branch(name, when), steps)


def _check_references(steps: dict[str, StepSpec]) -> None:
    for step in steps.values():
        unknown = sorted(step.upstream - set(steps))
        if unknown:
            raise DefinitionError(
                f"Step '{step.name}' depends on or reads from {', '.join(unknown)}, which the "
                "definition does not have.",
                node=step.name,
            )


def _in_order(steps: dict[str, StepSpec]) -> dict[str, StepSpec]:
    sorter = graphlib.TopologicalSorter({name: step.upstream for name, step in steps.items()})
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise DefinitionError(f"The steps depend on each other in a cycle ({cycle}).") from None
    return {name: steps[name] for name in order}


def _parameters(declared: list[Any]) -> dict[str, dict[str, Any]]:
    parameters = {}
    for item in declared:
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            raise DefinitionError(f"A parameter of the definition has no Name: {item!r}.")
        if item.get("Type", "String") not in PARAMETER_TYPES:
            raise DefinitionError(
                f"Parameter '{item['Name']}' has the type {item.get('Type')!r}; the types are "
                f"{', '.join(PARAMETER_TYPES)}."
            )
        parameters[item["Name"]] = item
    return parameters


def parameter_values(spec: PipelineSpec, given: dict[str, Any] | None) -> dict[str, Any]:
    """Every declared parameter's value: the one given (converted to its type) or its default."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(spec.parameters))
    if unknown:
        declared = ", ".join(spec.parameters) or "none"
        raise ParameterError(
            f"The pipeline has no parameter {', '.join(unknown)} (its parameters: {declared})."
        )
    values = {}
    for name, declared in spec.parameters.items():
        kind = declared.get("Type", "String")
        if name in given:
            values[name] = _typed(name, kind, given[name])
        elif "DefaultValue" in declared:
            values[name] = _typed(name, kind, declared["DefaultValue"])
        else:
            raise ParameterError(f"Parameter '{name}' has no default value: give it a value.")
    return values


def _typed(name: str, kind: str, value: Any) -> Any:
    try:
        if kind == "Integer":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if kind == "Float":
            return float(value)
        if kind == "Boolean":
            return _boolean(value)
        return value if isinstance(value, str) else json.dumps(value)
    except (TypeError, ValueError):
        raise ParameterError(
            f"Parameter '{name}' is {kind}; {value!r} is not a value of that type."
        ) from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise ValueError(value)
