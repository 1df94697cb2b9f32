"""Checks between connected nodes: what one node makes against what another expects.

Each node's config may be valid on its own and the pipeline still fail in SageMaker: sample
requests in a format the registered model does not accept, or with fields the trained model
does not read; a batch transform that scores categorical fields differently from the
registered model. These checks read the validated configs and the resolved wires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from builders.configs.types import VariableType
from builders.errors import Problem
from builders.graph.branches import branch_problems, conditions_of, unconditional
from builders.graph.dag import PipelineDAG
from builders.graph.wiring import Wire
from builders.scripts.features import feature_columns
from builders.step_types.condition.config import ConditionConfig
from builders.step_types.model_evaluation.config import ModelEvaluationConfig
from builders.step_types.model_evaluation.job.scoring import PROBLEM_METRICS, problem_of
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.packaging.config import PackageStepConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig


def cross_node_problems(
    dag: PipelineDAG, configs: Mapping[str, BaseModel], wires: list[Wire]
) -> list[Problem]:
    """Every disagreement between connected nodes whose own configs are valid."""
    design = _Design(dag, {n: c for n, c in configs.items() if n in dag}, wires)
    return [
        *design.payload_formats(),
        *design.payload_features(),
        *design.serving_code(),
        *design.gate_metrics(),
        *design.evaluation_code(),
        *design.needs(),
        *branch_problems(dag, conditions := conditions_of(design.configs)),
        *unconditional(dag, conditions, design.ending()),
    ]


class _Design:
    """The nodes, configs and wires the checks read, with the look-ups they share."""

    def __init__(self, dag: PipelineDAG, configs: Mapping[str, BaseModel], wires: list[Wire]):
        self.dag, self.configs, self.wires = dag, configs, wires
        self._producers = {(w.consumer, w.consumer_port): w.producer for w in wires}
        self._trainings: dict[str, frozenset[str]] = {}
        self._wires = {(w.consumer, w.consumer_port): w for w in wires}
        self._types: dict[str, Any] = {}

    def of_type(self, config_class: type) -> list[tuple[str, Any]]:
        return [(n, c) for n, c in self.configs.items() if isinstance(c, config_class)]

    def ending(self) -> list[str]:
        """The nodes whose step type ends the run (Fail)."""
        return [node for node in self.configs if self.step_type(node).ends_run]

    def step_type(self, node: str) -> Any:
        """The node's step type, with the ports its values declare."""
        from builders.registry import REGISTRY  # the registry imports step types' configs

        if node not in self._types:
            config = self.configs[node]
            step_type = REGISTRY.for_config(config, node=node)
            if step_type.ports is not None:  # ports its values declare (ScriptProcessing)
                step_type = step_type.bound(config.model_dump(warnings=False))
            self._types[node] = step_type
        return self._types[node]

    def carried(self, wire: Wire) -> frozenset[str] | None:
        """The facts the data along `wire` carries; None when unknown (a config field's
        value, or a producer whose config is not valid yet)."""
        if wire.producer is None or wire.producer not in self.configs:
            return None
        port = self.step_type(wire.producer).output(wire.producer_port)
        if port.passes is None:
            return port.carries
        upstream = self._wires.get((wire.producer, port.passes))
        passed = self.carried(upstream) if upstream else None
        return None if passed is None else port.carries | passed

    def producer(self, consumer: str, port: str) -> str | None:
        return self._producers.get((consumer, port))

    def trainings(self, node: str) -> frozenset[str]:
        """The XGBoost training nodes upstream of `node` (the search stops at each found)."""
        if node not in self._trainings:
            found, seen, stack = set(), {node}, list(self.dag.parents(node))
            while stack:
                current = stack.pop()
                if current in seen:
                    continue
                seen.add(current)
                if isinstance(self.configs.get(current), XGBoostTrainingConfig):
                    found.add(current)
                else:
                    stack.extend(self.dag.parents(current))
            self._trainings[node] = frozenset(found)
        return self._trainings[node]

    # -- the checks -----------------------------------------------------------------------
    def payload_formats(self) -> list[Problem]:
        """Sample requests and responses in formats the registered model declares."""
        problems = []
        for wire in self.wires:
            payload, registration = self.configs.get(wire.producer), self.configs.get(wire.consumer)
            if isinstance(payload, PayloadConfig) and isinstance(registration, RegistrationConfig):
                problems += _formats(wire, payload, registration)
        return problems

    def payload_features(self) -> list[Problem]:
        """Sample requests carry the trained model's features, in order, numbers as NUMERIC."""
        problems = []
        for node, payload in self.of_type(PayloadConfig):
            trainings = self.trainings(node)
            if len(trainings) == 1:  # else no trained model upstream, or several
                (training,) = trainings
                problems += _features(node, payload, training, self.configs[training])
        return problems

    def serving_code(self) -> list[Problem]:
        """A model step serves as the registered model does, through the same inference code."""
        problems = []
        registrations = self.of_type(RegistrationConfig)
        for node, model in self.of_type(XGBoostModelConfig):
            source = self.producer(node, "model_artifacts")
            packaged = isinstance(self.configs.get(source), PackageStepConfig)
            if model.inference_entry_point and source and not packaged:
                problems.append(_no_code_in(node, source))
            trainings = self.trainings(node)
            categorical = [
                field
                for training in sorted(trainings)
                for field in self.configs[training].hyperparameters.cat_field_list
            ]
            if categorical and not (packaged and model.inference_entry_point):
                problems.append(_default_handler(node, categorical))
            for other, registration in registrations:
                if not trainings or self.trainings(other) != trainings:
                    continue
                registered = self.producer(other, "packaged_model")
                entry_point = registration.inference_entry_point
                if (source, model.inference_entry_point) != (registered, entry_point):
                    problems.append(
                        _other_code(node, model, source, other, registered, entry_point)
                    )
        return problems

    def gate_metrics(self) -> list[Problem]:
        """A condition compares a metric its evaluation writes (AUC is no regression's)."""
        problems = []
        for node, condition in self.of_type(ConditionConfig):
            evaluation = self.producer(node, "evaluation")
            problem = self._problem_type(evaluation)
            if problem and condition.metric not in PROBLEM_METRICS[problem]:
                problems.append(
                    Problem(
                        f"'{evaluation}' evaluates a {problem.replace('_', ' ')} model and "
                        f"writes {', '.join(PROBLEM_METRICS[problem])}, not "
                        f"{condition.metric}: choose one of those.",
                        node=node,
                        field="metric",
                    )
                )
        return problems

    def evaluation_code(self) -> list[Problem]:
        """An evaluation scores with the inference code its model is served with (the code
        Packaging puts into the archive), so its metrics are the served model's."""
        problems = []
        packagings = self.of_type(PackageStepConfig)
        for node, evaluation in self.of_type(ModelEvaluationConfig):
            trainings, code = self.trainings(node), evaluation.inference_source_dir
            served = [
                (other, packaging.source_dir)
                for other, packaging in packagings
                if trainings and self.trainings(other) == trainings
            ]
            for other, source in served:
                if code and source != code:
                    problems.append(
                        Problem(
                            f"The evaluation scores with the inference code in {code}, but "
                            f"'{other}' serves the model with {source}: use the same folder, "
                            "so the metrics are the served model's.",
                            node=node,
                            field="inference_source_dir",
                        )
                    )
        return problems

    def needs(self) -> list[Problem]:
        """An input gets what its step needs (inference code in a model archive) from the
        step that feeds it, or from the config field that supplies it instead."""
        problems = []
        for wire in self.wires:
            if wire.consumer not in self.configs:
                continue
            port = self.step_type(wire.consumer).input(wire.consumer_port)
            need = port.needs
            if need is None or (need.field and getattr(self.configs[wire.consumer], need.field)):
                continue
            facts = self.carried(wire)
            if facts is not None and need.fact not in facts:
                problems.append(_unmet(wire, port, need))
        return problems

    def _problem_type(self, evaluation: str | None) -> str | None:
        """The evaluation's problem type: its own, or its XGBoost training's objective's."""
        config = self.configs.get(evaluation) if evaluation else None
        if not isinstance(config, ModelEvaluationConfig):
            return None
        if config.problem_type != "auto":
            return config.problem_type
        trainings = self.trainings(evaluation)
        if len(trainings) != 1:
            return None
        (training,) = trainings
        return problem_of(self.configs[training].hyperparameters.objective)


def _formats(wire: Wire, payload: PayloadConfig, registration: RegistrationConfig):
    pairs = (
        (payload.source_model_inference_content_types, registration.content_types, "content"),
        (payload.source_model_inference_response_types, registration.response_types, "response"),
    )
    for sent, accepted, kind in pairs:
        foreign = [value for value in sent if value not in accepted]
        if foreign:
            field, other = f"source_model_inference_{kind}_types", f"{kind}_types"
            yield Problem(
                f"The samples use {', '.join(foreign)}, but '{wire.consumer}' registers the "
                f"model with {other} {', '.join(accepted)}: SageMaker would test it with "
                f"requests it does not declare. Make {field} and {other} agree.",
                node=wire.producer,
                field=field,
                code="conflict",
            )


def _features(node: str, payload: PayloadConfig, training: str, trained: Any) -> list[Problem]:
    features, categorical = feature_columns(trained.hyperparameters.model_dump())
    variables = payload.source_model_inference_input_variable_list
    field = "source_model_inference_input_variable_list"
    if list(variables) != list(features):
        return [
            Problem(
                f"The sample requests list {_names(variables)}, but the model trained by "
                f"'{training}' reads {_names(features)}, in this order: the samples would "
                "fail. List exactly those input variables.",
                node=node,
                field=field,
                code="conflict",
            )
        ]
    text = [name for name, kind in variables.items() if kind is VariableType.TEXT]
    numeric_as_text = [name for name in text if name not in categorical]
    if not numeric_as_text:
        return []
    return [
        Problem(
            f"{_names(numeric_as_text)} are numeric features of the model trained by "
            f"'{training}' (tab_field_list), so their samples must be NUMERIC.",
            node=node,
            field=field,
            code="conflict",
        )
    ]


def _unmet(wire: Wire, port: Any, need: Any) -> Problem:
    from builders.registry import REGISTRY

    adding = [
        t.name
        for t in REGISTRY
        if any(out.kind is port.kind and need.fact in out.carries for out in t.outputs)
    ]
    remedies = [f"set {need.field} to supply it"] if need.field else []
    if adding:
        remedies.append(f"feed {port.name} from a step that adds it ({', '.join(adding)})")
    return Problem(
        f"'{wire.producer}' gives {port.kind.value} without {need.fact}, which this step needs: "
        f"{' or '.join(remedies) or 'connect a step that gives it'}.",
        node=wire.consumer,
        field=need.field or port.name,
        code="missing",
    )


def _no_code_in(node: str, source: str) -> Problem:
    return Problem(
        f"inference_entry_point is set, but the model artifacts come from '{source}', whose "
        "archive has no code/ folder. Connect a Packaging node to this model instead, or "
        "leave inference_entry_point empty.",
        node=node,
        field="inference_entry_point",
        code="conflict",
    )


def _default_handler(node: str, categorical: list[str]) -> Problem:
    return Problem(
        f"The model reads categorical fields ({', '.join(categorical)}), which the XGBoost "
        "container's default handler cannot encode: batch transform would not score them as "
        "the registered model does. Connect the Packaging node to this model and set "
        "inference_entry_point to its inference script.",
        node=node,
        field="inference_entry_point",
        code="conflict",
    )


def _other_code(node, model, source, registration, registered, entry_point) -> Problem:
    return Problem(
        f"'{registration}' registers the model of the same training with the inference code "
        f"of '{registered}' ({entry_point}); this model serves '{source}' "
        f"({model.inference_entry_point}). Serve the same packaged model with the same "
        "inference_entry_point, so that batch transform scores as the registered model does.",
        node=node,
        field="inference_entry_point",
        code="conflict",
    )


def _names(names) -> str:
    listed = list(names)
    shown = ", ".join(listed[:8]) + (f" and {len(listed) - 8} more" if len(listed) > 8 else "")
    return f"({shown})"
