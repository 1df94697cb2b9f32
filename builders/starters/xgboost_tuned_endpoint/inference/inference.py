"""Inference handlers for the XGBoost model trained by the XGBoostTraining job (xgboost_train.py).

The Packaging step puts this file under code/ of model.tar.gz; the SageMaker XGBoost container
calls model_fn, input_fn, predict_fn and output_fn. Requests are CSV rows of the features in
training order, or JSON objects (one or a list) keyed by feature name. Python 3.8 compatible.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os

import numpy as np
import xgboost as xgb

MODEL_FILE = "xgboost-model"
FEATURES_FILE = os.path.join("metadata", "model_features.json")


def model_fn(model_dir: str) -> dict:
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, MODEL_FILE))
    with open(os.path.join(model_dir, FEATURES_FILE), encoding="utf-8") as handle:
        description = json.load(handle)
    return {"booster": booster, **description}


def input_fn(body, content_type: str) -> list:
    """Rows of raw feature values; CSV rows in feature order, JSON objects by feature name."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if content_type == "text/csv":
        return [row for row in csv.reader(io.StringIO(text)) if row]
    if content_type == "application/json":
        records = json.loads(text)
        return records if isinstance(records, list) else [records]
    raise ValueError(f"Unsupported content type {content_type}; send text/csv or application/json")


def predict_fn(rows: list, model: dict) -> np.ndarray:
    features = model["features"]
    matrix = [
        [_encode(model, name, _value(row, index, name)) for index, name in enumerate(features)]
        for row in rows
    ]
    return model["booster"].predict(xgb.DMatrix(np.array(matrix, dtype="float64")))


def output_fn(predictions: np.ndarray, accept: str):
    rows = predictions.tolist()
    if accept == "text/csv":
        lines = [",".join(map(str, row if isinstance(row, list) else [row])) for row in rows]
        return "\n".join(lines), accept
    return json.dumps({"predictions": rows}), "application/json"


def _value(row, index: int, name: str):
    if isinstance(row, dict):
        if name not in row:
            raise ValueError(f"The request has no value for feature '{name}'")
        return row[name]
    if index >= len(row):
        raise ValueError(f"The CSV row has {len(row)} values; the model needs one per feature")
    return row[index]


def _encode(model: dict, name: str, value) -> float:
    mapping = model["categorical_mappings"].get(name)
    if mapping is None:
        return float(value) if value not in ("", None) else math.nan
    code = mapping.get(_value_key(value))
    return math.nan if code is None else float(code)


def _value_key(value) -> str:
    """The training script's normalisation: 1, 1.0 and "1" are the same category."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if math.isfinite(number) and number.is_integer() else text
