"""PyTorchTraining: train a PyTorch model with your training script."""

from builders.graph.ports import TRAINED_MODEL_OUT, TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig

STEP_TYPE = StepType(
    name="PyTorchTraining",
    display_name="PyTorch training",
    category="Training",
    description="Trains a PyTorch model with your training script.",
    config_class=PyTorchTrainingConfig,
    builder="builders.step_types.pytorch_training.builder:PyTorchTrainingStepBuilder",
    inputs=(TRAINING_DATA_IN,),
    outputs=(TRAINED_MODEL_OUT,),
    order=40,
)
