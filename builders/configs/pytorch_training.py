"""PyTorchTraining: train a PyTorch model with your training script."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from builders.configs.base import BasePipelineConfig
from builders.configs.hyperparameters import PyTorchModelHyperparameters
from builders.configs.types import CodeLocation, InstanceType, ScriptName

PyTorchVersion = Literal["1.13.1", "2.0.1", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.1"]
PyTorchPython = Literal["py38", "py39", "py310", "py311"]


class PyTorchTrainingConfig(BasePipelineConfig):
    """Trains with your script in the SageMaker PyTorch container."""

    framework_version: Annotated[
        PyTorchVersion, Field(description="Version of the SageMaker PyTorch container.")
    ] = "2.1.0"
    py_version: Annotated[
        PyTorchPython, Field(description="Python version of the PyTorch container.")
    ] = "py310"
    source_dir: Annotated[
        CodeLocation, Field(description="Folder with your training script: local or s3://.")
    ]
    training_entry_point: Annotated[
        ScriptName, Field(description="Training script, relative to source_dir.")
    ] = "train.py"
    training_instance_type: Annotated[
        InstanceType, Field(description="Instance type of the training job.")
    ] = "ml.g5.2xlarge"
    training_instance_count: Annotated[
        int, Field(ge=1, le=100, description="Number of training instances.")
    ] = 1
    training_volume_size: Annotated[
        int, Field(ge=1, le=16384, description="Disk size of each instance, in GB.")
    ] = 30
    max_runtime_seconds: Annotated[
        int, Field(ge=60, le=2419200, description="Stop the job after this many seconds.")
    ] = 86400
    hyperparameters: Annotated[
        PyTorchModelHyperparameters, Field(description="Fields, label and training settings.")
    ]
