"""XGBoostModel and PyTorchModel: create a SageMaker model from trained artifacts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.base import BasePipelineConfig
from builders.configs.pytorch_training import PyTorchContainer
from builders.configs.types import InferenceInstanceType, S3Uri, ScriptName
from builders.configs.xgboost_training import XGBoostVersion


class ModelConfigBase(BasePipelineConfig):
    """Values every model creation step needs."""

    inference_instance_type: Annotated[
        InferenceInstanceType,
        Field(description="Instance type the model is meant to serve on."),
    ] = "ml.m5.large"
    model_data: Annotated[
        S3Uri | None,
        Field(
            description="S3 URI of an existing model.tar.gz. Used only when no parent step "
            "produces model artifacts."
        ),
    ] = None


class XGBoostModelConfig(ModelConfigBase):
    """An XGBoost model served by the SageMaker XGBoost container."""

    framework_version: Annotated[
        XGBoostVersion, Field(description="Version of the SageMaker XGBoost container.")
    ] = "1.7-1"
    inference_entry_point: Annotated[
        ScriptName | None,
        Field(
            description="Inference script inside the model archive's code/ folder (a packaged "
            "model). Leave empty for the container's default handler, which reads numbers only."
        ),
    ] = None


class PyTorchModelConfig(PyTorchContainer, ModelConfigBase):
    """A PyTorch model served by the SageMaker PyTorch container with your inference code."""

    inference_entry_point: Annotated[
        ScriptName,
        Field(description="Inference script inside the model archive's code/ folder."),
    ] = "inference.py"
