"""Condition (quality gate): compare a metric of an evaluation with a threshold."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from builders.configs.base import BasePipelineConfig
from builders.configs.types import PARAMETER
from builders.step_types.model_evaluation.job.scoring import METRICS

Metric = Literal[METRICS]  # type: ignore[valid-type]
OPERATORS = (">=", ">", "<=", "<", "==", "!=")


class ConditionConfig(BasePipelineConfig):
    """Runs its "if" children when `metric operator threshold` holds, the others otherwise."""

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # a Condition step

    metric: Annotated[
        Metric, Field(description="Metric of the evaluation's evaluation.json to compare.")
    ] = "auc"
    operator: Annotated[
        Literal[OPERATORS],  # type: ignore[valid-type]
        Field(description="How the metric compares with the threshold for the gate to pass."),
    ] = ">="
    threshold: Annotated[
        float, PARAMETER, Field(description="Value the metric is compared with.")
    ]  # a run can move the gate: the SDK's own quality-gate example binds it (ParameterFloat)
    compare: Annotated[
        str | None,
        Field(
            pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$",
            description="Compare this number a parent step returns (a Lambda call's output of "
            "that name) instead of an evaluation's metric.",
        ),
    ] = None
    if_steps: Annotated[
        list[str],
        Field(
            description="Steps after this one that run when the condition holds (the 'if' "
            "branch); the other steps after it run when it does not (the 'else' branch)."
        ),
    ] = []
