"""The XGBoost training script: really trains tiny binary and multiclass models."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from builders.scripts import container_paths as paths
from builders.step_types.xgboost_training.job import xgboost_train

# xgboost notes which format it picks for the extensionless file name the container serves.
pytestmark = pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning")

BINARY = {
    "full_field_list": ["id", "amount", "color", "label"],
    "cat_field_list": ["color"],
    "tab_field_list": ["amount"],
    "label_name": "label",
    "id_name": "id",
    "is_binary": True,
    "num_classes": 2,
    "multiclass_categories": [0, 1],
    "class_weights": None,
    "num_round": 8,
    "max_depth": 3,
    "eta": 0.5,
    "gamma": 0.0,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "lambda_xgb": 1.0,
    "alpha_xgb": 0.0,
    "tree_method": "hist",
    "objective": "binary:logistic",
    "eval_metric": ["logloss", "auc"],
    "early_stopping_rounds": 3,
}
MULTICLASS = {
    **BINARY,
    "is_binary": False,
    "num_classes": 3,
    "multiclass_categories": ["low", "mid", "high"],
    "class_weights": [1.0, 2.0, 1.0],
    "objective": "multi:softprob",
    "eval_metric": ["mlogloss"],
    "early_stopping_rounds": None,
}


def rows(count: int, seed: int, labels: list) -> pd.DataFrame:
    """Rows whose label follows `amount`, so that a few trees learn it."""
    rng = np.random.default_rng(seed)
    amount = rng.uniform(0, 1, count)
    bins = np.minimum((amount * len(labels)).astype(int), len(labels) - 1)
    return pd.DataFrame(
        {
            "id": range(count),
            "amount": amount,
            "color": rng.choice(["red", "blue", None], count),
            "label": [labels[b] for b in bins],
        }
    )


def write_channels(container, settings: dict, labels: list, channels=("train", "val", "test")):
    container.write_settings(settings, paths.training_channel("config"))
    frames = {}
    for seed, channel in enumerate(channels):
        frames[channel] = rows(60 if channel == "train" else 30, seed, labels)
        target = paths.training_channel(channel) / f"{channel}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        frames[channel].to_csv(target, index=False)
    return frames


def load_model():
    model_dir = paths.model_dir()
    booster = xgb.Booster(model_file=str(model_dir / "xgboost-model"))
    features = json.loads((model_dir / "metadata" / "model_features.json").read_text())
    # The XGBoost container's default handler loads every file at the root as a booster.
    assert [path.name for path in model_dir.iterdir() if path.is_file()] == ["xgboost-model"]
    return booster, features


def encode(frame: pd.DataFrame, features: dict) -> xgb.DMatrix:
    """The rows as the served model expects them: plain numbers in feature order."""
    columns = []
    for name in features["features"]:
        codes = features["categorical_mappings"].get(name)
        column = frame[name].map(codes) if codes is not None else frame[name]
        columns.append(column.astype("float64").to_numpy())
    return xgb.DMatrix(np.column_stack(columns))


def test_binary_model_trains_saves_and_predicts(container, capsys):
    frames = write_channels(container, BINARY, [0, 1])

    results = xgboost_train.main()

    booster, features = load_model()
    assert features["features"] == ["amount", "color"]
    assert features["categorical_mappings"] == {"color": {"blue": 0, "red": 1}}
    assert features["label_mapping"] == {"0": 0, "1": 1}
    probabilities = booster.predict(encode(frames["test"], features))
    assert probabilities.shape == (30,)
    accuracy = ((probabilities > 0.5) == frames["test"]["label"]).mean()
    assert accuracy > 0.8
    metrics = json.loads((paths.training_output_data() / "metrics.json").read_text())
    assert set(metrics) == {"test_accuracy", "test_logloss", "test_auc"}
    assert metrics == results["test"]
    assert metrics["test_accuracy"] == pytest.approx(accuracy)
    printed = capsys.readouterr().out
    assert f"test_auc={metrics['test_auc']:.6f}" in printed
    assert "val_accuracy=" in printed


def test_multiclass_model_with_string_classes_and_weights(container):
    frames = write_channels(container, MULTICLASS, ["low", "mid", "high"])

    xgboost_train.main()

    booster, features = load_model()
    assert features["label_mapping"] == {"low": 0, "mid": 1, "high": 2}
    probabilities = booster.predict(encode(frames["test"], features))
    assert probabilities.shape == (30, 3)
    expected = frames["test"]["label"].map(features["label_mapping"])
    assert (probabilities.argmax(axis=1) == expected).mean() > 0.7
    metrics = json.loads((paths.training_output_data() / "metrics.json").read_text())
    assert {"test_accuracy", "test_logloss", "test_auc"} <= set(metrics)


def test_train_only_uses_every_non_label_non_id_column(container):
    settings = {**BINARY, "cat_field_list": [], "tab_field_list": []}
    settings["full_field_list"] = ["id", "amount", "label"]
    frames = write_channels(container, settings, [0, 1], channels=("train",))
    frames["train"].drop(columns="color").to_csv(
        paths.training_channel("train") / "train.csv", index=False
    )

    assert xgboost_train.main() == {}

    booster, features = load_model()
    assert features["features"] == ["amount"]
    assert booster.num_boosted_rounds() == BINARY["num_round"]
    assert not (paths.training_output_data() / "metrics.json").exists()


def test_labels_match_classes_written_as_floats():
    assert xgboost_train.value_key(1.0) == "1"
    assert xgboost_train.value_key("1") == "1"
    assert xgboost_train.value_key(" yes ") == "yes"
    assert xgboost_train.value_key(0.25) == "0.25"


def test_unknown_label_values_are_named(container):
    frames = write_channels(container, BINARY, [0, 1], channels=("train",))
    frames["train"].loc[[0, 1], "label"] = [5, 7]
    frames["train"].to_csv(paths.training_channel("train") / "train.csv", index=False)

    with pytest.raises(ValueError, match=r"not in multiclass_categories: \['5', '7'\]"):
        xgboost_train.main()


def test_missing_feature_column_is_an_error(container):
    write_channels(container, {**BINARY, "tab_field_list": ["amount", "age"]}, [0, 1])
    with pytest.raises(ValueError, match=r"no column\(s\) \['age'\]"):
        xgboost_train.main()


def test_no_training_data_is_an_error(container):
    container.write_settings(BINARY, paths.training_channel("config"))
    with pytest.raises(FileNotFoundError, match="No data files in the 'train' channel"):
        xgboost_train.main()


def test_runs_as_a_script_in_the_container(container):
    write_channels(container, BINARY, [0, 1], channels=("train", "test"))

    result = container.run_script("xgboost_train", code_dir=container.path("code"))

    assert result.returncode == 0, result.stderr
    assert "test_auc=" in result.stdout
    booster, _ = load_model()
    assert booster.num_boosted_rounds() > 0


def test_early_stopping_keeps_only_the_best_rounds(container, capsys):
    settings = {**BINARY, "num_round": 100, "eval_metric": ["auc"], "early_stopping_rounds": 2}
    write_channels(container, settings, [0, 1], channels=("train", "val"))

    xgboost_train.main()

    booster, _ = load_model()
    assert booster.num_boosted_rounds() < 100
    assert f"kept {booster.num_boosted_rounds()} round(s)" in capsys.readouterr().out


def test_a_tuning_jobs_hyperparameters_replace_the_settings(container, capsys):
    """A tuning trial's values arrive as SageMaker hyperparameters, JSON-encoded by the SDK
    (a categorical number twice); they replace the settings of the same names."""
    write_channels(container, {**BINARY, "num_round": 50}, [0, 1], channels=("train", "val"))
    chosen = {
        "num_round": '"3"',  # a categorical value: a JSON string of the JSON number
        "eta": "0.25",
        "tree_method": '"approx"',
        "early_stopping_rounds": '"2"',
        "sagemaker_program": '"xgboost_train.py"',  # SageMaker's own: not a setting
    }
    container.write_text(
        paths.container_path("input", "config", "hyperparameters.json"), json.dumps(chosen)
    )

    settings = paths.training_settings()
    xgboost_train.main()

    assert {name: settings[name] for name in ("num_round", "eta", "tree_method")} == {
        "num_round": 3,
        "eta": 0.25,
        "tree_method": "approx",
    }
    assert settings["early_stopping_rounds"] == 2 and "sagemaker_program" not in settings
    assert settings["max_depth"] == BINARY["max_depth"]  # not tuned: the settings' value
    booster, _ = load_model()
    assert booster.num_boosted_rounds() <= 3
