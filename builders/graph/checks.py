"""Checks of a whole pipeline design, each returning named errors instead of raising them.

The template raises the first error it meets; `validate` and the designer report them all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from builders.configs.api_rules import string_problem
from builders.errors import (
    ConfigValidationError,
    CycleError,
    MissingConfigError,
    PipelineDesignError,
    Problem,
    UnknownNodeError,
)
from builders.graph.cross_checks import cross_node_problems
from builders.graph.dag import PipelineDAG
from builders.graph.validation import validate_config
from builders.graph.wiring import Wire, resolve_wiring
from builders.registry import REGISTRY, StepRegistry, StepType

# SageMaker step names: letters, digits, - and _; model steps append "-RegisterModel".
NODE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,49}")


def node_name_errors(nodes: list[str]) -> list[PipelineDesignError]:
    return [
        PipelineDesignError(
            "Rename this node: a step name has 1 to 50 letters, digits, '-' or '_', starting "
            "with a letter or digit.",
            node=node,
        )
        for node in nodes
        if not NODE_NAME.fullmatch(node)
    ]


def graph_errors(dag: PipelineDAG, configured: list[str]) -> list[PipelineDesignError]:
    """A cycle, nodes without a config, configs without a node."""
    errors: list[PipelineDesignError] = []
    cycle = dag.find_cycle()
    if cycle:
        errors.append(CycleError(cycle))
    errors += [
        MissingConfigError(
            f"Node '{node}' has no config. Give it one (its Config class decides its step type).",
            node=node,
        )
        for node in dag.nodes
        if node not in configured
    ]
    errors += [
        UnknownNodeError(
            f"There is a config for '{node}', but the DAG has no such node. Add the node to "
            "the DAG or remove its config.",
            node=node,
        )
        for node in configured
        if node not in dag
    ]
    return errors


def _named(regions: Mapping[str, Any]) -> dict[str, str]:
    """The regions given as text: another type (a list, say) is its own node's problem."""
    return {node: region for node, region in regions.items() if isinstance(region, str) and region}


def region_errors(regions: Mapping[str, Any]) -> list[PipelineDesignError]:
    """A pipeline runs in one region: nodes that disagree with the majority are errors."""
    regions = _named(regions)
    if len(set(regions.values())) < 2:
        return []
    region = majority_region(regions)
    problems = [
        Problem(
            f"All steps of a pipeline run in one region; this one says {value} and the "
            f"others {region}.",
            node=node,
            field="region",
            code="conflict",
        )
        for node, value in regions.items()
        if value != region
    ]
    return [ConfigValidationError(problems)]


def majority_region(regions: Mapping[str, Any]) -> str | None:
    counts = Counter(_named(regions).values())
    return counts.most_common(1)[0][0] if counts else None


def check_and_wire(
    dag: PipelineDAG,
    classes: Mapping[str, type[BaseModel]],
    values: Mapping[str, Mapping[str, Any]],
    registry: StepRegistry = REGISTRY,
) -> tuple[list[Problem], list[Wire]]:
    """Every problem of a design (graph, names, each node's values, region, wiring and what
    connected nodes declare), and the wires it resolved (none while there is a cycle)."""
    errors = graph_errors(dag, list(classes)) + node_name_errors(dag.nodes)
    cyclic = any(isinstance(error, CycleError) for error in errors)  # searched once (~0.4 ms)
    problems = [problem for error in errors for problem in error.problems]
    configs = {}
    for node, config_class in classes.items():
        config, node_problems = validate_config(config_class, values.get(node, {}), node)
        problems += node_problems
        if config is not None:
            configs[node] = config
    regions = {
        node: values.get(node, {}).get("region", cls.model_fields["region"].default)
        for node, cls in classes.items()
        if "region" in cls.model_fields
    }
    problems += [p for error in region_errors(regions) for p in error.problems]
    if cyclic:
        return problems, []
    step_types: dict[str, StepType] = {
        node: registry.for_config(cls, node=node).bound(values.get(node, {}))
        for node, cls in classes.items()
        if node in dag
    }

    def field_value(node: str, field: str) -> Any:
        return values.get(node, {}).get(field)

    wires, wiring = resolve_wiring(dag, step_types, field_value, registry)
    problems += [problem for error in wiring for problem in error.problems]
    problems += cross_node_problems(dag, configs, wires)
    return problems, wires


def pipeline_name_errors(name: str) -> list[PipelineDesignError]:
    """A pipeline name SageMaker accepts (its API's PipelineName rule), or why not."""
    problem = string_problem("PipelineName", name)
    if problem is None:
        return []
    shown = name if len(name) <= 80 else name[:80] + "..."
    return [
        PipelineDesignError(
            f"The pipeline name '{shown}' {problem}: up to 256 letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
            field="name",
        )
    ]
