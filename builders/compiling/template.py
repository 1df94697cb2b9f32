"""PipelineBuilderTemplate: a DAG, a config per node and a builder per step type -> Pipeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from builders.compiling.sagemaker_env import offline_build, pipeline_session
from builders.compiling.sdk import backend
from builders.compiling.staging import CodeStager, StagedObject
from builders.configs.parameters import PipelineParameter
from builders.errors import (
    ConfigValidationError,
    PipelineDesignError,
    StepBuildError,
    UnknownStepTypeError,
)
from builders.fileio import write_failure
from builders.graph.branches import conditions_of
from builders.graph.checks import (
    graph_errors,
    majority_region,
    node_name_errors,
    pipeline_name_errors,
    region_errors,
)
from builders.graph.cross_checks import cross_node_problems
from builders.graph.dag import PipelineDAG
from builders.graph.wiring import Wire, resolve_wiring
from builders.registry import REGISTRY, StepRegistry, StepType


class PipelineBuilderTemplate:
    """Builds the SDK's Pipeline from a design, offline (docs/architecture.md).

    Every check that needs no SageMaker SDK happens here, at construction: each node has a
    config of a registered step type, a builder, one region, no cycle, every input resolved.
    """

    def __init__(
        self,
        dag: PipelineDAG,
        config_map: Mapping[str, BaseModel],
        step_builder_map: Mapping[str, type] | None = None,
        sagemaker_session: Any = None,
        role: str | None = None,
        *,
        registry: StepRegistry = REGISTRY,
        base_dir: str | Path | None = None,
        parameters: Sequence[PipelineParameter] = (),
    ):
        self.dag = dag
        self.config_map = dict(config_map)
        self.parameters = tuple(parameters)  # bound fields read as the SDK's Parameters
        self.registry = registry
        self.role = role
        self.order = dag.topological_order()
        self.step_types = self._step_types()
        self.step_builder_map = dict(step_builder_map or {})
        self._check_builders()
        self.region = _one_region(self.config_map, self.order)
        self.sagemaker_session = sagemaker_session
        self.stager = CodeStager(base_dir)
        self.wires = self._resolve_wiring()
        self.conditions = conditions_of(self.config_map, registry)  # node -> its "if" children
        self.deploy_actions: list[Any] = []  # of the last generation, from the builders
        self._wires_into: dict[str, list[Wire]] = {node: [] for node in self.order}
        for wire in self.wires:
            self._wires_into[wire.consumer].append(wire)

    def generate_pipeline(self, name: str | None = None) -> Any:
        """The Pipeline; its steps follow the DAG, each output wired to its consumers."""
        _check_name(name)
        with offline_build(self.region):
            return self._generate(name)

    def definition(self, name: str | None = None) -> str:
        """The pipeline definition JSON, built and serialized under one offline build."""
        _check_name(name)
        with offline_build(self.region):
            pipeline = self._generate(name)
            try:
                return pipeline.definition()
            except (ValueError, TypeError) as error:
                raise StepBuildError(f"SageMaker could not write the definition: {error}") from None
            except OSError as error:  # SDK 3 writes its training drivers to a temporary folder
                raise StepBuildError(
                    f"SageMaker could not write its temporary files: {write_failure(error)}."
                ) from None

    @property
    def pipeline_name(self) -> str:
        return self.config_map[self.order[0]].pipeline_name

    @property
    def staged_objects(self) -> list[StagedObject]:
        """What deploy must upload: local code and settings, known after generation."""
        return self.stager.objects

    # -- checks ---------------------------------------------------------------------------
    def _step_types(self) -> dict[str, StepType]:
        errors = graph_errors(self.dag, list(self.config_map)) + node_name_errors(self.dag.nodes)
        if errors:
            raise errors[0]
        return {
            node: self.registry.for_config(config, node=node).bound(config.model_dump())
            for node, config in ((node, self.config_map[node]) for node in self.order)
        }

    def _check_builders(self) -> None:
        if not self.step_builder_map:
            return
        for node, step_type in self.step_types.items():
            if step_type.name not in self.step_builder_map:
                raise UnknownStepTypeError(
                    f"step_builder_map has no builder for step type {step_type.name}, used by "
                    f"'{node}'. Add {step_type.name}: <its Builder class>.",
                    node=node,
                )

    def _resolve_wiring(self) -> list[Wire]:
        def field_value(node: str, field: str) -> Any:
            return getattr(self.config_map[node], field, None)

        wires, errors = resolve_wiring(self.dag, self.step_types, field_value, self.registry)
        if errors:
            raise errors[0]
        problems = cross_node_problems(self.dag, self.config_map, wires)
        if problems:
            raise ConfigValidationError(problems)
        return wires

    # -- building -------------------------------------------------------------------------
    def _generate(self, name: str | None) -> Any:
        from builders.compiling.branching import nest_branches
        from builders.compiling.parameters import sdk_parameters
        from builders.compiling.run_policies import apply_run_policies

        session = self.sagemaker_session or pipeline_session(
            self.region, self.config_map[self.order[0]].bucket
        )
        steps: dict[str, Any] = {}
        outputs: dict[str, dict[str, Any]] = {}
        declared = sdk_parameters(self.parameters)
        self.deploy_actions = []
        for node in self.order:
            builder = self._builder(node, session, declared)
            inputs = self._inputs_of(node, outputs)
            # A condition orders its children by holding them in its branches.
            dependencies = [
                steps[parent] for parent in self.dag.parents(node) if parent not in self.conditions
            ]
            steps[node] = _guarded(node, builder.create_step, dependencies, **inputs)
            apply_run_policies(steps[node], self.config_map[node])
            outputs[node] = builder.output_properties(steps[node])
            self.deploy_actions += builder.deploy_actions()
        return backend().pipeline(
            name or self.pipeline_name,
            nest_branches(self.dag, self.conditions, steps),
            list(declared.values()),
            session,
        )

    def _builder(self, node: str, session: Any, declared: Mapping[str, Any]) -> Any:
        from builders.compiling.parameters import config_view

        step_type = self.step_types[node]
        builder_class = self.step_builder_map.get(step_type.name) or step_type.builder_class()
        return builder_class(
            config_view(self.config_map[node], node, self.parameters, declared),
            sagemaker_session=session,
            role=self.role,
            node_name=node,
            stager=self.stager,
            step_type=step_type,
        )

    def _inputs_of(self, node: str, outputs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        inputs = {}
        for wire in self._wires_into[node]:
            if wire.producer is None:
                inputs[wire.consumer_port] = getattr(self.config_map[node], wire.config_field)
            else:
                inputs[wire.consumer_port] = outputs[wire.producer][wire.producer_port]
        return inputs


def _guarded(node: str, create_step: Any, dependencies: list, **inputs: Any) -> Any:
    """Run a builder; an SDK exception becomes a StepBuildError naming the node."""
    try:
        return create_step(dependencies=dependencies, **inputs)
    except PipelineDesignError:
        raise
    except (ValueError, TypeError) as error:
        raise StepBuildError(f"SageMaker could not build this step: {error}", node=node) from None
    except OSError as error:
        reason = write_failure(error)
        raise StepBuildError(f"SageMaker could not write its files: {reason}.", node=node) from None


def _check_name(name: str | None) -> None:
    errors = pipeline_name_errors(name) if name is not None else []
    if errors:
        raise errors[0]


def _one_region(config_map: Mapping[str, BaseModel], order: list[str]) -> str:
    regions = {node: config_map[node].region for node in order}
    errors = region_errors(regions)
    if errors:
        raise errors[0]
    if not regions:
        raise PipelineDesignError("The pipeline has no steps. Add at least one node.")
    return majority_region(regions)
