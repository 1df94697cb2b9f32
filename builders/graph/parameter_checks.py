"""Checks of a design's pipeline parameters: names, bindings, types and defaults.

A bound field holds its parameter's default, so a bad default would also show as a bad value
of each bound field; `check_with_parameters` reports it once, as the parameter's problem on
that field, naming the parameter, so the user knows where to change it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from builders.configs.parameters import (
    PipelineParameter,
    binding_refusal,
    field_value,
    name_problem,
    parameter_type,
    parse_value,
    spec_of,
    type_problem,
    with_parameters,
)
from builders.errors import ConfigValidationError, Problem
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG
from builders.graph.validation import validate_config
from builders.graph.wiring import Wire
from builders.registry import REGISTRY, StepRegistry


def check_with_parameters(
    dag: PipelineDAG,
    classes: Mapping[str, type[BaseModel]],
    values: Mapping[str, Mapping[str, Any]],
    parameters: Sequence[PipelineParameter],
    registry: StepRegistry = REGISTRY,
) -> tuple[list[Problem], list[Wire]]:
    """check_and_wire on the values with the parameters' defaults, and the parameters' own
    problems (a bad default once, as the parameter's)."""
    bound = {
        node: with_parameters(values.get(node, {}), node, cls, parameters)
        for node, cls in classes.items()
    }
    problems, wires = check_and_wire(dag, classes, bound, registry)
    own = parameter_problems(parameters, classes, values)
    covered = {(p.node, p.field) for p in own if p.field}
    kept = [p for p in problems if (p.node, (p.field or "").split(".")[0]) not in covered]
    return kept + own, wires


def parameter_problems(
    parameters: Sequence[PipelineParameter],
    classes: Mapping[str, type[BaseModel]],
    values: Mapping[str, Mapping[str, Any]],
) -> list[Problem]:
    counts = Counter(p.name for p in parameters)
    problems = [
        Problem(f"Two parameters are named '{name}'. Rename one.", code="duplicate")
        for name, count in counts.items()
        if count > 1
    ]
    owners: dict[tuple[str, str], str] = {}
    for parameter in parameters:
        problems += _own_problems(parameter)
        for binding in parameter.bindings:
            key = (binding.node, binding.field)
            if key in owners and owners[key] != parameter.name:
                problems.append(
                    Problem(
                        f"is bound to two parameters, '{owners[key]}' and '{parameter.name}'. "
                        "Unbind one.",
                        *key,
                        code="conflict",
                    )
                )
            owners.setdefault(key, parameter.name)
            problems += _binding_problems(parameter, binding.node, binding.field, classes, values)
    return problems


def _own_problems(parameter: PipelineParameter) -> list[Problem]:
    problems = []
    named = name_problem(parameter.name)
    if named:
        problems.append(Problem(named))
    if not parameter.bindings:
        problems.append(
            Problem(
                f"Parameter '{parameter.name}' is bound to no field: the pipeline declares it, "
                "but no step uses it. Bind it to a field or remove it.",
                code="unused",
            )
        )
    wrong = type_problem(parameter.type, parameter.default)
    if wrong and not parameter.bindings:  # else reported on each bound field
        problems.append(
            Problem(
                f"Parameter '{parameter.name}' has the default {parameter.default!r}, which "
                f"{wrong}. Give it a default of its type."
            )
        )
    return problems


def _binding_problems(
    parameter: PipelineParameter,
    node: str,
    field: str,
    classes: Mapping[str, type[BaseModel]],
    values: Mapping[str, Mapping[str, Any]],
) -> list[Problem]:
    name = parameter.name
    if node not in classes:
        return [
            Problem(
                f"Parameter '{name}' is bound to '{node}', which is not a step of this pipeline. "
                "Unbind it.",
                code="unknown_node",
            )
        ]
    config_class = classes[node]
    refusal = binding_refusal(config_class, field)
    if refusal:
        return [Problem(f"{refusal} Unbind parameter '{name}'.", node, field)]
    expected = parameter_type(spec_of(config_class, field))
    if expected != parameter.type:
        return [
            Problem(
                f"is bound to parameter '{name}', which is {parameter.type}; this field takes "
                f"{expected} values. Bind a {expected} parameter instead.",
                node,
                field,
            )
        ]
    refused = type_problem(parameter.type, parameter.default) or field_problem(
        config_class, values.get(node, {}), field, parameter.default
    )
    if refused:
        return [
            Problem(
                f"takes its value from parameter '{name}', whose default {parameter.default!r} "
                f"{refused}. Change the parameter's default.",
                node,
                field,
            )
        ]
    return []


def start_values(
    parameters: Sequence[PipelineParameter],
    given: Mapping[str, str],
    classes: Mapping[str, type[BaseModel]],
    values: Mapping[str, Mapping[str, Any]],
) -> dict[str, str]:
    """The values an execution starts with (name -> text as SageMaker takes it), each checked
    by its type and by the rules of every field it is bound to; ConfigValidationError
    naming the parameter and the rule otherwise."""
    declared = {p.name: p for p in parameters}
    problems, started = [], {}
    for name, text in given.items():
        parameter = declared.get(name)
        if parameter is None:
            known = ", ".join(declared) or "none"
            problems.append(
                Problem(f"There is no parameter '{name}'. The pipeline's parameters: {known}.")
            )
            continue
        try:
            value = parse_value(parameter.type, text)
        except ValueError as error:
            problems.append(Problem(f"Parameter '{name}' {error}."))
            continue
        problems += _value_problems(parameter, value, classes, values)
        started[name] = json.dumps(value) if isinstance(value, bool) else str(value)
    if problems:
        raise ConfigValidationError(problems)
    return started


def _value_problems(parameter, value, classes, values) -> list[Problem]:
    problems = []
    for binding in parameter.bindings:
        if binding.node not in classes:
            continue  # reported by parameter_problems
        refused = field_problem(
            classes[binding.node], values.get(binding.node, {}), binding.field, value
        )
        if refused:
            problems.append(
                Problem(
                    f"Parameter '{parameter.name}' cannot be {value!r}: this field {refused}.",
                    binding.node,
                    binding.field,
                )
            )
    return problems


def field_problem(
    config_class: type[BaseModel], values: Mapping[str, Any], field: str, value: Any
) -> str | None:
    """What the field's own rules (and its step's rules about it) say against `value`."""
    spec = spec_of(config_class, field)
    trial = {**values, field: field_value(spec, value) if spec else value}
    _, problems = validate_config(config_class, trial)
    messages = [p.message for p in problems if (p.field or "").split(".")[0] == field]
    return "; ".join(messages) or None
