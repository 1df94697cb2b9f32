"""ConditionStepBuilder: a ConditionStep reading a metric of evaluation.json (JsonGet), or
the value a parent step returns (a Lambda call's output).

The builder leaves the branches empty: they hold the steps of the nodes after this one,
which the template builds later and puts in (`builders/compiling/branching.py`).
"""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.condition.config import ConditionConfig
from builders.step_types.model_evaluation.job.scoring import metric_path


class ConditionStepBuilder(StepBuilderBase):
    config: ConditionConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        if self.config.compare:
            metric = inputs[self.config.compare]
        else:
            evaluation = inputs["evaluation"]
            metric = self.sdk.json_get(
                evaluation.step_name, evaluation.property_file, metric_path(self.config.metric)
            )
        comparison = self.sdk.condition(self.config.operator, metric, self.config.threshold)
        return self.sdk.condition_step(self.node_name, [comparison], dependencies)

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {}
