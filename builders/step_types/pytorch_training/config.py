"""PyTorchTraining: train a PyTorch model with your training script."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.base import TrainingStepConfigBase
from builders.configs.containers import PyTorchContainer
from builders.configs.hyperparameters import PyTorchModelHyperparameters
from builders.configs.types import CodeLocation, ScriptName, TrainingInstanceType


class PyTorchTrainingConfig(PyTorchContainer, TrainingStepConfigBase):
    """Trains with your script in the SageMaker PyTorch container."""

    source_dir: Annotated[
        CodeLocation, Field(description="Folder with your training script: local or s3://.")
    ]
    training_entry_point: Annotated[
        ScriptName, Field(description="Training script, relative to source_dir.")
    ] = "train.py"
    training_instance_type: Annotated[
        TrainingInstanceType, Field(description="Instance type of the training job.")
    ] = "ml.g5.2xlarge"
    hyperparameters: Annotated[
        PyTorchModelHyperparameters, Field(description="Fields, label and training settings.")
    ]
