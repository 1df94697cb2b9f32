"""TrainingStepBuilder: what the XGBoost and PyTorch training step types share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from builders.compiling.sdk import jobs
from builders.compiling.steps.step_builder import StepBuilderBase

SPLITS = ("train", "val", "test")


class TrainingStepBuilder(StepBuilderBase):
    """A training step reading the train/val/test splits and a `config` channel.

    The hyperparameters reach the script as config/settings.json rather than as SageMaker
    hyperparameters: those are limited to 2,500 characters each, which field lists exceed.
    """

    FRAMEWORK: str

    def source(self) -> tuple[str | None, str]:
        """(local or S3 training folder, or None for the built-in scripts; its field name)."""
        raise NotImplementedError

    def metric_definitions(self) -> Sequence[Mapping[str, str]]:
        """Name and regex of each metric the script prints (the training job's metrics)."""
        return ()

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        return self.sdk.training_step(
            self.node_name, self.training_job(inputs), session=self.session, depends_on=dependencies
        )

    def training_job(self, inputs: dict[str, Any]) -> jobs.TrainingJob:
        """The job: the staged code, the framework's image, the splits and settings."""
        config = self.config
        location, field = self.source()
        code = self.stager.archive(
            location,
            config.pipeline_s3_loc,
            node=self.node_name,
            field=field,
            builtin=self.step_type.job,
        )
        return jobs.TrainingJob(
            framework=self.FRAMEWORK,
            framework_version=config.framework_version,
            py_version=config.py_version,
            image=self.image_uri(
                self.FRAMEWORK,
                config.framework_version,
                py_version=config.py_version,
                instance_type=config.training_instance_type,
                scope="training",
            ),
            role=self.role,
            instance_type=config.training_instance_type,
            instance_count=config.training_instance_count,
            volume_size_gb=config.training_volume_size,
            max_runtime_seconds=config.max_runtime_seconds,
            output_path=self.output_uri("model_artifacts"),
            code=code,
            entry_point=config.training_entry_point,
            code_location=f"{config.pipeline_s3_loc}/code",
            stage_folder=self._stage_sdk_folder,
            base_job_name=self.base_job_name,
            channels=self._channels(inputs["training_data"]),
            metric_definitions=tuple(self.metric_definitions()),
        )

    def _channels(self, data: Any) -> tuple[jobs.Channel, ...]:
        splits = [jobs.Channel(split, self.joined(data, split), "text/csv") for split in SPLITS]
        settings = self.config.hyperparameters.model_dump(mode="json")
        uri = self.stager.settings(settings, self.config.pipeline_s3_loc)
        return (*splits, jobs.Channel("config", uri, "application/json"))

    def _stage_sdk_folder(self, folder: Path) -> str:
        """Stage a folder the SDK writes for the job (3.x's container drivers)."""
        return self.stager.folder(
            str(folder), self.config.pipeline_s3_loc, node=self.node_name, field="sdk"
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {"model_artifacts": step.properties.ModelArtifacts.S3ModelArtifacts}
