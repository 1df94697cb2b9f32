"""PyTorchTuning: hyperparameter tuning of your PyTorch training; later steps get the best model.

It shares the tuning machinery of XGBoostTuning (its search groups, settings, tuner and the
sandbox's trials); the trials run your training script. The best model carries what the
training's would (its output is `partial`: your script decides what else the archive holds).
"""

from dataclasses import replace

import builders.step_types.pytorch_training as pytorch_training
from builders.ports import TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.pytorch_tuning.config import PyTorchTuningConfig
from builders.step_types.xgboost_tuning import LOCAL_RUN

(TRAINED,) = pytorch_training.STEP_TYPE.outputs
BEST_MODEL_OUT = replace(TRAINED, description="The best trial's model.tar.gz.")

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
    contract=pytorch_training.contract,
)
