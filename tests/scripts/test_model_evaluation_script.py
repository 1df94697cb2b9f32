"""The ModelEvaluation job script: a model trained by the XGBoost training script, scored on
a test split through the starter's inference code; the metrics are checked against xgboost
and scikit-learn called directly here."""

from __future__ import annotations

import json
import shutil
import tarfile

import numpy as np
import pytest
from sklearn import metrics as sk
from support import STARTERS
from test_xgboost_train_script import BINARY, MULTICLASS, encode, load_model, rows, write_channels

from builders.scripts import container_paths as paths
from builders.step_types.xgboost_training.job import xgboost_train

pytestmark = pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning")
INFERENCE = STARTERS / "xgboost_quality_gate" / "inference"
SETTINGS = {
    "label_name": "label",
    "problem_type": "auto",
    "split": "test",
    "inference_entry_point": "inference.py",
    "content_type": "text/csv",
}
REGRESSION = {
    **BINARY,
    "objective": "reg:squarederror",
    "eval_metric": ["rmse"],
    "multiclass_categories": [],
}


def trained(container, settings: dict, labels: list, *, packaged: bool = False):
    """Train with the training script, then lay out the evaluation job's inputs: the model
    archive (with code/ when `packaged`), a noisy test split, the inference code."""
    frames = write_channels(container, settings, labels, channels=("train",))
    xgboost_train.main()
    booster, features = load_model()
    model_dir = paths.model_dir()
    if packaged:
        shutil.copytree(INFERENCE, model_dir / "code")
    archive = paths.processing_input("model") / "model.tar.gz"
    archive.parent.mkdir(parents=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(model_dir, arcname=".")
    test = rows(80, 7, labels)
    flipped = np.random.default_rng(3).random(len(test)) < 0.2  # a model that errs sometimes
    test.loc[flipped, "label"] = np.random.default_rng(4).choice(labels, int(flipped.sum()))
    if settings["objective"].startswith("reg:"):
        test["label"] = test["amount"] * 10 + np.random.default_rng(5).normal(0, 1, len(test))
    target = paths.processing_input("data") / "test" / "test_processed_data.csv"
    target.parent.mkdir(parents=True)
    test.to_csv(target, index=False)
    if not packaged:
        shutil.copytree(INFERENCE, paths.processing_input("inference"))
    return booster, features, test, frames


def report(container, settings=SETTINGS):
    container.write_settings(settings)
    result = container.run_script("model_evaluation")
    assert result.returncode == 0, result.stderr
    written = paths.processing_output("evaluation") / "evaluation.json"
    return json.loads(written.read_text()), result


def values(document: dict) -> dict:
    return {name: entry["value"] for name, entry in document["metrics"].items()}


def test_binary_metrics_are_those_of_the_served_model(container):
    booster, features, test, _ = trained(container, BINARY, [0, 1])
    document, result = report(container)
    probabilities = booster.predict(encode(test, features))
    truth = test["label"].astype(int)
    assert document["problem_type"] == "binary_classification" and document["rows"] == 80
    assert values(document) == pytest.approx(
        {
            "auc": sk.roc_auc_score(truth, probabilities),
            "accuracy": sk.accuracy_score(truth, probabilities >= 0.5),
            "f1": sk.f1_score(truth, probabilities >= 0.5),
        }
    )
    assert 0.5 < document["metrics"]["auc"]["value"] < 1.0
    assert f"test_auc={document['metrics']['auc']['value']:.6f}" in result.stdout


def test_multiclass_labels_map_through_the_models_classes(container):
    booster, features, test, _ = trained(container, MULTICLASS, ["low", "mid", "high"])
    document, _ = report(container, {**SETTINGS, "content_type": "application/json"})
    probabilities = booster.predict(encode(test, features))
    truth = test["label"].map({"low": 0, "mid": 1, "high": 2})
    assert document["problem_type"] == "multiclass_classification"
    assert values(document) == pytest.approx(
        {
            "auc": sk.roc_auc_score(truth, probabilities, multi_class="ovr"),
            "accuracy": sk.accuracy_score(truth, probabilities.argmax(axis=1)),
            "f1": sk.f1_score(truth, probabilities.argmax(axis=1), average="macro"),
        }
    )


def test_regression_metrics(container):
    booster, features, test, _ = trained(container, REGRESSION, [0, 1])
    document, _ = report(container)
    error = booster.predict(encode(test, features)) - test["label"].to_numpy()
    total = ((test["label"] - test["label"].mean()) ** 2).sum()
    assert document["problem_type"] == "regression"
    assert values(document) == pytest.approx(
        {
            "rmse": float(np.sqrt(np.mean(error**2))),
            "mae": float(np.mean(np.abs(error))),
            "r2": float(1 - (error**2).sum() / total),
        }
    )


def test_a_packaged_model_is_scored_with_the_code_in_its_archive(container):
    booster, features, test, _ = trained(container, BINARY, [0, 1], packaged=True)
    assert not paths.processing_input("inference").exists()
    document, result = report(container)
    assert "code/inference.py" in result.stdout
    truth = test["label"].astype(int)
    expected = sk.roc_auc_score(truth, booster.predict(encode(test, features)))
    assert document["metrics"]["auc"]["value"] == pytest.approx(expected)


def test_without_inference_code_the_job_says_where_to_put_it(container):
    trained(container, BINARY, [0, 1])
    shutil.rmtree(paths.processing_input("inference"))
    container.write_settings(SETTINGS)
    result = container.run_script("model_evaluation")
    assert result.returncode != 0
    assert "No inference code inference.py" in result.stderr
    assert "Set inference_source_dir" in result.stderr


def test_a_declared_problem_type_wins_over_the_objective(container):
    trained(container, BINARY, [0, 1])
    document, _ = report(container, {**SETTINGS, "problem_type": "regression"})
    assert set(document["metrics"]) == {"rmse", "mae", "r2"}


def test_one_class_in_the_test_split_leaves_auc_out(container):
    trained(container, BINARY, [0, 1])
    target = paths.processing_input("data") / "test" / "test_processed_data.csv"
    frame = rows(20, 9, [0, 1])
    frame["label"] = 1
    frame.to_csv(target, index=False)
    document, _ = report(container)
    assert set(document["metrics"]) == {"accuracy", "f1"}
