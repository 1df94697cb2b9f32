"""TuningStepBuilder: the SDK's TuningStep over a framework's training job.

A tuning step type's builder lists this mixin before its framework's training builder: the
estimator, its staged code and its channels are the training's; the tuner adds the ranges,
the objective and the limits. Later steps read the best trial's model.tar.gz.
"""

from __future__ import annotations

from typing import Any

from builders.compiling.sdk import jobs
from builders.configs.tuning import TuningSettings
from builders.configs.tuning_search import RANGE, searched

MODEL_PORT = "model_artifacts"


class TuningStepBuilderMixin:
    """Builds a TuningStep; the class it is mixed into builds the training estimator."""

    config: Any  # a TuningSettings and training config

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        job = jobs.TuningJob(
            training=self.training_job(inputs),
            objective_metric=config.objective_metric,
            objective_type=config.effective_objective_type,
            ranges=search_ranges(config),
            strategy=config.strategy,
            # A grid search runs every combination: SageMaker counts them itself.
            max_jobs=None if config.strategy == "Grid" else config.max_jobs,
            max_parallel_jobs=config.max_parallel_jobs,
            early_stopping=config.early_stopping,
            random_seed=config.random_seed,
            max_runtime_seconds=config.max_tuning_seconds,
            base_job_name=self.base_job_name,
        )
        return self.sdk.tuning_step(
            self.node_name, job, session=self.session, depends_on=dependencies
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        # The best trial's model.tar.gz: what `step.get_top_model_s3_uri(0, ...)` names, with
        # the output path read from the step too, so a cached step (an earlier run's trials,
        # under that run's execution id) still points at its own best model.
        properties = step.properties
        model = self.joined(
            properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath,
            properties.TrainingJobSummaries[0].TrainingJobName,
            "output/model.tar.gz",
        )
        return {MODEL_PORT: model}


def search_ranges(config: TuningSettings) -> tuple[jobs.SearchRange, ...]:
    """The searched hyperparameters' ranges, as the tuning job takes them."""
    ranges = []
    for name, group in searched(config.hyperparameter_search).items():
        if group.search != RANGE:
            ranges.append(jobs.SearchRange(name, "categorical", values=tuple(group.values)))
        else:
            kind = "integer" if group.KIND == "integer" else "continuous"
            ranges.append(
                jobs.SearchRange(
                    name,
                    kind,
                    min_value=group.min_value,
                    max_value=group.max_value,
                    scaling=group.scaling,
                )
            )
    return tuple(ranges)
