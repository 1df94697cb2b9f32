"""EndpointConfig: the production variant an endpoint serves a model with.

The sandbox creates it in its SageMaker (`local.py`, the `local_run` hook).
"""

from builders.step_types import Port, PortKind, StepKind, StepType
from builders.step_types.endpoint_config.config import EndpointConfigStepConfig

STEP_TYPE = StepType(
    name="EndpointConfig",
    display_name="Endpoint configuration",
    category="Inference",
    description="Says how an endpoint serves a model: instance type and count, or serverless "
    "memory and concurrency, the variant's name and data capture.",
    config_class=EndpointConfigStepConfig,
    builder="builders.step_types.endpoint_config.builder:EndpointConfigStepBuilder",
    inputs=(Port("model", PortKind.MODEL, "The SageMaker model the endpoint serves."),),
    outputs=(
        Port(
            "endpoint_config",
            PortKind.ENDPOINT_CONFIG,
            "Name of the endpoint configuration (one per run).",
        ),
    ),
    order=72,
    local_run="builders.step_types.endpoint_config.local:executor_for",
    kinds=(StepKind("EndpointConfig", request="CreateEndpointConfig"),),  # never cached
)
