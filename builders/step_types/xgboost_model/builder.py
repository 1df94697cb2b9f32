"""XGBoostModelStepBuilder: a SageMaker model served by the XGBoost container."""

from __future__ import annotations

from builders.compiling.steps.model import ModelStepBuilder
from builders.step_types.xgboost_model.config import XGBoostModelConfig


class XGBoostModelStepBuilder(ModelStepBuilder):
    """Served by the inference code of a packaged model, or the container's default handler."""

    config: XGBoostModelConfig
    FRAMEWORK = "xgboost"
