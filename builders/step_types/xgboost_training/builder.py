"""XGBoostTrainingStepBuilder: XGBoost script mode, by default with the built-in script."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from builders.compiling.steps.training import TrainingStepBuilder
from builders.scripts.metrics import metric_definitions
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig


class XGBoostTrainingStepBuilder(TrainingStepBuilder):
    config: XGBoostTrainingConfig
    FRAMEWORK = "xgboost"

    def metric_definitions(self) -> Sequence[Mapping[str, str]]:
        # What the built-in script prints shows as the training job's metrics.
        return metric_definitions()

    def source(self) -> tuple[str | None, str]:
        return self.config.training_source_dir, "training_source_dir"
