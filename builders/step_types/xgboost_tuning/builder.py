"""XGBoostTuningStepBuilder: the XGBoost training step's job, tuned by the SDK's TuningStep."""

from __future__ import annotations

from builders.compiling.steps.tuning import TuningStepBuilderMixin
from builders.scripts.metrics import metric_definitions
from builders.step_types.xgboost_training.builder import XGBoostTrainingStepBuilder
from builders.step_types.xgboost_tuning.config import XGBoostTuningConfig


class XGBoostTuningStepBuilder(TuningStepBuilderMixin, XGBoostTrainingStepBuilder):
    config: XGBoostTuningConfig

    def metric_definitions(self) -> list[dict[str, str]]:
        return metric_definitions()
