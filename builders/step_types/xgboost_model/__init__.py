"""XGBoostModel: a SageMaker model served by the XGBoost container."""

from builders.contracts import Contract, Needs, ReadsNumbersOnly, Serves
from builders.ports import INFERENCE_CODE, MODEL_ARTIFACTS_IN, MODEL_OUTPUTS, Need
from builders.step_types import StepType
from builders.step_types.xgboost_model.config import XGBoostModelConfig


def contract(config: XGBoostModelConfig, received) -> Contract:
    """Served by the inference code under code/ in its archive (a packaged model), or, with
    no entry point, by the container's default handler, which reads numbers only."""
    field, entry_point = "inference_entry_point", config.inference_entry_point
    if entry_point:
        use = Needs("model_artifacts", field, Need(INFERENCE_CODE))
    else:
        use = ReadsNumbersOnly(
            "model_artifacts",
            field,
            why="the XGBoost container's default handler cannot encode them: batch transform "
            "would not score them as the registered model does",
            remedy="Connect the Packaging node to this model and set inference_entry_point to "
            "its inference script.",
        )
    return Contract(expects=(use, Serves("model_artifacts", field, entry_point)))


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
    contract=contract,
)
