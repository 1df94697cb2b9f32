"""XGBoostTraining: train an XGBoost model on the preprocessed splits."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.base import TrainingStepConfigBase
from builders.configs.hyperparameters import XGBoostModelHyperparameters
from builders.configs.types import CodeLocation, ScriptName, XGBoostVersion


class XGBoostTrainingConfig(TrainingStepConfigBase):
    """Trains XGBoost in the SageMaker XGBoost container (script mode)."""

    framework_version: Annotated[
        XGBoostVersion, Field(description="Version of the SageMaker XGBoost container.")
    ] = "1.7-1"
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
