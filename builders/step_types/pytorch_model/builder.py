"""PyTorchModelStepBuilder: a SageMaker model served by the PyTorch container."""

from __future__ import annotations

from builders.compiling.steps.model import ModelStepBuilder
from builders.step_types.pytorch_model.config import PyTorchModelConfig


class PyTorchModelStepBuilder(ModelStepBuilder):
    """Served by the PyTorch container with the inference script under code/ in the archive."""

    config: PyTorchModelConfig
    FRAMEWORK = "pytorch"
