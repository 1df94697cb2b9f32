"""PyTorchModel's config: the model artifacts and the PyTorch serving container."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.containers import PyTorchContainer
from builders.configs.model_base import ModelConfigBase
from builders.configs.types import ScriptName


class PyTorchModelConfig(PyTorchContainer, ModelConfigBase):
    """A PyTorch model served by the SageMaker PyTorch container with your inference code."""

    inference_entry_point: Annotated[
        ScriptName,
        Field(description="Inference script inside the model archive's code/ folder."),
    ] = "inference.py"
