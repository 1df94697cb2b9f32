"""XGBoostTrainingStepBuilder: XGBoost script mode, by default with the built-in script."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.training import TrainingStepBuilder
from builders.scripts.metrics import metric_definitions
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig


class XGBoostTrainingStepBuilder(TrainingStepBuilder):
    config: XGBoostTrainingConfig
    FRAMEWORK = "xgboost"

    def estimator_class(self) -> type:
        from sagemaker.xgboost import XGBoost

        return XGBoost

    def estimator_args(self) -> dict[str, Any]:
        # What the built-in script prints shows as the training job's metrics.
        return {"metric_definitions": metric_definitions()}

    def source(self) -> tuple[str | None, str]:
        return self.config.training_source_dir, "training_source_dir"
