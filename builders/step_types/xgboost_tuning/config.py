"""XGBoostTuning: the XGBoost training, tuned: trials over ranges of its hyperparameters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from builders.configs.hyperparameters import XGBoostModelHyperparameters
from builders.configs.tuning import TuningSettings
from builders.configs.tuning_search import search_space
from builders.configs.types import FieldRuleError
from builders.scripts.metrics import metric_definitions
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

TUNABLE = (
    "eta", "max_depth", "num_round", "min_child_weight", "subsample", "colsample_bytree",
    "gamma", "lambda_xgb", "alpha_xgb", "tree_method", "early_stopping_rounds",
)  # fmt: skip
XGBoostSearch = search_space(XGBoostModelHyperparameters, TUNABLE)
# The metrics the XGBoost training declares (its MetricDefinitions), as the tuning job names them.
XGBoostMetric = Literal[tuple(item["Name"] for item in metric_definitions())]  # type: ignore[valid-type]


def printed_metrics(objective: str) -> tuple[str, ...]:
    """The metrics the XGBoost training script prints for an objective (its `score`)."""
    if not objective.startswith(("binary:", "multi:")):
        return ("rmse", "mae")
    if objective in ("binary:hinge", "multi:softmax"):
        return ("accuracy",)  # labels, no probabilities
    return ("accuracy", "logloss", "auc")


def _default_search() -> XGBoostSearch:
    return XGBoostSearch(
        eta={"search": "range", "min_value": 0.05, "max_value": 0.5, "scaling": "Logarithmic"},
        max_depth={"search": "range", "min_value": 2, "max_value": 8},
    )


class XGBoostTuningConfig(TuningSettings, XGBoostTrainingConfig):
    """Runs the XGBoost training with different hyperparameters and keeps the best model."""

    objective_metric: Annotated[
        XGBoostMetric,
        Field(
            description="Metric the tuning job optimizes, one the XGBoost training reports: "
            "val: on the validation split (tune on it), test: on the test split."
        ),
    ] = "val:auc"
    hyperparameter_search: Annotated[
        XGBoostSearch,
        Field(
            default_factory=_default_search,
            description="How the tuning job sets each hyperparameter: fixed (the value under "
            "Hyperparameters), a range, or a list of values to try.",
        ),
    ]

    def declared_metrics(self) -> list[str]:
        return [item["Name"] for item in metric_definitions()]

    @model_validator(mode="after")
    def _check_metric(self) -> XGBoostTuningConfig:
        objective = self.hyperparameters.objective
        channel, _, name = self.objective_metric.partition(":")
        printed = printed_metrics(objective)
        if name not in printed:
            choices = ", ".join(f"{channel}:{metric}" for metric in printed)
            raise FieldRuleError(
                "objective_metric",
                f"is not reported by the XGBoost training for the objective {objective}: "
                f"choose {choices}",
            )
        return self
