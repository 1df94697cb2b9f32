"""TuningStepBuilder: the SDK's TuningStep over a framework's training job.

A tuning step type's builder lists this mixin before its framework's training builder: the
estimator, its staged code and its channels are the training's; the tuner adds the ranges,
the objective and the limits. Later steps read the best trial's model.tar.gz.
"""

from __future__ import annotations

import functools
from typing import Any

from builders.compiling.sagemaker_env import estimator_construction
from builders.step_types.xgboost_tuning.search import RANGE, searched
from builders.step_types.xgboost_tuning.settings import TuningSettings

MODEL_PORT = "model_artifacts"


class TuningStepBuilderMixin:
    """Builds a TuningStep; the class it is mixed into builds the training estimator."""

    config: Any  # a TuningSettings and training config

    def metric_definitions(self) -> list[dict[str, str]]:
        """The metrics the trials' logs report ({"Name", "Regex"})."""
        raise NotImplementedError

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        from sagemaker.tuner import HyperparameterTuner

        config = self.config
        location, field = self.source()
        source_dir = self.stager.archive(
            location,
            config.pipeline_s3_loc,
            node=self.node_name,
            field=field,
            builtin=self.step_type.job,
        )
        with estimator_construction(config.region):
            estimator = self._estimator(source_dir)
        tuner = HyperparameterTuner(
            estimator,
            objective_metric_name=config.objective_metric,
            hyperparameter_ranges=sdk_ranges(config),
            metric_definitions=self.metric_definitions(),
            strategy=config.strategy,
            objective_type=config.effective_objective_type,
            # A grid search runs every combination: SageMaker counts them itself.
            max_jobs=None if config.strategy == "Grid" else config.max_jobs,
            max_parallel_jobs=config.max_parallel_jobs,
            early_stopping_type=config.early_stopping,
            base_tuning_job_name=self.base_job_name,
            random_seed=config.random_seed,
            max_runtime_in_seconds=config.max_tuning_seconds,
        )
        step_args = tuner.fit(inputs=self._channels(inputs["training_data"]))
        return _tuning_step_class()(
            name=self.node_name, step_args=step_args, depends_on=dependencies
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


def sdk_ranges(config: TuningSettings) -> dict[str, Any]:
    """The SDK's parameter ranges of the searched hyperparameters."""
    from sagemaker.tuner import CategoricalParameter, ContinuousParameter, IntegerParameter

    ranges = {}
    for name, group in searched(config.hyperparameter_search).items():
        if group.search != RANGE:
            ranges[name] = CategoricalParameter(list(group.values))
        elif group.KIND == "integer":
            ranges[name] = IntegerParameter(
                group.min_value, group.max_value, scaling_type=group.scaling
            )
        else:
            ranges[name] = ContinuousParameter(
                group.min_value, group.max_value, scaling_type=group.scaling
            )
    return ranges


@functools.cache
def _tuning_step_class() -> type:
    from sagemaker.workflow.steps import TuningStep

    class Tuning(TuningStep):
        """The SDK's TuningStep without the dated job name its estimator adds to the static
        hyperparameters (its TrainingStep drops it too: the same design compiles to the same
        definition), and without the null job count it writes for a grid search (SageMaker
        counts the grid's jobs itself; null is no number)."""

        @property
        def arguments(self) -> dict[str, Any]:
            request = super().arguments
            static = request.get("TrainingJobDefinition", {}).get("StaticHyperParameters", {})
            static.pop("sagemaker_job_name", None)
            limits = request.get("HyperParameterTuningJobConfig", {}).get("ResourceLimits", {})
            for name in [name for name, value in limits.items() if value is None]:
                del limits[name]
            return request

    return Tuning
