"""The common shape of processing steps: staged code, a settings file, inputs and outputs."""

from __future__ import annotations

from typing import Any, ClassVar

from builders.compiling.port_values import s3_location
from builders.compiling.sdk import jobs
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.configs.base import ProcessingStepConfigBase

CONTAINER = "/opt/ml/processing"


class ProcessingStepBuilder(StepBuilderBase):
    """Runs `python3 <entry point>` in the SageMaker scikit-learn container.

    Subclasses name their outputs (port -> folder under /opt/ml/processing/output), give the
    settings of their built-in script and map input ports to ProcessingInputs.
    """

    config: ProcessingStepConfigBase
    OUTPUTS: ClassVar[dict[str, str]] = {}

    def settings(self) -> dict[str, Any] | None:
        """Settings for the script, delivered as config/settings.json; None for no file."""
        return None

    def processing_inputs(self, inputs: dict[str, Any]) -> list[jobs.ProcessingInput]:
        return []

    def image(self) -> str:
        """The container image the job runs in."""
        return self.image_uri(
            "sklearn",
            self.config.processing_framework_version,
            field="processing_framework_version",
        )

    def property_files(self) -> list[Any]:
        """PropertyFiles of the step's JSON outputs that later steps read (JsonGet)."""
        return []

    def code(self) -> tuple[str, str]:
        """(S3 prefix of the code folder, entry point script) the job runs."""
        prefix = self.stager.folder(
            self.config.processing_source_dir,
            self.config.pipeline_s3_loc,
            node=self.node_name,
            field="processing_source_dir",
            builtin=self.step_type.job,
        )
        return prefix, self.config.processing_entry_point

    def arguments(self) -> list[str]:
        return list(self.config.processing_script_arguments)

    def output_destination(self, port: str) -> str:
        return self.output_uri(port)

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        code_prefix, entry_point = self.code()
        job = jobs.ProcessingJob(
            image=self.image(),
            entrypoint=("python3", f"{CONTAINER}/input/code/{entry_point}"),
            role=self.role,
            instance_type=config.effective_instance_type,
            instance_count=config.processing_instance_count,
            volume_size_gb=config.processing_volume_size,
            max_runtime_seconds=config.max_runtime_seconds,
            base_job_name=self.base_job_name,
            inputs=(
                processing_input("code", code_prefix),
                *self._settings_input(),
                *self.processing_inputs(inputs),
            ),
            outputs=tuple(
                jobs.ProcessingOutput(
                    port, f"{CONTAINER}/output/{folder}", self.output_destination(port)
                )
                for port, folder in self.OUTPUTS.items()
            ),
            arguments=tuple(self.arguments()),
        )
        return self.sdk.processing_step(
            self.node_name,
            job,
            session=self.session,
            depends_on=dependencies,
            property_files=self.property_files(),
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        outputs = step.properties.ProcessingOutputConfig.Outputs
        return {port: outputs[port].S3Output.S3Uri for port in self.OUTPUTS}

    def _settings_input(self) -> list[jobs.ProcessingInput]:
        settings = self.settings()
        if settings is None:
            return []
        return [
            processing_input("config", self.stager.settings(settings, self.config.pipeline_s3_loc))
        ]


def processing_input(name: str, source: Any, folder: str | None = None) -> jobs.ProcessingInput:
    """An input downloaded to /opt/ml/processing/input/<folder or name>; `source` is an S3
    location or a port value that names one (port_values)."""
    return jobs.ProcessingInput(name, s3_location(source), f"{CONTAINER}/input/{folder or name}")
