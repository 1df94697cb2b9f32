"""EndpointConfigStepBuilder: an EndpointConfigStep with one production variant."""

from __future__ import annotations

import re
from typing import Any

from builders.compiling.port_values import model_name
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.endpoint_config.config import EndpointConfigStepConfig
from builders.step_types.endpoint_config.sdk import Variant, endpoint_config_step

CAPTURED_CONTENT = {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]}


class EndpointConfigStepBuilder(StepBuilderBase):
    config: EndpointConfigStepConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        return endpoint_config_step(
            self.sdk,
            self.node_name,
            self.config_name(),
            self.variant(model_name(inputs["model"])),
            data_capture=self.data_capture(),
            session=self.session,
            depends_on=dependencies,
        )

    def variant(self, model_name: Any) -> Variant:
        config = self.config
        if config.serving == "serverless":
            return Variant(
                model_name=model_name,
                variant_name=config.variant_name,
                serverless_memory_mb=config.serverless_memory_mb,
                serverless_max_concurrency=config.serverless_max_concurrency,
            )
        return Variant(
            model_name=model_name,
            variant_name=config.variant_name,
            instance_type=config.instance_type,
            instance_count=config.initial_instance_count,
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
        node = _name_part(self.node_name)[:24] or "config"
        pipeline = _name_part(self.config.pipeline_name)[: 49 - len(node)].rstrip("-")
        prefix = f"{pipeline}-{node}" if pipeline else node
        return self.sdk.join([prefix, self.sdk.execution_id], on="-")

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {"endpoint_config": step.properties.EndpointConfigName}


def _name_part(text: str) -> str:
    """Letters, digits and single hyphens, as SageMaker's resource names take them."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
