"""PyTorchTrainingStepBuilder: your training script in the SageMaker PyTorch container."""

from __future__ import annotations

from builders.compiling.steps.training import TrainingStepBuilder
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig


class PyTorchTrainingStepBuilder(TrainingStepBuilder):
    config: PyTorchTrainingConfig
    FRAMEWORK = "pytorch"

    def source(self) -> tuple[str | None, str]:
        return self.config.source_dir, "source_dir"
