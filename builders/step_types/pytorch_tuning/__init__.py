"""PyTorchTuning: hyperparameter tuning of your PyTorch training; later steps get the best model.

It shares the tuning machinery of XGBoostTuning (its search groups, settings, tuner and the
sandbox's trials); the trials run your training script.
"""

from builders.graph.ports import TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.pytorch_tuning.config import PyTorchTuningConfig
from builders.step_types.xgboost_tuning import BEST_MODEL_OUT, LOCAL_RUN

STEP_TYPE = StepType(
    name="PyTorchTuning",
    display_name="Tune PyTorch",
    category="Training",
    description="Tunes your PyTorch training's hyperparameters: trains with values from "
    "ranges you set, keeps the model with the best validation metric.",
    config_class=PyTorchTuningConfig,
    builder="builders.step_types.pytorch_tuning.builder:PyTorchTuningStepBuilder",
    inputs=(TRAINING_DATA_IN,),
    outputs=(BEST_MODEL_OUT,),
    order=45,
    local_run=LOCAL_RUN,
)
