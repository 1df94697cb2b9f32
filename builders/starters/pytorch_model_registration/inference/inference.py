"""Inference handlers for a TorchScript model (model.pt) in the SageMaker PyTorch container.

The Packaging step puts this file under code/ of model.tar.gz. Requests are CSV rows of
numeric features, or JSON objects keyed by feature name in the order of FEATURES below.
Replace FEATURES and the model file with yours.
"""

from __future__ import annotations

import csv
import io
import json
import os

import torch

FEATURES = ["account_age", "transaction_count", "amount"]


def model_fn(model_dir: str):
    model = torch.jit.load(os.path.join(model_dir, "model.pt"), map_location="cpu")
    model.eval()
    return model


def input_fn(body, content_type: str) -> torch.Tensor:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if content_type == "text/csv":
        rows = [[float(v) for v in row] for row in csv.reader(io.StringIO(text)) if row]
    elif content_type == "application/json":
        records = json.loads(text)
        records = records if isinstance(records, list) else [records]
        rows = [[float(record[name]) for name in FEATURES] for record in records]
    else:
        raise ValueError(f"Unsupported content type {content_type}")
    return torch.tensor(rows, dtype=torch.float32)


def predict_fn(features: torch.Tensor, model) -> torch.Tensor:
    with torch.no_grad():
        return torch.sigmoid(model(features)).squeeze(-1)


def output_fn(scores: torch.Tensor, accept: str):
    values = scores.tolist()
    if accept == "text/csv":
        return "\n".join(str(v) for v in values), accept
    return json.dumps({"predictions": [{"fraud_score": v} for v in values]}), "application/json"
