"""Standard metrics of a model's predictions on labelled data: what evaluation.json holds.

The evaluation job writes `{"problem_type", "rows", "metrics": {name: {"value": v}}}`; a
Condition step reads a metric at `metric_path(name)`, so the two cannot drift apart.
Staged beside the evaluation job; runs in SageMaker containers: Python 3.8, numpy, scikit-learn.
"""

from __future__ import annotations

import math

PROBLEM_METRICS = {
    "binary_classification": ("auc", "accuracy", "f1"),
    "multiclass_classification": ("auc", "accuracy", "f1"),
    "regression": ("rmse", "mae", "r2"),
}
METRICS = ("auc", "accuracy", "f1", "rmse", "mae", "r2")
REPORT_FILE = "evaluation.json"


def metric_path(metric: str) -> str:
    """Where a metric's value sits in evaluation.json (a JsonGet path)."""
    return f"metrics.{metric}.value"


def problem_of(objective: str) -> str:
    """The problem type an XGBoost objective solves."""
    if objective.startswith("binary:"):
        return "binary_classification"
    if objective.startswith("multi:"):
        return "multiclass_classification"
    return "regression"


def score(problem: str, labels, predictions) -> dict:
    """{metric: value} of the predictions against the labels (class indices for
    classification). AUC is left out when it is undefined: one class only, or class
    predictions without probabilities."""
    import numpy as np

    y = np.asarray(labels, dtype="float64")
    predicted = np.asarray(predictions, dtype="float64")
    if len(y) != len(predicted):
        raise ValueError(f"{len(predicted)} predictions for {len(y)} labelled rows")
    if problem == "regression":
        return _regression(y, predicted.reshape(len(y), -1)[:, 0])
    return _classification(problem, y.astype("int64"), predicted)


def _regression(y, predicted) -> dict:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    return {
        "rmse": float(math.sqrt(mean_squared_error(y, predicted))),
        "mae": float(mean_absolute_error(y, predicted)),
        "r2": float(r2_score(y, predicted)),
    }


def _classification(problem: str, y, predicted) -> dict:
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    binary = problem == "binary_classification"
    if predicted.ndim == 2 and predicted.shape[1] > 1:
        probabilities = predicted
        classes = probabilities.argmax(axis=1)
        positive = probabilities[:, 1] if binary else None
    elif binary:  # one column: the positive class's probability (or a 0/1 class)
        positive = predicted.reshape(-1)
        probabilities, classes = None, (positive >= 0.5).astype("int64")
    else:  # class indices only: no probabilities to rank by
        probabilities, positive, classes = None, None, predicted.reshape(-1).astype("int64")
    metrics = {
        "accuracy": float(accuracy_score(y, classes)),
        "f1": float(f1_score(y, classes, average="binary" if binary else "macro")),
    }
    if len(np.unique(y)) > 1:
        if binary:
            metrics["auc"] = float(roc_auc_score(y, positive))
        elif probabilities is not None and len(np.unique(y)) == probabilities.shape[1]:
            metrics["auc"] = float(roc_auc_score(y, probabilities, multi_class="ovr"))
    return {name: metrics[name] for name in PROBLEM_METRICS[problem] if name in metrics}


def report(problem: str, rows: int, metrics: dict) -> dict:
    """The evaluation.json document."""
    return {
        "problem_type": problem,
        "rows": rows,
        "metrics": {name: {"value": value} for name, value in metrics.items()},
    }
