"""XGBoostTraining: train an XGBoost model on the preprocessed splits."""

from pathlib import Path

from builders.graph.ports import TRAINED_MODEL_OUT, TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

STEP_TYPE = StepType(
    name="XGBoostTraining",
    display_name="XGBoost training",
    category="Training",
    description="Trains an XGBoost model on the train/val/test splits.",
    config_class=XGBoostTrainingConfig,
    builder="builders.step_types.xgboost_training.builder:XGBoostTrainingStepBuilder",
    inputs=(TRAINING_DATA_IN,),
    outputs=(TRAINED_MODEL_OUT,),
    order=30,
    job=Path(__file__).parent / "job",
)
