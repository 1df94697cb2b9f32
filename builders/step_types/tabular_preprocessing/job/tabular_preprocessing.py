"""TabularPreprocessing job: drop unlabelled rows and split the data into train, val and test.

Inputs: CSV files under `/opt/ml/processing/input/data/`, and optionally
`/opt/ml/processing/input/signature/signature` (the column names as one CSV row; when it is
there the data files have no header row).
Outputs (CSV with a header row): for job_type "training",
`processed_data/{train,val,test}/<split>_processed_data.csv`; for any other job type,
`processed_data/<job_type>/<job_type>_processed_data.csv`.
Runs inside a SageMaker container: Python 3.8, standard library, pandas, numpy, scikit-learn.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

try:  # imported as builders.step_types.tabular_preprocessing.job.tabular_preprocessing
    from builders.scripts import container_paths as paths
except ImportError:  # run as a script inside the SageMaker container
    import container_paths as paths

SIGNATURE_FILE = "signature"
JOB_TYPES = ("training", "validation", "testing", "calibration")


def output_file(job_type_or_split: str) -> Path:
    """`processed_data/<name>/<name>_processed_data.csv`."""
    name = job_type_or_split
    return paths.processing_output("processed_data") / name / f"{name}_processed_data.csv"


def read_signature(path: Path) -> list[str] | None:
    """The column names in the signature file, or None when there is no signature."""
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        row = next(csv.reader(handle), [])
    if not row:
        raise ValueError(f"The signature file {path} is empty; it should list the column names.")
    return row


def read_data(files: list[Path], columns: list[str] | None) -> pd.DataFrame:
    """Read the CSV files: headerless with `columns` as names, or each with its own header."""
    if not files:
        raise FileNotFoundError(
            f"No data files under {paths.processing_input('data')}. "
            "Connect a data loading step, or check the S3 location of the data input."
        )
    frames = []
    for path in files:
        try:
            frame = pd.read_csv(path, header=None if columns else 0)
        except pd.errors.EmptyDataError:
            print(f"Skipping empty file {path}")
            continue
        if columns:
            if len(frame.columns) != len(columns):
                raise ValueError(
                    f"{path} has {len(frame.columns)} columns but the signature lists "
                    f"{len(columns)}: {columns}. The data and its signature do not match."
                )
            frame.columns = columns
        frames.append(frame)
    if not frames:
        raise ValueError("Every input data file is empty.")
    return pd.concat(frames, ignore_index=True)


def clean_labels(frame: pd.DataFrame, label_name: str) -> pd.DataFrame:
    """Drop rows without a label; keep whole-number labels as integers (1, not 1.0)."""
    if label_name not in frame.columns:
        raise ValueError(
            f"The label column '{label_name}' is not in the data. Available columns: "
            f"{list(frame.columns)}. Set label_name to one of them."
        )
    labelled = frame.dropna(subset=[label_name]).reset_index(drop=True)
    dropped = len(frame) - len(labelled)
    if dropped:
        print(f"Dropped {dropped} row(s) without a label")
    if labelled.empty:
        raise ValueError(f"No row has a value in the label column '{label_name}'.")
    label = labelled[label_name]
    # A missing label makes pandas read the column as floats; write 1 rather than 1.0.
    if pd.api.types.is_float_dtype(label) and (label % 1 == 0).all():
        labelled[label_name] = label.astype("int64")
    return labelled


def _can_stratify(labels: pd.Series) -> bool:
    return labels.nunique() > 1 and labels.value_counts().min() >= 2


def split(
    frame: pd.DataFrame, first_fraction: float, label_name: str, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into (first_fraction, rest), stratified by label when that is possible."""
    labels = frame[label_name]
    if _can_stratify(labels):
        try:
            return train_test_split(
                frame, train_size=first_fraction, random_state=seed, stratify=labels
            )
        except ValueError as error:  # e.g. fewer rows in a part than classes
            print(f"Cannot stratify the split ({error}); splitting at random instead")
    try:
        return train_test_split(frame, train_size=first_fraction, random_state=seed)
    except ValueError as error:
        raise ValueError(
            f"Cannot split {len(frame)} rows with a fraction of {first_fraction}: {error}. "
            "Provide more labelled rows or change train_ratio and test_val_ratio."
        ) from error


def split_training(frame: pd.DataFrame, settings: dict) -> dict:
    """{"train", "val", "test"} frames: train_ratio for train, then test_val_ratio of the rest."""
    label_name = settings["label_name"]
    seed = int(settings.get("random_seed", 42))
    train_ratio = float(settings.get("train_ratio", 0.7))
    test_val_ratio = float(settings.get("test_val_ratio", 0.5))
    for name, ratio in (("train_ratio", train_ratio), ("test_val_ratio", test_val_ratio)):
        if not 0 < ratio < 1:
            raise ValueError(f"{name} is {ratio}; it must be between 0 and 1 (exclusive).")
    train, rest = split(frame, train_ratio, label_name, seed)
    # The rest splits into val and test: test gets test_val_ratio of it.
    val, test = split(rest, 1 - test_val_ratio, label_name, seed)
    return {"train": train, "val": val, "test": test}


def write_splits(splits: dict) -> dict:
    """Write each split to its output file; return {split: row count}."""
    counts = {}
    for name, frame in splits.items():
        target = output_file(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(target, index=False)
        counts[name] = len(frame)
        print(f"Wrote {len(frame)} rows to {target}")
    return counts


def main() -> dict:
    settings = paths.read_settings()
    job_type = settings.get("job_type", "training")
    label_name = settings.get("label_name")
    if job_type not in JOB_TYPES:
        raise ValueError(f"job_type is '{job_type}'; use one of {', '.join(JOB_TYPES)}.")
    if not label_name:
        raise ValueError("label_name is missing from the settings; name the label column.")
    print(f"TabularPreprocessing: job_type={job_type} label={label_name}")

    columns = read_signature(paths.processing_input("signature") / SIGNATURE_FILE)
    frame = read_data(paths.data_files(paths.processing_input("data")), columns)
    frame = clean_labels(frame, label_name)
    splits = split_training(frame, settings) if job_type == "training" else {job_type: frame}
    return write_splits(splits)


if __name__ == "__main__":
    main()
