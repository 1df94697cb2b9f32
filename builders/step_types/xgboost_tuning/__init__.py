"""XGBoostTuning: hyperparameter tuning of the XGBoost training; later steps get the best model.

Its trials run the XGBoost training's job (the same staged script). The sandbox runs them
one after another (`localrun/tuning.py`, the `local_run` hook): SageMaker's runner has no
tuning. What the best model carries is what the training's would (the search tunes neither
the features nor the objective), so the training's contract is its contract.
"""

from dataclasses import replace
from pathlib import Path

import builders.step_types.xgboost_training as xgboost_training
from builders.configs.tuning import TUNING
from builders.ports import TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.xgboost_tuning.config import XGBoostTuningConfig

(TRAINED,) = xgboost_training.STEP_TYPE.outputs
BEST_MODEL_OUT = replace(TRAINED, description="The best trial's model.tar.gz.")

STEP_TYPE = StepType(
    name="XGBoostTuning",
    display_name="Tune XGBoost",
    category="Training",
    description="Tunes XGBoost's hyperparameters: trains with values from ranges you set, "
    "keeps the model with the best validation metric.",
    config_class=XGBoostTuningConfig,
    builder="builders.step_types.xgboost_tuning.builder:XGBoostTuningStepBuilder",
    inputs=(TRAINING_DATA_IN,),
    outputs=(BEST_MODEL_OUT,),
    order=35,
    job=Path(xgboost_training.__file__).parent / "job",
    local_run="builders.localrun.tuning:executor_for",  # Tuning steps
    kinds=(TUNING,),
    contract=xgboost_training.contract,
)
