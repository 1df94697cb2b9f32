"""ModelEvaluation job: score a trained model on the test split and write evaluation.json.

The model is scored through its own inference handlers (model_fn, input_fn, predict_fn), the
code a batch transform or an endpoint serves it with, so the numbers here are the served
model's. The handlers come from the archive's code/ folder when it has one (a packaged
model), else from the `inference` input.

Settings (`config/settings.json`): label_name, problem_type ("auto" reads the training's
objective from metadata/model_features.json), split, inference_entry_point, content_type.
Inputs: `model/` (model.tar.gz), `data/<split>/` (CSV files with a header row), optionally
`inference/` (the inference code).
Output: `evaluation/evaluation.json` (see builders/scripts/scoring.py).
Runs inside the model's framework container: Python 3.8, pandas, numpy, scikit-learn.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

try:  # imported as builders.step_types.model_evaluation.job.model_evaluation
    from builders.scripts import container_paths as paths
    from builders.scripts.archives import extract_all
    from builders.scripts.features import value_key
    from builders.step_types.model_evaluation.job import scoring
except ImportError:  # run as a script inside the SageMaker container
    import container_paths as paths
    import scoring
    from archives import extract_all
    from features import value_key

FEATURES_FILE = Path("metadata") / "model_features.json"


def unpack_model(folder: Path, target: Path) -> Path:
    archives = sorted(folder.rglob("*.tar.gz")) if folder.is_dir() else []
    if len(archives) != 1:
        raise FileNotFoundError(
            f"Expected one model.tar.gz in {folder}, found {len(archives)}. Connect the "
            "training (or packaging) step's model artifacts to the evaluation."
        )
    # The model may come from anywhere (a third-party model_data): nothing of it may land
    # outside `target`, on Pythons with or without tarfile's data filter.
    extract_all(archives[0], target)
    return target


def load_handlers(model_dir: Path, entry_point: str):
    """The inference module: code/<entry point> in the archive, else the inference input."""
    for folder in (model_dir / "code", paths.processing_input("inference")):
        script = folder / entry_point
        if script.is_file():
            sys.path.insert(0, str(folder))  # the handlers may import their neighbours
            spec = importlib.util.spec_from_file_location("inference_handlers", script)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            print(f"Scoring with the handlers of {script}")
            return module
    raise FileNotFoundError(
        f"No inference code {entry_point}: the model archive has no code/{entry_point} and "
        "the evaluation's inference_source_dir has none. Set inference_source_dir to the "
        "folder the Packaging step puts into the archive."
    )


def read_split(split: str) -> pd.DataFrame:
    folder = paths.processing_input("data") / split
    files = paths.data_files(folder) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"No data files in {folder}. Connect the preprocessing step whose output has a "
            f"'{split}' folder."
        )
    frame = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
    print(f"Read {len(frame)} rows from the '{split}' split ({len(files)} file(s))")
    return frame


def metadata(model_dir: Path) -> dict:
    path = model_dir / FEATURES_FILE
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def problem_type(settings: dict, described: dict) -> str:
    if settings["problem_type"] != "auto":
        return settings["problem_type"]
    if "objective" not in described:
        raise ValueError(
            f"problem_type is auto, but the model has no {FEATURES_FILE} naming its "
            "objective. Set problem_type on the evaluation step."
        )
    return scoring.problem_of(described["objective"])


def request_body(features: pd.DataFrame, content_type: str) -> str:
    """The rows as a serving container receives them: JSON records or headerless CSV."""
    if content_type == "application/json":
        return features.to_json(orient="records")
    return features.to_csv(header=False, index=False)


def labels_of(column: pd.Series, problem: str, described: dict) -> list:
    """Class indices (by the model's label mapping when it has one), or numbers."""
    if problem == "regression":
        return pd.to_numeric(column).tolist()
    mapping = described.get("label_mapping") or {}
    keys = [value_key(value) for value in column]
    if not mapping:
        return [int(float(key)) for key in keys]
    unknown = sorted({key for key in keys if key not in mapping})
    if unknown:
        raise ValueError(f"Labels {unknown[:10]} are not classes of the model ({list(mapping)}).")
    return [mapping[key] for key in keys]


def evaluate(settings: dict, model_dir: Path) -> dict:
    described = metadata(model_dir)
    problem = problem_type(settings, described)
    frame = read_split(settings["split"])
    label = settings["label_name"]
    if label not in frame.columns:
        raise ValueError(f"The test data has no label column '{label}': {list(frame.columns)}")
    frame = frame[frame[label].notna()]
    rows = frame.drop(columns=[label])
    if settings["content_type"] == "text/csv" and described.get("features"):
        rows = rows[described["features"]]  # CSV carries the features in the model's order
    handlers = load_handlers(model_dir, settings["inference_entry_point"])
    model = handlers.model_fn(str(model_dir))
    content_type = settings["content_type"]
    data = handlers.input_fn(request_body(rows, content_type), content_type)
    predictions = handlers.predict_fn(data, model)
    metrics = scoring.score(problem, labels_of(frame[label], problem, described), predictions)
    for name, value in metrics.items():
        print(f"test_{name}={value:.6f}")
    return scoring.report(problem, len(frame), metrics)


def main() -> dict:
    settings = paths.read_settings()
    with tempfile.TemporaryDirectory() as scratch:
        model_dir = unpack_model(paths.processing_input("model"), Path(scratch))
        result = evaluate(settings, model_dir)
    output = paths.processing_output("evaluation")
    output.mkdir(parents=True, exist_ok=True)
    with open(output / scoring.REPORT_FILE, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    print(f"Wrote {output / scoring.REPORT_FILE}")
    return result


if __name__ == "__main__":
    main()
