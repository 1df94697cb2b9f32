"""What every tuning step's config holds beside its training's: the search and its limits.

A tuning config is its framework's training config (the training job each trial runs, with
the fixed hyperparameters) plus these fields and a `hyperparameter_search` group typed after
its hyperparameters (`tuning_search.search_space`). The rules here are SageMaker's, so a design the
checks accept is a tuning job SageMaker starts.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, Field, computed_field, model_validator

from builders.configs.step_kinds import StepKind
from builders.configs.tuning_search import RANGE, VALUES, searched
from builders.configs.types import ADVANCED, FieldRuleError

# The kind of step a tuning step type compiles to (its folder declares it: StepType.kinds).
TUNING = StepKind(
    "Tuning",
    request="CreateHyperParameterTuningJob",
    named_by_pipeline=("HyperParameterTuningJobName",),
    # A trial's output path (under the run's execution id) is not part of the key.
    cache_key=(
        "HyperParameterTuningJobConfig",
        "TrainingJobDefinition.AlgorithmSpecification",
        "TrainingJobDefinition.HyperParameterRanges",
        "TrainingJobDefinition.InputDataConfig",
        "TrainingJobDefinition.StaticHyperParameters",
        "TrainingJobDefinition.TuningObjective",
        "TrainingJobDefinitions",
    ),
)
# The metrics a larger value of is better; the others (log loss, RMSE, MAE) are minimized.
MAXIMIZED = ("accuracy", "auc")
MAX_TRAINING_JOBS = 500  # SageMaker's default quota of training jobs per tuning job
ObjectiveType = Literal["Maximize", "Minimize"]


def metric_goal(metric: str) -> ObjectiveType | None:
    """Maximize or Minimize for a metric this tool's scripts print (`val:auc`), else None."""
    name = metric.rsplit(":", 1)[-1].rsplit("_", 1)[-1].lower()
    if name in MAXIMIZED:
        return "Maximize"
    if name in ("logloss", "rmse", "mae", "loss"):
        return "Minimize"
    return None


class TuningSettings(BaseModel):
    """The tuning job's own fields; a config class lists it before its training config."""

    strategy: Annotated[
        Literal["Bayesian", "Random", "Grid"],
        Field(
            description="How the tuning job picks each trial's values: Bayesian learns from "
            "the trials so far, Random draws them, Grid tries every combination of the listed "
            "values (values only, no ranges)."
        ),
    ] = "Random"
    max_jobs: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_TRAINING_JOBS,
            description="Most training jobs (trials) the tuning job runs. A grid search runs "
            "every combination, which must be no more than this.",
        ),
    ] = 4
    max_parallel_jobs: Annotated[
        int,
        Field(ge=1, le=100, description="Training jobs that run at the same time on AWS."),
    ] = 2
    objective_type: Annotated[
        ObjectiveType | None,
        Field(
            description="Whether a larger or smaller objective metric is better. Leave empty "
            "for the metric's own (larger accuracy and AUC, smaller log loss, RMSE, MAE)."
        ),
    ] = None
    early_stopping: Annotated[
        Literal["Off", "Auto"],
        ADVANCED,
        Field(description="Auto: SageMaker stops trials unlikely to beat the best so far."),
    ] = "Off"
    random_seed: Annotated[
        int | None,
        ADVANCED,
        Field(ge=0, le=2**31 - 1, description="Seed of the search, for repeatable trials."),
    ] = None
    max_tuning_seconds: Annotated[
        int | None,
        ADVANCED,
        Field(
            ge=120, le=15768000, description="Stop the whole tuning job after this many seconds."
        ),
    ] = None

    @computed_field(description="The objective type the tuning job uses.")
    @property
    def effective_objective_type(self) -> str:
        return self.objective_type or metric_goal(self.objective_metric) or "Maximize"

    def declared_metrics(self) -> list[str]:
        """The metrics the training declares (its MetricDefinitions' names)."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _check_search(self) -> TuningSettings:
        declared = self.declared_metrics()
        if self.objective_metric not in declared:
            raise FieldRuleError(
                "objective_metric",
                f"is not a metric the training declares: choose {', '.join(declared)}",
            )
        chosen = searched(self.hyperparameter_search)
        if not chosen:
            raise FieldRuleError(
                "hyperparameter_search",
                "tunes no hyperparameter: set the search of at least one to range or values",
            )
        if self.strategy == "Grid":
            for name, group in chosen.items():
                if group.search == RANGE:
                    raise FieldRuleError(
                        f"hyperparameter_search.{name}.search",
                        "is a range, and a Grid search tries lists of values only: list the "
                        "values to try, or choose the Random or Bayesian strategy",
                    )
            combinations = math.prod(len(group.values) for group in chosen.values())
            if combinations > self.max_jobs:
                raise FieldRuleError(
                    "max_jobs",
                    f"is {self.max_jobs}, and the grid has {combinations} combinations: "
                    "raise it or list fewer values",
                )
        elif self.max_parallel_jobs > self.max_jobs:
            raise FieldRuleError("max_parallel_jobs", f"must be at most max_jobs ({self.max_jobs})")
        if self.objective_type is None and metric_goal(self.objective_metric) is None:
            raise FieldRuleError(
                "objective_type",
                f"is required for the metric {self.objective_metric}: say whether to "
                "Maximize or Minimize it",
            )
        return self

    def grid_size(self) -> int:
        """The number of trials of a grid search (the product of the values' counts)."""
        return math.prod(
            len(group.values)
            for group in searched(self.hyperparameter_search).values()
            if group.search == VALUES
        )
