"""Payload: sample requests built from the model's input schema, archived in S3.

Its node panel previews the samples (the `preview` hook). `MIMSPayloadStepBuilder` is the
seed's name of its builder.
"""

from pathlib import Path

from builders.configs.types import VariableType
from builders.contracts import ContentTypes, Contract, SendsFeatures
from builders.ports import CONTENT_TYPES
from builders.step_types import Port, PortKind, StepType
from builders.step_types.payload.config import PayloadConfig


def contract(config: PayloadConfig, received) -> Contract:
    """The samples' formats; their input variables are the packaged model's features."""
    variables = config.source_model_inference_input_variable_list
    formats = ContentTypes(
        tuple(config.source_model_inference_content_types),
        tuple(config.source_model_inference_response_types),
        ("source_model_inference_content_types", "source_model_inference_response_types"),
    )
    return Contract(
        carries={"payload": {CONTENT_TYPES: formats}},
        expects=(
            SendsFeatures(
                "packaged_model",
                "source_model_inference_input_variable_list",
                tuple(variables),
                tuple(name for name, kind in variables.items() if kind is VariableType.TEXT),
            ),
        ),
    )


STEP_TYPE = StepType(
    name="Payload",
    display_name="Payload samples",
    category="Registration",
    description="Builds sample requests from the model's input schema and uploads "
    "them as a tar.gz for testing and registration.",
    config_class=PayloadConfig,
    builder="builders.step_types.payload.builder:PayloadStepBuilder",
    inputs=(
        Port(
            "packaged_model",
            PortKind.PACKAGED_MODEL,
            "Runs after packaging; the samples do not read the model.",
            required=False,
        ),
    ),
    outputs=(
        Port(
            "payload",
            PortKind.PAYLOAD_SAMPLES,
            "S3 URI of the payload archive.",
            carries=frozenset({CONTENT_TYPES}),
        ),
    ),
    order=90,
    job=Path(__file__).parent / "job",
    preview="builders.step_types.payload.samples:preview",
    contract=contract,
)
