"""PyTorchTuning: hyperparameter tuning of your PyTorch training; later steps get the best model.

It uses the tuning machinery every tuning step type shares (`configs/tuning.py` and
`tuning_search.py`, `compiling/steps/tuning.py`, the sandbox's trials in `localrun/tuning.py`);
the trials run your training script. The best model carries what the
training's would (its output is `partial`: your script decides what else the archive holds).
"""

from dataclasses import replace

import builders.step_types.pytorch_training as pytorch_training
from builders.configs.tuning import TUNING
from builders.ports import TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.pytorch_tuning.config import PyTorchTuningConfig

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
    local_run="builders.localrun.tuning:executor_for",  # Tuning steps
    kinds=(TUNING,),
    contract=pytorch_training.contract,
)
