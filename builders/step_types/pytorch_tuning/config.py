"""PyTorchTuning: your PyTorch training, tuned: trials over ranges of its hyperparameters."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from builders.configs.hyperparameters import PyTorchModelHyperparameters
from builders.configs.tuning import TuningSettings
from builders.configs.tuning_search import search_space
from builders.configs.types import FieldRuleError
from builders.scripts.metrics import metric_definitions
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig

TUNABLE = ("lr", "batch_size", "max_epochs", "dropout", "optimizer", "early_stop_patience")
PyTorchSearch = search_space(PyTorchModelHyperparameters, TUNABLE)
MAX_METRICS = 40  # SageMaker's MetricDefinitionList
# The validation metrics this tool's scripts print (`val_logloss=0.31`): a script of yours
# that prints them needs no metric definitions of its own.
DEFAULT_METRICS = {
    item["Name"]: item["Regex"] for item in metric_definitions() if item["Name"].startswith("val:")
}


def _default_search() -> PyTorchSearch:
    return PyTorchSearch(
        lr={"search": "range", "min_value": 0.0001, "max_value": 0.01, "scaling": "Logarithmic"}
    )


class PyTorchTuningConfig(TuningSettings, PyTorchTrainingConfig):
    """Runs your PyTorch training with different hyperparameters and keeps the best model.

    Each trial's values reach your script as SageMaker hyperparameters (hyperparameters.json,
    `--lr 0.003`, SM_HP_LR) over the values of settings.json.
    """

    metric_definitions: Annotated[
        dict[str, str],
        Field(
            min_length=1,
            max_length=MAX_METRICS,
            description="The metrics your script prints: name -> a regular expression whose "
            "group captures the value in the job's log.",
        ),
    ] = DEFAULT_METRICS
    objective_metric: Annotated[
        str,
        Field(
            min_length=1,
            max_length=255,
            description="Metric the tuning job optimizes: one of the metric definitions.",
        ),
    ] = "val:logloss"
    hyperparameter_search: Annotated[
        PyTorchSearch,
        Field(
            default_factory=_default_search,
            description="How the tuning job sets each hyperparameter: fixed (the value under "
            "Hyperparameters), a range, or a list of values to try.",
        ),
    ]

    def declared_metrics(self) -> list[str]:
        return list(self.metric_definitions)

    @model_validator(mode="after")
    def _check_metrics(self) -> PyTorchTuningConfig:
        for name, regex in self.metric_definitions.items():
            try:
                groups = re.compile(regex).groups
            except re.error as error:
                raise FieldRuleError(
                    f"metric_definitions.{name}", f"is not a regular expression: {error}"
                ) from None
            if groups < 1 or len(regex) > 500:
                raise FieldRuleError(
                    f"metric_definitions.{name}",
                    "needs a group (...) that captures the value, in 500 characters at most",
                )
        return self
