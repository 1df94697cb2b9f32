"""TrainingStepBuilder: what the XGBoost and PyTorch training step types share."""

from __future__ import annotations

from typing import Any

from sagemaker.inputs import TrainingInput
from sagemaker.workflow.functions import Join
from sagemaker.workflow.steps import TrainingStep

from builders.compiling.sagemaker_env import estimator_construction
from builders.compiling.steps.step_builder import StepBuilderBase

SPLITS = ("train", "val", "test")


class TrainingStepBuilder(StepBuilderBase):
    """A TrainingStep reading the train/val/test splits and a `config` channel.

    The hyperparameters reach the script as config/settings.json rather than as SageMaker
    hyperparameters: those are limited to 2,500 characters each, which field lists exceed.
    """

    FRAMEWORK: str

    def source(self) -> tuple[str | None, str]:
        """(local or S3 training folder, or None for the built-in scripts; its field name)."""
        raise NotImplementedError

    def estimator_class(self) -> type:
        """The SDK's estimator of the framework."""
        raise NotImplementedError

    def estimator_args(self) -> dict[str, Any]:
        return {}

    def build(self, dependencies: list, inputs: dict[str, Any]) -> TrainingStep:
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
        # Given the estimator, not `step_args=estimator.fit()`: fit() sends SDK telemetry,
        # which only a non-empty SDK config turns off, and a non-empty config makes every one
        # of the SDK's config lookups validate its whole schema (0.46 s each, ~14 per node).
        return TrainingStep(
            name=self.node_name,
            estimator=estimator,
            inputs=self._channels(inputs["training_data"]),
            depends_on=dependencies,
        )

    def _estimator(self, source_dir: str) -> Any:
        config = self.config
        return self.estimator_class()(
            entry_point=config.training_entry_point,
            source_dir=source_dir,
            framework_version=config.framework_version,
            py_version=config.py_version,
            image_uri=self.image_uri(
                self.FRAMEWORK,
                config.framework_version,
                py_version=config.py_version,
                instance_type=config.training_instance_type,
                scope="training",
            ),
            role=self.role,
            instance_type=config.training_instance_type,
            instance_count=config.training_instance_count,
            volume_size=config.training_volume_size,
            max_run=config.max_runtime_seconds,
            output_path=self.output_uri("model_artifacts"),
            # The code is staged already (source_dir is its S3 URI): nothing goes here.
            code_location=f"{config.pipeline_s3_loc}/code",
            sagemaker_session=self.session,
            base_job_name=self.base_job_name,
            disable_profiler=True,
            debugger_hook_config=False,
            **self.estimator_args(),
        )

    def _channels(self, data: Any) -> dict[str, TrainingInput]:
        channels = {
            split: TrainingInput(Join(on="/", values=[data, split]), content_type="text/csv")
            for split in SPLITS
        }
        settings = self.config.hyperparameters.model_dump(mode="json")
        channels["config"] = TrainingInput(
            self.stager.settings(settings, self.config.pipeline_s3_loc),
            content_type="application/json",
        )
        return channels

    def output_properties(self, step: TrainingStep) -> dict[str, Any]:
        return {"model_artifacts": step.properties.ModelArtifacts.S3ModelArtifacts}
