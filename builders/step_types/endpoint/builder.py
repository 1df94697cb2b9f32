"""EndpointStepBuilder: the SDK's EndpointStep, creating or updating the endpoint."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.endpoint.config import EndpointStepConfig
from builders.step_types.endpoint.sdk import endpoint_step

# The tag that tells the sandbox which sample requests to send once the endpoint serves (the
# Payload step's archive). On AWS it records which samples the endpoint was deployed with.
SAMPLE_PAYLOAD_TAG = "sagemaker-pipeline-designer:sample-payload"


class EndpointStepBuilder(StepBuilderBase):
    config: EndpointStepConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        payload = inputs.get("payload")
        tags = [{"Key": SAMPLE_PAYLOAD_TAG, "Value": payload}] if payload is not None else None
        return endpoint_step(
            self.sdk,
            self.node_name,
            self.config.effective_endpoint_name,
            inputs["endpoint_config"],
            tags=tags,
            session=self.session,
            depends_on=dependencies,
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {}  # no step reads from an endpoint
