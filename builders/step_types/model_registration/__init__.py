"""ModelRegistration: register the packaged model in the SageMaker Model Registry."""

from builders.step_types import Port, PortKind, StepType
from builders.step_types.model_registration.config import RegistrationConfig

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
)
