"""ScriptProcessingStepBuilder: a processing job running the user's script."""

from __future__ import annotations

from typing import Any

from builders.compiling.sdk import jobs
from builders.compiling.steps.processing import CONTAINER, processing_input
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.script_processing.config import ScriptProcessingConfig


class ScriptProcessingStepBuilder(StepBuilderBase):
    config: ScriptProcessingConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        code = self.stager.folder(
            config.script_folder, config.pipeline_s3_loc, node=self.node_name, field="script_folder"
        )
        job = jobs.ProcessingJob(
            image=self._image(),
            entrypoint=("python3", f"{CONTAINER}/input/code/{config.script}"),
            role=self.role,
            instance_type=config.instance_type,
            instance_count=config.instance_count,
            volume_size_gb=config.volume_size,
            max_runtime_seconds=config.max_runtime_seconds,
            base_job_name=self.base_job_name,
            inputs=(
                processing_input("code", code),
                *(
                    processing_input(port, inputs[port])
                    for port in config.input_ports
                    if inputs.get(port) is not None
                ),
            ),
            outputs=tuple(
                jobs.ProcessingOutput(port, f"{CONTAINER}/output/{port}", self.output_uri(port))
                for port in config.output_ports
            ),
            arguments=tuple(config.arguments),
            environment=dict(config.environment),
        )
        return self.sdk.processing_step(
            self.node_name, job, session=self.session, depends_on=dependencies
        )

    def _image(self) -> str:
        config = self.config
        if config.container == "image":
            return config.image_uri
        pytorch = config.container == "pytorch"
        return self.image_uri(
            config.container,
            config.container_version,
            py_version=config.container_python if pytorch else None,
            instance_type=config.instance_type if pytorch else None,
            scope="training" if pytorch else None,
            field="container_version",
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        outputs = step.properties.ProcessingOutputConfig.Outputs
        return {port: outputs[port].S3Output.S3Uri for port in self.config.output_ports}
