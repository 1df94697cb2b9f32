"""XGBoostTraining: train an XGBoost model on the preprocessed splits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from builders.configs.base import BasePipelineConfig
from builders.configs.hyperparameters import XGBoostModelHyperparameters
from builders.configs.types import CodeLocation, InstanceType, ScriptName

XGBoostVersion = Literal["1.5-1", "1.7-1", "3.0-5"]


class XGBoostTrainingConfig(BasePipelineConfig):
    """Trains XGBoost in the SageMaker XGBoost container (script mode)."""

    framework_version: Annotated[
        XGBoostVersion, Field(description="Version of the SageMaker XGBoost container.")
    ] = "1.7-1"
    training_instance_type: Annotated[
        InstanceType, Field(description="Instance type of the training job.")
    ] = "ml.m5.xlarge"
    training_instance_count: Annotated[
        int, Field(ge=1, le=100, description="Number of training instances.")
    ] = 1
    training_volume_size: Annotated[
        int, Field(ge=1, le=16384, description="Disk size of each instance, in GB.")
    ] = 30
    max_runtime_seconds: Annotated[
        int, Field(ge=60, le=2419200, description="Stop the job after this many seconds.")
    ] = 86400
    training_source_dir: Annotated[
        CodeLocation | None,
        Field(
            description="Folder with the training script. Leave empty to use the XGBoost "
            "training script that ships with this tool."
        ),
    ] = None
    training_entry_point: Annotated[
        ScriptName, Field(description="Training script, relative to the training folder.")
    ] = "xgboost_train.py"
    hyperparameters: Annotated[
        XGBoostModelHyperparameters, Field(description="Fields, label and XGBoost settings.")
    ]
