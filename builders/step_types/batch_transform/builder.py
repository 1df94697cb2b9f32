"""BatchTransformStepBuilder: a TransformStep scoring a dataset with a model."""

from __future__ import annotations

from typing import Any

from builders.compiling.port_values import model_name
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.batch_transform.config import BatchTransformConfig


class BatchTransformStepBuilder(StepBuilderBase):
    config: BatchTransformConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        from sagemaker.transformer import Transformer
        from sagemaker.workflow.steps import TransformStep

        config = self.config
        transformer = Transformer(
            model_name=model_name(inputs["model"]),
            instance_type=config.transform_instance_type,
            instance_count=config.transform_instance_count,
            output_path=self.output_uri("transform_output"),
            accept=config.accept,
            assemble_with=None if config.assemble_with == "None" else config.assemble_with,
            max_payload=config.max_payload_mb,
            sagemaker_session=self.session,
            base_transform_job_name=self.base_job_name,
        )
        step_args = transformer.transform(
            data=inputs["data"],
            content_type=config.content_type,
            split_type=None if config.split_type == "None" else config.split_type,
            input_filter=config.input_filter,
            join_source=None if config.join_source == "None" else config.join_source,
            output_filter=config.output_filter,
        )
        return TransformStep(name=self.node_name, step_args=step_args, depends_on=dependencies)

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {"transform_output": step.properties.TransformOutput.S3OutputPath}
