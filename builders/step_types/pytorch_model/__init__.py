"""PyTorchModel: a SageMaker model served by the PyTorch container."""

from builders.contracts import Contract, Needs, Serves
from builders.ports import INFERENCE_CODE, MODEL_ARTIFACTS_IN, MODEL_OUTPUTS, Need
from builders.step_types import StepType
from builders.step_types.pytorch_model.config import PyTorchModelConfig


def contract(config: PyTorchModelConfig, received) -> Contract:
    """Served by the inference script under code/ in its archive (a packaged model)."""
    field = "inference_entry_point"
    return Contract(
        expects=(
            Needs("model_artifacts", field, Need(INFERENCE_CODE)),
            Serves("model_artifacts", field, config.inference_entry_point),
        )
    )


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
    contract=contract,
)
