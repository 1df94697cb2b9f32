"""PyTorchTraining: train a PyTorch model with your training script."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from builders.configs.base import BasePipelineConfig, TrainingStepConfigBase
from builders.configs.hyperparameters import PyTorchModelHyperparameters
from builders.configs.types import (
    CodeLocation,
    FieldRuleError,
    ScriptName,
    TrainingInstanceType,
)

PyTorchVersion = Literal["1.13.1", "2.0.1", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.1"]
PyTorchPython = Literal["py39", "py310", "py311"]
# The one Python of each SageMaker PyTorch container (training and inference alike).
PYTORCH_PYTHON = {
    "1.13.1": "py39",
    "2.0.1": "py310",
    "2.1.0": "py310",
    "2.2.0": "py310",
    "2.3.0": "py311",
    "2.4.0": "py311",
    "2.5.1": "py311",
}


def check_pytorch_python(framework_version: str, py_version: str) -> None:
    expected = PYTORCH_PYTHON[framework_version]
    if py_version != expected:
        raise FieldRuleError(
            "py_version", f"PyTorch {framework_version} containers run Python {expected}"
        )


class PyTorchContainer(BasePipelineConfig):
    """The PyTorch container's version and its Python, for the steps that run one."""

    framework_version: Annotated[
        PyTorchVersion, Field(description="Version of the SageMaker PyTorch container.")
    ] = "2.1.0"
    py_version: Annotated[
        PyTorchPython, Field(description="Python version of the PyTorch container.")
    ] = "py310"

    @model_validator(mode="after")
    def _check_python(self) -> PyTorchContainer:
        check_pytorch_python(self.framework_version, self.py_version)
        return self


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
