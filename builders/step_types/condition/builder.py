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
        from sagemaker.workflow.condition_step import ConditionStep
        from sagemaker.workflow.functions import JsonGet

        if self.config.compare:
            metric = inputs[self.config.compare]
        else:
            evaluation = inputs["evaluation"]
            metric = JsonGet(
                step_name=evaluation.step_name,
                property_file=evaluation.property_file,
                json_path=metric_path(self.config.metric),
            )
        return ConditionStep(
            name=self.node_name,
            depends_on=dependencies or None,
            conditions=[comparison(self.config.operator, metric, self.config.threshold)],
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {}


def comparison(operator: str, left: Any, right: float) -> Any:
    """The SDK's condition for `left operator right`."""
    from sagemaker.workflow import conditions

    if operator == "!=":
        return conditions.ConditionNot(expression=conditions.ConditionEquals(left, right))
    kind = {
        ">=": conditions.ConditionGreaterThanOrEqualTo,
        ">": conditions.ConditionGreaterThan,
        "<=": conditions.ConditionLessThanOrEqualTo,
        "<": conditions.ConditionLessThan,
        "==": conditions.ConditionEquals,
    }[operator]
    return kind(left=left, right=right)
