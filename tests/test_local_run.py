"""The xgboost starter's jobs, run locally from the compiled definition, end to end.

Raw CSV -> DataLoading -> TabularPreprocessing -> XGBoostTraining -> Packaging (with the
starter's inference code) -> the packaged model answers the Payload step's sample request.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tarfile

import numpy as np
import pandas as pd
import pytest
from local_jobs import LocalRun
from support import STARTERS, load_starter

from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import configs_from_document
from builders.graph.dag import load_dag

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


def load_inference(code_dir, program: str = "inference.py"):
    spec = importlib.util.spec_from_file_location("starter_inference", code_dir / program)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_metric_definitions_read_the_log(run: LocalRun) -> None:
    """Every metric the training script prints has a definition in the step that reads it."""
    training = run.steps["XGBoostTraining"]["Arguments"]["AlgorithmSpecification"]
    log = run.logs["XGBoostTraining"]
    printed = re.findall(r"^((?:val|test)_\w+)=", log, flags=re.MULTILINE)
    assert {"val_auc", "test_auc", "test_logloss", "test_accuracy"} <= set(printed)
    for name in printed:
        (definition,) = [
            d for d in training["MetricDefinitions"] if d["Name"] == name.replace("_", ":", 1)
        ]
        assert 0.0 <= float(re.search(definition["Regex"], log).group(1)) <= 1.0


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
    assert_metric_definitions_read_the_log(run)

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


def categorical_design():
    """The starter with a categorical `country` field that decides part of the label."""
    document = json.loads((STARTERS / "xgboost_end_to_end" / "config.json").read_text())
    nodes = document["configuration"]["specific"]
    hyper = nodes["XGBoostTraining"]["hyperparameters"]
    hyper["full_field_list"].append("country")
    hyper["cat_field_list"] = ["country"]
    nodes["Payload"]["source_model_inference_input_variable_list"]["country"] = "TEXT"
    dag = load_dag(STARTERS / "xgboost_end_to_end" / "dag.json")
    return dag, configs_from_document(document)


def fraud_data_with_country(rows: int = 400) -> pd.DataFrame:
    frame = fraud_data(rows)
    frame["country"] = np.where(
        np.arange(rows) % 3 == 0, "XX", np.where(np.arange(rows) % 3, "US", "DE")
    )
    frame["is_fraud"] = ((frame["amount"] > 700) | (frame["country"] == "XX")).astype(int)
    return frame


def served(definition: dict, step_name: str) -> tuple[dict, dict]:
    """(ModelDataUrl, Environment) of the container a model or registration step serves."""
    step = next(s for s in definition["Steps"] if s["Name"] == step_name)
    args = step["Arguments"]
    container = args.get("PrimaryContainer") or args["InferenceSpecification"]["Containers"][0]
    return container["ModelDataUrl"], container.get("Environment") or {}


def test_batch_transform_and_the_registered_model_score_categories_alike(tmp_path):
    """Both serve the packaged model through its inference code: one encoding of categories."""
    dag, configs = categorical_design()
    compiled = compile_pipeline(dag, configs, base_dir=STARTERS / "xgboost_end_to_end")
    definition = compiled.definition
    transform = next(s for s in definition["Steps"] if s["Name"] == "BatchTransform")
    model_step = transform["Arguments"]["ModelName"]["Get"].split(".")[1]
    (transform_url, transform_env) = served(definition, model_step)
    (registered_url, registered_env) = served(definition, "ModelRegistration-RegisterModel")
    assert transform_url == registered_url  # one archive
    assert transform_env["SAGEMAKER_PROGRAM"] == registered_env["SAGEMAKER_PROGRAM"]

    run = LocalRun(compiled, tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    fraud_data_with_country().to_csv(raw / "transactions.csv", index=False)
    loaded = run.processing("DataLoadingTraining", source_0=raw)
    splits = run.processing(
        "TabularPreprocessing", data=loaded["data"], signature=loaded["signature"]
    )["processed_data"]
    model = run.training("XGBoostTraining", **{s: splits / s for s in ("train", "val", "test")})
    packaged = run.processing("Packaging", model=model)["packaged_model"] / "model.tar.gz"
    archive = tmp_path / "served"
    with tarfile.open(packaged) as tar:
        tar.extractall(archive, filter="data")

    # Calibration rows as BatchTransform sends them: its input filter drops id and label.
    calibration = fraud_data_with_country(30)
    assert transform["Arguments"]["DataProcessing"]["InputFilter"] == "$[2:]"
    rows = calibration.iloc[:, 2:].to_csv(index=False, header=False)
    scores = {}
    for name, env in (("transform", transform_env), ("registered", registered_env)):
        inference = load_inference(archive / "code", env["SAGEMAKER_PROGRAM"])
        try:
            loaded_model = inference.model_fn(str(archive))
            scores[name] = inference.predict_fn(inference.input_fn(rows, "text/csv"), loaded_model)
        finally:
            sys.modules.pop("starter_inference", None)
    assert scores["transform"].tolist() == scores["registered"].tolist()
    flagged = scores["transform"][calibration["country"].to_numpy() == "XX"]
    assert (flagged > 0.5).all()  # the category was encoded as in training, not dropped
