"""Endpoint: creates the endpoint, or switches it to this run's endpoint configuration.

The sandbox serves the model on 127.0.0.1 and sends it the Payload's sample requests
(`local.py`, the `local_run` hook).
"""

from builders.step_types import Port, PortKind, StepKind, StepType
from builders.step_types.endpoint.config import EndpointStepConfig

STEP_TYPE = StepType(
    name="Endpoint",
    display_name="Deploy to endpoint",
    category="Inference",
    description="Deploys a model to a real-time endpoint: creates it, or updates it to the "
    "new endpoint configuration; the sandbox sends it the payload's sample requests.",
    config_class=EndpointStepConfig,
    builder="builders.step_types.endpoint.builder:EndpointStepBuilder",
    inputs=(
        Port("endpoint_config", PortKind.ENDPOINT_CONFIG, "The endpoint configuration to serve."),
        Port(
            "payload",
            PortKind.PAYLOAD_SAMPLES,
            "Sample requests the sandbox sends once the endpoint serves; the endpoint is "
            "tagged with their archive.",
            required=False,
        ),
    ),
    order=74,
    local_run="builders.step_types.endpoint.local:executor_for",
    kinds=(StepKind("Endpoint", request="CreateEndpoint"),),  # never cached
)
