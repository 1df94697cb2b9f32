"""BatchTransform: score a dataset with a model in a batch transform job."""

from builders.step_types import Port, PortKind, StepType
from builders.step_types.batch_transform.config import BatchTransformConfig

STEP_TYPE = StepType(
    name="BatchTransform",
    display_name="Batch transform",
    category="Inference",
    description="Scores a dataset with a model in a batch transform job.",
    config_class=BatchTransformConfig,
    builder="builders.step_types.batch_transform.builder:BatchTransformStepBuilder",
    inputs=(
        Port("model", PortKind.MODEL, "The SageMaker model that scores the data."),
        Port("data", PortKind.TABULAR_DATA, "The data to score."),
    ),
    outputs=(Port("transform_output", PortKind.TRANSFORM_OUTPUT, "Folder of predictions."),),
    order=70,
)
