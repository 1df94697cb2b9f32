"""Model hyperparameters: the data's fields, the label, and the training settings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from builders.configs.types import FieldName, FieldRuleError
from builders.scripts.features import feature_columns


class ModelHyperparameters(BaseModel):
    """Which fields the model reads, which one it predicts, and the classification settings."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    full_field_list: Annotated[
        list[FieldName],
        Field(min_length=1, description="Every column of the training data, in order."),
    ]
    cat_field_list: Annotated[
        list[FieldName], Field(description="Columns holding categorical values.")
    ] = []
    tab_field_list: Annotated[
        list[FieldName], Field(description="Columns holding numeric values the model uses.")
    ] = []
    label_name: Annotated[FieldName, Field(description="Column the model predicts.")]
    id_name: Annotated[
        FieldName | None, Field(description="Column identifying each row; not a feature.")
    ] = None
    is_binary: Annotated[
        bool, Field(description="Two classes (binary) rather than several (multiclass).")
    ] = True
    num_classes: Annotated[int, Field(ge=2, le=10000, description="Number of classes.")] = 2
    multiclass_categories: Annotated[
        list[int | str], Field(min_length=2, description="The class values, one per class.")
    ] = [0, 1]
    class_weights: Annotated[
        list[Annotated[float, Field(gt=0)]] | None,
        Field(description="Weight of each class in the loss, in the order of the classes."),
    ] = None

    @model_validator(mode="after")
    def _check_fields(self) -> ModelHyperparameters:
        full = set(self.full_field_list)
        if len(full) != len(self.full_field_list):
            raise FieldRuleError("full_field_list", "lists a column twice")
        for name in ("cat_field_list", "tab_field_list"):
            unknown = [f for f in getattr(self, name) if f not in full]
            if unknown:
                raise FieldRuleError(name, f"has columns missing from full_field_list: {unknown}")
        both = sorted(set(self.cat_field_list) & set(self.tab_field_list))
        if both:
            raise FieldRuleError(
                "tab_field_list", f"columns cannot be both categorical and numeric: {both}"
            )
        if self.label_name not in full:
            raise FieldRuleError("label_name", f"'{self.label_name}' is not in full_field_list")
        if self.id_name is not None and self.id_name not in full:
            raise FieldRuleError("id_name", f"'{self.id_name}' is not in full_field_list")
        features = set(self.cat_field_list) | set(self.tab_field_list)
        if self.label_name in features:
            raise FieldRuleError("label_name", f"'{self.label_name}' cannot also be a feature")
        return self

    def model_features(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the features the model reads, in the order the training script hands them to it;
        the categorical ones): scripts/features.py, which the XGBoost training script uses."""
        fields = ("full_field_list", "cat_field_list", "tab_field_list", "label_name", "id_name")
        features, categorical = feature_columns({name: getattr(self, name) for name in fields})
        return tuple(features), tuple(categorical)

    @model_validator(mode="after")
    def _check_classes(self) -> ModelHyperparameters:
        if self.is_binary and self.num_classes != 2:
            raise FieldRuleError("num_classes", "a binary model has num_classes = 2")
        if len(self.multiclass_categories) != self.num_classes:
            raise FieldRuleError(
                "multiclass_categories",
                f"lists {len(self.multiclass_categories)} classes but num_classes is "
                f"{self.num_classes}",
            )
        if self.class_weights is not None and len(self.class_weights) != self.num_classes:
            raise FieldRuleError(
                "class_weights", f"needs one weight per class ({self.num_classes})"
            )
        return self


XGBoostObjective = Literal[
    "binary:logistic", "binary:hinge", "multi:softprob", "multi:softmax",
    "reg:squarederror", "reg:logistic",
]  # fmt: skip
XGBoostMetric = Literal["logloss", "auc", "aucpr", "error", "mlogloss", "merror", "rmse", "mae"]


class XGBoostModelHyperparameters(ModelHyperparameters):
    """ModelHyperparameters plus XGBoost's training settings."""

    num_round: Annotated[int, Field(ge=1, le=100000, description="Boosting rounds.")] = 100
    max_depth: Annotated[int, Field(ge=0, le=64, description="Maximum tree depth.")] = 6
    eta: Annotated[float, Field(gt=0, le=1, description="Learning rate (step shrinkage).")] = 0.3
    gamma: Annotated[float, Field(ge=0, description="Minimum loss reduction to split a leaf.")] = (
        0.0
    )
    min_child_weight: Annotated[
        float, Field(ge=0, description="Minimum sum of instance weight in a child.")
    ] = 1.0
    subsample: Annotated[
        float, Field(gt=0, le=1, description="Fraction of rows sampled for each tree.")
    ] = 1.0
    colsample_bytree: Annotated[
        float, Field(gt=0, le=1, description="Fraction of columns sampled for each tree.")
    ] = 1.0
    lambda_xgb: Annotated[float, Field(ge=0, description="L2 regularization on weights.")] = 1.0
    alpha_xgb: Annotated[float, Field(ge=0, description="L1 regularization on weights.")] = 0.0
    tree_method: Annotated[
        Literal["auto", "exact", "approx", "hist"],
        Field(description="Tree construction algorithm."),
    ] = "hist"
    objective: Annotated[XGBoostObjective, Field(description="Learning objective.")] = (
        "binary:logistic"
    )
    eval_metric: Annotated[
        list[XGBoostMetric], Field(min_length=1, description="Metrics reported on validation.")
    ] = ["logloss", "auc"]
    early_stopping_rounds: Annotated[
        int | None,
        Field(ge=1, description="Stop after this many rounds without validation improvement."),
    ] = 10

    @model_validator(mode="after")
    def _check_objective(self) -> XGBoostModelHyperparameters:
        if self.objective.startswith("binary:") and not self.is_binary:
            raise FieldRuleError("objective", f"{self.objective} needs is_binary = true")
        if self.objective.startswith("multi:") and self.is_binary:
            raise FieldRuleError(
                "objective", f"{self.objective} needs is_binary = false (multiclass)"
            )
        return self


class PyTorchModelHyperparameters(ModelHyperparameters):
    """ModelHyperparameters plus the settings of a PyTorch training loop."""

    batch_size: Annotated[int, Field(ge=1, le=65536, description="Rows per batch.")] = 32
    max_epochs: Annotated[int, Field(ge=1, le=10000, description="Training epochs.")] = 10
    lr: Annotated[float, Field(gt=0, le=10, description="Learning rate.")] = 0.001
    optimizer: Annotated[Literal["SGD", "Adam", "AdamW"], Field(description="Optimizer.")] = "Adam"
    dropout: Annotated[float, Field(ge=0, lt=1, description="Dropout probability.")] = 0.1
    hidden_dims: Annotated[
        list[Annotated[int, Field(ge=1)]],
        Field(min_length=1, description="Sizes of the hidden layers."),
    ] = [128, 64]
    early_stop_patience: Annotated[
        int, Field(ge=1, description="Epochs without improvement before stopping.")
    ] = 3
