"""Compile a design (DAG + configs) to a SageMaker pipeline definition, offline."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from builders.compiling.api_requests import request_problems
from builders.compiling.staging import StagedObject
from builders.compiling.template import PipelineBuilderTemplate
from builders.configs.parameters import PipelineParameter
from builders.errors import ConfigValidationError
from builders.graph.dag import PipelineDAG
from builders.graph.wiring import Wire
from builders.registry import REGISTRY, StepRegistry


@dataclass(frozen=True)
class CompiledPipeline:
    """A pipeline definition and what deploying it needs."""

    name: str
    definition_json: str
    staged_objects: tuple[StagedObject, ...]
    wires: tuple[Wire, ...]
    # What deploy does after staging and before upserting, in order: callables taking
    # (target, client, progress), where client(service) is a bounded client of the target,
    # with a `stage` naming them (a Lambda function a builder deploys from its code folder).
    deploy_actions: tuple[Any, ...] = ()

    @cached_property
    def definition(self) -> dict[str, Any]:
        return json.loads(self.definition_json)

    @property
    def step_names(self) -> list[str]:
        """Every step's name, a condition's branch steps after the condition."""
        return list(_names(self.definition["Steps"]))


def _names(steps: list[dict[str, Any]]):
    for step in steps:
        yield step["Name"]
        arguments = step.get("Arguments") or {}
        if step.get("Type") == "Condition":
            yield from _names(arguments.get("IfSteps", []) + arguments.get("ElseSteps", []))


def compile_pipeline(
    dag: PipelineDAG,
    config_map: Mapping[str, BaseModel],
    *,
    name: str | None = None,
    base_dir: str | Path | None = None,
    registry: StepRegistry = REGISTRY,
    parameters: Sequence[PipelineParameter] = (),
) -> CompiledPipeline:
    """Build the pipeline and its definition JSON without any network access; fields bound
    to `parameters` read {"Get": "Parameters.<name>"} in the definition. A definition whose
    steps SageMaker's API would refuse (its request shapes, api_requests) raises
    ConfigValidationError naming each node and field."""
    template = PipelineBuilderTemplate(
        dag, config_map, registry=registry, base_dir=base_dir, parameters=parameters
    )
    definition = template.definition(name)
    compiled = CompiledPipeline(
        name=name or template.pipeline_name,
        definition_json=definition,
        staged_objects=tuple(template.staged_objects),
        wires=tuple(template.wires),
        deploy_actions=tuple(template.deploy_actions),
    )
    problems = request_problems(compiled.definition, config_map)
    if problems:
        raise ConfigValidationError(problems)
    return compiled
