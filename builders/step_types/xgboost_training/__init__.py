"""XGBoostTraining: train an XGBoost model on the preprocessed splits."""

from dataclasses import replace
from pathlib import Path

from builders.contracts import Contract, Features, ReadsColumns
from builders.ports import FEATURES, PROBLEM_TYPE, TRAINED_MODEL_OUT, TRAINING_DATA_IN
from builders.step_types import StepType
from builders.step_types.model_evaluation.job.scoring import problem_of
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig


def contract(config: XGBoostTrainingConfig, received) -> Contract:
    """The model reads the features xgboost_train.py orders, and its archive names its
    objective (model_features.json), from which an evaluation learns its problem type."""
    settings = config.hyperparameters
    features, categorical = settings.model_features()
    return Contract(
        carries={
            "model_artifacts": {
                FEATURES: Features(features, categorical),
                PROBLEM_TYPE: problem_of(settings.objective),
            }
        },
        expects=(
            ReadsColumns("training_data", "hyperparameters", (*features, settings.label_name)),
        ),
    )


STEP_TYPE = StepType(
    name="XGBoostTraining",
    display_name="XGBoost training",
    category="Training",
    description="Trains an XGBoost model on the train/val/test splits.",
    config_class=XGBoostTrainingConfig,
    builder="builders.step_types.xgboost_training.builder:XGBoostTrainingStepBuilder",
    inputs=(TRAINING_DATA_IN,),
    outputs=(replace(TRAINED_MODEL_OUT, carries=frozenset({FEATURES, PROBLEM_TYPE})),),
    order=30,
    job=Path(__file__).parent / "job",
    contract=contract,
)
