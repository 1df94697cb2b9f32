"""ModelRegistration: register the packaged model in the SageMaker Model Registry."""

from builders.contracts import Accepts, Contract, Serves
from builders.step_types import Port, PortKind, StepType
from builders.step_types.model_registration.config import RegistrationConfig


def contract(config: RegistrationConfig, received) -> Contract:
    """The formats the registered model accepts and answers in; how it is served (the model
    as deployed, which a model step of the same training must serve alike)."""
    return Contract(
        expects=(
            Accepts(
                "payload",
                "content_types",
                tuple(config.content_types),
                tuple(config.response_types),
                ("content_types", "response_types"),
            ),
            Serves(
                "packaged_model",
                "inference_entry_point",
                config.inference_entry_point,
                reference=True,
            ),
        )
    )


STEP_TYPE = StepType(
    name="ModelRegistration",
    display_name="Model registration",
    category="Registration",
    description="Registers the packaged model in the SageMaker Model Registry.",
    config_class=RegistrationConfig,
    builder="builders.step_types.model_registration.builder:ModelRegistrationStepBuilder",
    inputs=(
        Port("packaged_model", PortKind.PACKAGED_MODEL, "The model.tar.gz to register."),
        Port("payload", PortKind.PAYLOAD_SAMPLES, "Sample requests for the model.", False),
        Port(
            "evaluation",
            PortKind.EVALUATION,
            "The model's evaluation, recorded as its model quality metrics.",
            False,
        ),
    ),
    order=100,
    contract=contract,
)
