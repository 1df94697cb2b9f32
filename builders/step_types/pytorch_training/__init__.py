"""PyTorchTraining: train a PyTorch model with your training script."""

from dataclasses import replace

from builders.contracts import Contract, Features, ReadsColumns
from builders.ports import FEATURES, TRAINED_MODEL_OUT, TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig


def contract(config: PyTorchTrainingConfig, received) -> Contract:
    """The model reads the features its hyperparameters list (numeric, then categorical).
    What else its archive holds (inference code under code/, model_features.json naming its
    objective) your script decides: its output is `partial`."""
    settings = config.hyperparameters
    features, categorical = settings.model_features()
    return Contract(
        carries={"model_artifacts": {FEATURES: Features(features, categorical)}},
        expects=(
            ReadsColumns("training_data", "hyperparameters", (*features, settings.label_name)),
        ),
    )


STEP_TYPE = StepType(
    name="PyTorchTraining",
    display_name="PyTorch training",
    category="Training",
    description="Trains a PyTorch model with your training script.",
    config_class=PyTorchTrainingConfig,
    builder="builders.step_types.pytorch_training.builder:PyTorchTrainingStepBuilder",
    inputs=(TRAINING_DATA_IN,),
    outputs=(replace(TRAINED_MODEL_OUT, partial=True),),
    order=40,
    contract=contract,
)
