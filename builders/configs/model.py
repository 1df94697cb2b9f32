"""XGBoostModel and PyTorchModel: create a SageMaker model from trained artifacts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from builders.configs.base import BasePipelineConfig
from builders.configs.pytorch_training import PyTorchPython, PyTorchVersion, check_pytorch_python
from builders.configs.types import InstanceType, S3Uri, ScriptName
from builders.configs.xgboost_training import XGBoostVersion


class ModelConfigBase(BasePipelineConfig):
    """Values every model creation step needs."""

    inference_instance_type: Annotated[
        InstanceType, Field(description="Instance type the model is meant to serve on.")
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


class PyTorchModelConfig(ModelConfigBase):
    """A PyTorch model served by the SageMaker PyTorch container with your inference code."""

    framework_version: Annotated[
        PyTorchVersion, Field(description="Version of the SageMaker PyTorch container.")
    ] = "2.1.0"
    py_version: Annotated[
        PyTorchPython, Field(description="Python version of the PyTorch container.")
    ] = "py310"
    inference_entry_point: Annotated[
        ScriptName,
        Field(description="Inference script inside the model archive's code/ folder."),
    ] = "inference.py"

    @model_validator(mode="after")
    def _check_python(self) -> PyTorchModelConfig:
        check_pytorch_python(self.framework_version, self.py_version)
        return self
