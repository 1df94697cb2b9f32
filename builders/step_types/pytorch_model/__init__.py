"""PyTorchModel: a SageMaker model served by the PyTorch container."""

from builders.graph.ports import MODEL_ARTIFACTS_IN, MODEL_OUTPUTS
from builders.step_types import StepType
from builders.step_types.pytorch_model.config import PyTorchModelConfig

STEP_TYPE = StepType(
    name="PyTorchModel",
    display_name="PyTorch model",
    category="Model",
    description="Creates a SageMaker model served by the PyTorch container.",
    config_class=PyTorchModelConfig,
    builder="builders.step_types.pytorch_model.builder:PyTorchModelStepBuilder",
    inputs=(MODEL_ARTIFACTS_IN,),
    outputs=MODEL_OUTPUTS,
    order=60,
)
