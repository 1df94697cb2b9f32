"""XGBoostModel: a SageMaker model served by the XGBoost container."""

from builders.graph.ports import MODEL_ARTIFACTS_IN, MODEL_OUTPUTS
from builders.step_types import StepType
from builders.step_types.xgboost_model.config import XGBoostModelConfig

STEP_TYPE = StepType(
    name="XGBoostModel",
    display_name="XGBoost model",
    category="Model",
    description="Creates a SageMaker model served by the XGBoost container.",
    config_class=XGBoostModelConfig,
    builder="builders.step_types.xgboost_model.builder:XGBoostModelStepBuilder",
    inputs=(MODEL_ARTIFACTS_IN,),
    outputs=MODEL_OUTPUTS,
    order=50,
)
