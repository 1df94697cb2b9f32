"""PyTorchTuningStepBuilder: your PyTorch training job, tuned by the SDK's TuningStep."""

from __future__ import annotations

from builders.compiling.steps.tuning import TuningStepBuilderMixin
from builders.step_types.pytorch_training.builder import PyTorchTrainingStepBuilder
from builders.step_types.pytorch_tuning.config import PyTorchTuningConfig


class PyTorchTuningStepBuilder(TuningStepBuilderMixin, PyTorchTrainingStepBuilder):
    config: PyTorchTuningConfig

    def metric_definitions(self) -> list[dict[str, str]]:
        return [
            {"Name": name, "Regex": regex} for name, regex in self.config.metric_definitions.items()
        ]
