"""ModelEvaluation: score the trained model on the test split; write evaluation.json."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from builders.configs.base import ProcessingStepConfigBase
from builders.configs.containers import check_framework_container
from builders.configs.types import ADVANCED, CodeLocation, FieldName, ScriptName

ProblemType = Literal["auto", "binary_classification", "multiclass_classification", "regression"]


class ModelEvaluationConfig(ProcessingStepConfigBase):
    """Scores the model with its own inference code, in its framework's container."""

    processing_entry_point: Annotated[
        ScriptName, ADVANCED, Field(description="Python script the job runs.")
    ] = "model_evaluation.py"
    label_name: Annotated[FieldName, Field(description="Column holding the true label.")]
    problem_type: Annotated[
        ProblemType,
        Field(
            description="Which metrics to compute: AUC, accuracy and F1 for classification; "
            "RMSE, MAE and R2 for regression. auto follows the training's objective."
        ),
    ] = "auto"
    split: Annotated[
        Literal["test", "val"], Field(description="Split of the preprocessed data to score.")
    ] = "test"
    framework: Annotated[
        Literal["xgboost", "pytorch", "sklearn"],
        Field(description="Framework container the job runs in: the model's, so its "
              "inference code imports."),
    ] = "xgboost"  # fmt: skip
    inference_source_dir: Annotated[
        CodeLocation | None,
        Field(
            description="Folder with the model's inference code (the one Packaging puts into "
            "the archive). Leave empty when the model archive has a code/ folder."
        ),
    ] = None
    inference_entry_point: Annotated[
        ScriptName, Field(description="Inference script with model_fn, input_fn, predict_fn.")
    ] = "inference.py"
    content_type: Annotated[
        Literal["text/csv", "application/json"],
        Field(description="Format the rows are handed to input_fn in."),
    ] = "text/csv"

    @model_validator(mode="after")
    def _check_container(self) -> ModelEvaluationConfig:
        if self.framework != "sklearn":  # sklearn runs processing_framework_version
            check_framework_container(self.framework, self.framework_version, self.py_version)
        return self
