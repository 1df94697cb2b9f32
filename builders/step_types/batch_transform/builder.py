"""BatchTransformStepBuilder: a TransformStep scoring a dataset with a model."""

from __future__ import annotations

from typing import Any

from builders.compiling.port_values import model_name
from builders.compiling.sdk import jobs
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.batch_transform.config import BatchTransformConfig


class BatchTransformStepBuilder(StepBuilderBase):
    config: BatchTransformConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        job = jobs.TransformJob(
            model_name=model_name(inputs["model"]),
            instance_type=config.transform_instance_type,
            instance_count=config.transform_instance_count,
            output_path=self.output_uri("transform_output"),
            base_job_name=self.base_job_name,
            data=inputs["data"],
            content_type=config.content_type,
            accept=config.accept,
            split_type=_given(config.split_type),
            assemble_with=_given(config.assemble_with),
            max_payload_mb=config.max_payload_mb,
            input_filter=config.input_filter,
            output_filter=config.output_filter,
            join_source=_given(config.join_source),
        )
        return self.sdk.transform_step(
            self.node_name, job, session=self.session, depends_on=dependencies
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {"transform_output": step.properties.TransformOutput.S3OutputPath}


def _given(choice: str | None) -> str | None:
    """A choice whose "None" means that SageMaker's setting is left out."""
    return None if choice == "None" else choice
