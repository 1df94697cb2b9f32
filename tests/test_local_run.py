"""The xgboost starter's jobs, run locally from the compiled definition, end to end.

Raw CSV -> DataLoading -> TabularPreprocessing -> XGBoostTraining -> Packaging (with the
starter's inference code) -> the packaged model answers the Payload step's sample request.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tarfile

import numpy as np
import pandas as pd
import pytest
from local_jobs import LocalRun
from support import load_starter

from builders.compile import compile_pipeline

pytestmark = pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning")


def fraud_data(rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    amount = rng.uniform(0, 1000, rows)
    return pd.DataFrame(
        {
            "transaction_id": range(rows),
            "is_fraud": (amount > 700).astype(int),
            "account_age": rng.integers(1, 3000, rows),
            "transaction_count": rng.integers(0, 50, rows),
            "amount": amount,
        }
    )


def load_inference(code_dir):
    spec = importlib.util.spec_from_file_location("starter_inference", code_dir / "inference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_starter_runs_end_to_end_on_local_data(tmp_path):
    dag, configs, folder = load_starter("xgboost_end_to_end")
    run = LocalRun(compile_pipeline(dag, configs, base_dir=folder), tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    fraud_data().to_csv(raw / "transactions.csv", index=False)

    loaded = run.processing("DataLoadingTraining", source_0=raw)
    signature = (loaded["signature"] / "signature").read_text().strip()
    assert signature == "transaction_id,is_fraud,account_age,transaction_count,amount"

    splits = run.processing(
        "TabularPreprocessing", data=loaded["data"], signature=loaded["signature"]
    )["processed_data"]
    assert {p.name for p in splits.iterdir()} == {"train", "val", "test"}

    model = run.training(
        "XGBoostTraining",
        train=splits / "train",
        val=splits / "val",
        test=splits / "test",
    )
    metrics = json.loads(
        (run.local("XGBoostTraining", "/opt/ml/output/data") / "metrics.json").read_text()
    )
    assert metrics["test_auc"] > 0.9

    packaged = run.processing("Packaging", model=model)["packaged_model"] / "model.tar.gz"
    served = tmp_path / "served"
    with tarfile.open(packaged) as archive:
        archive.extractall(served, filter="data")
    assert (served / "xgboost-model").is_file() and (served / "code" / "inference.py").is_file()

    payload_dir = run.processing("Payload")["payload"]
    with tarfile.open(payload_dir / "FraudDetection.tar.gz") as archive:
        sample = archive.extractfile("payload_sample.csv").read()

    inference = load_inference(served / "code")
    try:
        loaded_model = inference.model_fn(str(served))
        rows = inference.input_fn(sample, "text/csv")
        body, content_type = inference.output_fn(
            inference.predict_fn(rows, loaded_model), "application/json"
        )
    finally:
        sys.modules.pop("starter_inference", None)
    assert content_type == "application/json"
    (score,) = json.loads(body)["predictions"]
    assert 0.0 <= score <= 1.0
    big = inference.predict_fn(
        [{"account_age": 10, "transaction_count": 3, "amount": 990}], loaded_model
    )
    assert big[0] > 0.5  # the model learned that large amounts are fraud
