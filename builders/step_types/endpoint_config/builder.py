"""EndpointConfigStepBuilder: the SDK's EndpointConfigStep with one production variant."""

from __future__ import annotations

import re
from typing import Any

from builders.compiling.port_values import model_name
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.endpoint_config.config import EndpointConfigStepConfig

CAPTURED_CONTENT = {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]}


class EndpointConfigStepBuilder(StepBuilderBase):
    config: EndpointConfigStepConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        from sagemaker.workflow.endpoint_step import EndpointConfigStep

        step_args = self.session.create_endpoint_config(
            name=self.config_name(),
            production_variants=[self.variant(model_name(inputs["model"]))],
            data_capture_config_dict=self.data_capture(),
        )
        return EndpointConfigStep(
            name=self.node_name, step_args=step_args, depends_on=dependencies or None
        )

    def variant(self, model_name: Any) -> dict[str, Any]:
        from sagemaker.session import production_variant

        config = self.config
        if config.serving == "serverless":
            serverless = {
                "MemorySizeInMB": config.serverless_memory_mb,
                "MaxConcurrency": config.serverless_max_concurrency,
            }
            return production_variant(
                model_name,
                variant_name=config.variant_name,
                serverless_inference_config=serverless,
            )
        return production_variant(
            model_name,
            config.instance_type,
            config.initial_instance_count,
            variant_name=config.variant_name,
        )

    def data_capture(self) -> dict[str, Any] | None:
        config = self.config
        if not config.data_capture:
            return None
        return {
            "EnableCapture": True,
            "InitialSamplingPercentage": config.data_capture_percentage,
            "DestinationS3Uri": config.effective_data_capture_s3_uri,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            "CaptureContentTypeHeader": CAPTURED_CONTENT,
        }

    def config_name(self) -> Any:
        """`<pipeline>-<node>-<execution id>` in SageMaker's 63 characters (the pipeline's
        name cut first): each run makes a configuration of its own (SageMaker refuses a name
        that exists), which the endpoint step switches to."""
        from sagemaker.workflow.execution_variables import ExecutionVariables
        from sagemaker.workflow.functions import Join

        node = _name_part(self.node_name)[:24] or "config"
        pipeline = _name_part(self.config.pipeline_name)[: 49 - len(node)].rstrip("-")
        prefix = f"{pipeline}-{node}" if pipeline else node
        return Join(on="-", values=[prefix, ExecutionVariables.PIPELINE_EXECUTION_ID])

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {"endpoint_config": step.properties.EndpointConfigName}


def _name_part(text: str) -> str:
    """Letters, digits and single hyphens, as SageMaker's resource names take them."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
