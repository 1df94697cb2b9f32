"""XGBoost training job: train a booster on the train channel, validate, and score the test set.

Settings: the XGBoost hyperparameters as JSON at `/opt/ml/input/data/config/settings.json`;
SageMaker hyperparameters of the same names (a tuning job's trial) take their place.
Data: CSV files with a header row in the `train` channel and, optionally, `val` and `test`.
Outputs: `/opt/ml/model/xgboost-model` (the file the SageMaker XGBoost container serves),
`/opt/ml/model/metadata/model_features.json` (feature order, categorical codes, label codes)
and, with a test channel, `/opt/ml/output/data/metrics.json`. Metrics are also printed as
`name=value`. The XGBoost container's default handler loads every file at the root of
/opt/ml/model as a booster, so xgboost-model must stay the only file there.
Runs inside the SageMaker XGBoost container: Python 3.8, pandas, numpy, scikit-learn, xgboost.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, roc_auc_score

try:  # imported as builders.step_types.xgboost_training.job.xgboost_train
    from builders.scripts import container_paths as paths
    from builders.scripts.features import feature_columns, value_key
    from builders.scripts.metrics import metric_line
except ImportError:  # run as a script inside the SageMaker container
    import container_paths as paths
    from features import feature_columns, value_key
    from metrics import metric_line

MODEL_FILE = "xgboost-model"
METADATA_FOLDER = "metadata"  # a sub-folder: the default handler skips folders
FEATURES_FILE = "model_features.json"
METRICS_FILE = "metrics.json"
REQUIRED_SETTINGS = ("full_field_list", "label_name", "objective", "num_round")


def read_channel(name: str, required: bool) -> pd.DataFrame | None:
    """All CSV files of a training channel, or None for a missing optional channel."""
    folder = paths.training_channel(name)
    files = paths.data_files(folder) if folder.is_dir() else []
    if not files:
        if required:
            raise FileNotFoundError(
                f"No data files in the '{name}' channel ({folder}). Connect the training "
                "data (CSV with a header row) to the training step."
            )
        print(f"No '{name}' channel data; skipping it")
        return None
    frame = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
    print(f"Read {len(frame)} rows from the '{name}' channel ({len(files)} file(s))")
    return frame


def check_columns(frame: pd.DataFrame, columns: list[str], channel: str) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ValueError(
            f"The '{channel}' data has no column(s) {missing}. Available columns: "
            f"{list(frame.columns)}. Fix the field lists in the hyperparameters."
        )


def learn_categories(frame: pd.DataFrame, categorical: list[str]) -> dict:
    """{column: {value: code}}, codes 0.. in sorted value order, learned on the train data."""
    mappings = {}
    for name in categorical:
        values = sorted({value_key(v) for v in frame[name].dropna()})
        mappings[name] = {value: code for code, value in enumerate(values)}
    return mappings


def encode_features(frame: pd.DataFrame, features: list[str], mappings: dict) -> pd.DataFrame:
    """The feature matrix: categorical values as codes (unseen or missing -> NaN)."""
    encoded = pd.DataFrame(index=frame.index)
    for name in features:
        column = frame[name]
        if name in mappings:
            codes = [np.nan if pd.isna(v) else mappings[name].get(value_key(v)) for v in column]
            encoded[name] = pd.Series(codes, index=frame.index, dtype="float64")
            continue
        try:
            encoded[name] = pd.to_numeric(column).astype("float64")
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"Column '{name}' is in tab_field_list but holds non-numeric values ({error}). "
                "Move it to cat_field_list."
            ) from error
    return encoded


def is_classification(objective: str) -> bool:
    return objective.startswith(("binary:", "multi:"))


def label_mapping(settings: dict) -> dict:
    """{class value key: class index} from multiclass_categories."""
    categories = settings.get("multiclass_categories") or []
    if len(categories) < 2:
        raise ValueError(
            f"multiclass_categories is {categories}; a classifier needs at least two classes."
        )
    mapping = {value_key(value): index for index, value in enumerate(categories)}
    if len(mapping) != len(categories):
        raise ValueError(f"multiclass_categories lists a class twice: {categories}")
    num_classes = settings.get("num_classes", len(categories))
    if len(mapping) != num_classes:
        raise ValueError(
            f"multiclass_categories has {len(mapping)} classes but num_classes is {num_classes}."
        )
    return mapping


def encode_labels(column: pd.Series, mapping: dict | None, channel: str) -> np.ndarray:
    """Class indices for classification (mapping given), numbers for regression."""
    if mapping is None:
        return pd.to_numeric(column).to_numpy(dtype="float64")
    keys = [value_key(v) for v in column]
    unknown = sorted({key for key in keys if key not in mapping})
    if unknown:
        raise ValueError(
            f"The '{channel}' labels have values not in multiclass_categories: {unknown[:10]}. "
            f"Known classes: {list(mapping)}. Fix multiclass_categories or the data."
        )
    return np.array([mapping[key] for key in keys], dtype="float64")


def make_dmatrix(
    frame: pd.DataFrame, channel: str, settings: dict, description: dict
) -> tuple[xgb.DMatrix, np.ndarray]:
    """(DMatrix, labels) of one channel; per-row weights when class_weights is set.

    The DMatrix carries no feature names, so the served model accepts plain CSV rows.
    """
    label_name = settings["label_name"]
    features = description["features"]
    labels = description["label_mapping"] or None
    check_columns(frame, [*features, label_name], channel)
    missing = frame[label_name].isna()
    if missing.any():
        print(f"Dropping {int(missing.sum())} '{channel}' row(s) without a label")
        frame = frame[~missing]
    y = encode_labels(frame[label_name], labels, channel)
    weights = None
    class_weights = settings.get("class_weights")
    if class_weights and labels is not None:
        weights = np.asarray(class_weights, dtype="float64")[y.astype("int64")]
    x = encode_features(frame, features, description["categorical_mappings"])
    return xgb.DMatrix(x.to_numpy(dtype="float64"), label=y, weight=weights), y


def xgboost_params(settings: dict) -> dict:
    """The xgboost.train parameters from the hyperparameters."""
    params = {
        "eta": settings.get("eta", 0.3),
        "max_depth": settings.get("max_depth", 6),
        "gamma": settings.get("gamma", 0.0),
        "min_child_weight": settings.get("min_child_weight", 1.0),
        "subsample": settings.get("subsample", 1.0),
        "colsample_bytree": settings.get("colsample_bytree", 1.0),
        "lambda": settings.get("lambda_xgb", 1.0),
        "alpha": settings.get("alpha_xgb", 0.0),
        "tree_method": settings.get("tree_method", "hist"),
        "objective": settings["objective"],
        "eval_metric": list(settings.get("eval_metric") or []),
    }
    if settings["objective"].startswith("multi:"):
        params["num_class"] = int(settings.get("num_classes", 2))
    if not params["eval_metric"]:
        del params["eval_metric"]
    return params


def score(booster: xgb.Booster, dmatrix: xgb.DMatrix, y: np.ndarray, settings: dict) -> dict:
    """Metrics of the booster's predictions against the true labels y."""
    objective = settings["objective"]
    predictions = booster.predict(dmatrix)
    if not is_classification(objective):
        error = predictions - y
        return {
            "rmse": float(np.sqrt(np.mean(error**2))),
            "mae": float(mean_absolute_error(y, predictions)),
        }
    y = y.astype("int64")
    if objective in ("binary:hinge", "multi:softmax"):
        return {"accuracy": float(accuracy_score(y, predictions))}
    if objective.startswith("binary:"):
        probabilities = np.column_stack([1 - predictions, predictions])
    else:
        probabilities = predictions
    metrics = {"accuracy": float(accuracy_score(y, probabilities.argmax(axis=1)))}
    classes = list(range(probabilities.shape[1]))
    metrics["logloss"] = float(log_loss(y, probabilities, labels=classes))
    if len(set(y.tolist())) == len(classes):  # AUC needs every class in the labels
        if len(classes) == 2:
            metrics["auc"] = float(roc_auc_score(y, predictions))
        else:
            metrics["auc"] = float(roc_auc_score(y, probabilities, multi_class="ovr"))
    return metrics


def report(metrics: dict, prefix: str) -> dict:
    """Print `<prefix>_<metric>=<value>` lines (the job's metric definitions read them); return
    the named dict."""
    for name, value in metrics.items():
        print(metric_line(prefix, name, value))
    return {f"{prefix}_{name}": value for name, value in metrics.items()}


def check_settings(settings: dict) -> None:
    missing = [name for name in REQUIRED_SETTINGS if name not in settings]
    if missing:
        raise ValueError(f"The hyperparameters miss {missing}; pass the full hyperparameters.")


def describe(settings: dict, train_frame: pd.DataFrame) -> dict:
    """What serving needs: feature order, categorical codes and label codes."""
    features, categorical = feature_columns(settings)
    check_columns(train_frame, features, "train")
    objective = settings["objective"]
    return {
        "features": features,
        "categorical_mappings": learn_categories(train_frame, categorical),
        "label_name": settings["label_name"],
        "objective": objective,
        "label_mapping": label_mapping(settings) if is_classification(objective) else {},
    }


def fit(settings: dict, data: dict) -> xgb.Booster:
    """Train on data["train"], watching data["val"] (with early stopping) when it exists."""
    evals = [(data[name][0], name) for name in ("train", "val") if name in data]
    early_stopping = settings.get("early_stopping_rounds") if "val" in data else None
    booster = xgb.train(
        xgboost_params(settings),
        data["train"][0],
        num_boost_round=int(settings["num_round"]),
        evals=evals,
        early_stopping_rounds=early_stopping,
    )
    if early_stopping and booster.best_iteration + 1 < booster.num_boosted_rounds():
        # Keep the best rounds only: the serving container predicts with every tree.
        booster = booster[: booster.best_iteration + 1]
        print(f"Early stopping: kept {booster.num_boosted_rounds()} round(s)")
    return booster


def save_model(booster: xgb.Booster, description: dict) -> Path:
    model_dir = paths.model_dir()
    model_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(model_dir / MODEL_FILE))
    (model_dir / METADATA_FOLDER).mkdir(exist_ok=True)
    with open(model_dir / METADATA_FOLDER / FEATURES_FILE, "w", encoding="utf-8") as handle:
        json.dump(description, handle, indent=2)
    print(f"Saved the model to {model_dir / MODEL_FILE}")
    return model_dir / MODEL_FILE


def evaluate(booster: xgb.Booster, settings: dict, data: dict) -> dict:
    """Print val and test metrics; write the test metrics to metrics.json. Return them."""
    results = {}
    for channel in ("val", "test"):
        if channel in data:
            dmatrix, y = data[channel]
            results[channel] = report(score(booster, dmatrix, y, settings), channel)
    if "test" in results:
        output_dir = paths.training_output_data()
        output_dir.mkdir(parents=True, exist_ok=True)
        with open(output_dir / METRICS_FILE, "w", encoding="utf-8") as handle:
            json.dump(results["test"], handle, indent=2)
    return results


def main() -> dict:
    settings = paths.training_settings()  # a tuning job's hyperparameters over settings.json
    check_settings(settings)
    print(f"XGBoost training: objective={settings['objective']}")
    train_frame = read_channel("train", required=True)
    description = describe(settings, train_frame)
    # Read every channel before training so that bad val or test data fails fast.
    data = {"train": make_dmatrix(train_frame, "train", settings, description)}
    for channel in ("val", "test"):
        frame = read_channel(channel, required=False)
        if frame is not None:
            data[channel] = make_dmatrix(frame, channel, settings, description)
    booster = fit(settings, data)
    save_model(booster, description)
    return evaluate(booster, settings, data)


if __name__ == "__main__":
    main()
