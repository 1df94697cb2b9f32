"""ScriptProcessingStepBuilder: a processing job running the user's script."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.processing import CONTAINER, processing_input
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.script_processing.config import ScriptProcessingConfig


class ScriptProcessingStepBuilder(StepBuilderBase):
    config: ScriptProcessingConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        from sagemaker.processing import ProcessingOutput, Processor
        from sagemaker.workflow.steps import ProcessingStep

        config = self.config
        code = self.stager.folder(
            config.script_folder, config.pipeline_s3_loc, node=self.node_name, field="script_folder"
        )
        processor = Processor(
            role=self.role,
            image_uri=self._image(),
            entrypoint=["python3", f"{CONTAINER}/input/code/{config.script}"],
            instance_count=config.instance_count,
            instance_type=config.instance_type,
            volume_size_in_gb=config.volume_size,
            max_runtime_in_seconds=config.max_runtime_seconds,
            env=dict(config.environment) or None,
            sagemaker_session=self.session,
            base_job_name=self.base_job_name,
        )
        step_args = processor.run(
            inputs=[
                processing_input("code", code),
                *(
                    processing_input(port, inputs[port])
                    for port in config.input_ports
                    if inputs.get(port) is not None
                ),
            ],
            outputs=[
                ProcessingOutput(
                    output_name=port,
                    source=f"{CONTAINER}/output/{port}",
                    destination=self.output_uri(port),
                )
                for port in config.output_ports
            ],
            arguments=list(config.arguments) or None,
        )
        return ProcessingStep(name=self.node_name, step_args=step_args, depends_on=dependencies)

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
