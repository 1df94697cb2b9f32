"""DataLoading job: read CSV, Parquet or JSON-lines files into one headerless CSV dataset.

Inputs: `/opt/ml/processing/input/data/source_<n>/` (one folder per data source, read in order).
Outputs: `data/part-00000.csv` (no header), `signature/signature` (the column names as one CSV
row) and `metadata/metadata.json` (job type, row count, column types).
Runs inside a SageMaker container: Python 3.8, standard library, pandas and numpy only.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd

try:  # imported as builders.step_types.data_loading.job.data_loading
    from builders.scripts import container_paths as paths
except ImportError:  # run as a script inside the SageMaker container
    import container_paths as paths

DATA_FORMATS = ("csv", "parquet", "jsonl")
JOB_TYPES = ("training", "validation", "testing", "calibration")
DATA_FILE = "part-00000.csv"
SIGNATURE_FILE = "signature"
METADATA_FILE = "metadata.json"


def source_folders(data_root: Path) -> list[Path]:
    """The `source_<n>` folders under `data_root`, in the order of their number."""
    pattern = re.compile(r"source_(\d+)$")
    found = []
    for folder in data_root.glob("source_*"):
        match = pattern.match(folder.name)
        if folder.is_dir() and match:
            found.append((int(match.group(1)), folder))
    if not found:
        raise FileNotFoundError(
            f"No input folders source_0, source_1, ... under {data_root}. "
            "Check that the step's data_sources point at existing S3 files or folders."
        )
    return [folder for _, folder in sorted(found)]


def _parse(path: Path, data_format: str, csv_has_header: bool) -> pd.DataFrame:
    if data_format == "csv":
        return pd.read_csv(path, header=0 if csv_has_header else None)
    if data_format == "parquet":
        return pd.read_parquet(path)
    return pd.read_json(path, lines=True)


def read_file(
    path: Path, data_format: str, csv_has_header: bool, column_names: list[str]
) -> pd.DataFrame:
    """One data file as a DataFrame with string column names."""
    try:
        frame = _parse(path, data_format, csv_has_header)
    except pd.errors.EmptyDataError:
        print(f"Skipping empty file {path}")
        return pd.DataFrame()
    except (ValueError, OSError) as error:
        raise ValueError(f"Cannot read {path} as {data_format}: {error}") from error
    if data_format == "csv" and not csv_has_header:
        if len(frame.columns) != len(column_names):
            raise ValueError(
                f"{path} has {len(frame.columns)} columns but column_names lists "
                f"{len(column_names)}: {column_names}. Make column_names match the file."
            )
        frame.columns = list(column_names)
    frame.columns = [str(name) for name in frame.columns]
    return frame


def _check_settings(data_format: str, csv_has_header: bool, column_names: list[str]) -> None:
    if data_format not in DATA_FORMATS:
        raise ValueError(f"data_format is '{data_format}'; use one of {', '.join(DATA_FORMATS)}.")
    if data_format == "csv" and not csv_has_header:
        if not column_names:
            raise ValueError(
                "The CSV files have no header row (csv_has_header is false) and column_names "
                "is empty. List the column names in column_names, or set csv_has_header."
            )
        if len(set(column_names)) != len(column_names):
            raise ValueError(f"column_names lists a column twice: {column_names}")


def load_frames(
    files: list[Path], data_format: str, csv_has_header: bool, column_names: list[str]
) -> pd.DataFrame:
    """Read and concatenate `files`; every file must have the same columns."""
    _check_settings(data_format, csv_has_header, column_names)
    if not files:
        raise FileNotFoundError("No data files to read.")
    frames = []
    columns = None
    for path in files:
        frame = read_file(Path(path), data_format, csv_has_header, column_names)
        if frame.empty and not len(frame.columns):
            continue
        if columns is None:
            columns = list(frame.columns)
        elif set(frame.columns) != set(columns):
            missing = [name for name in columns if name not in frame.columns]
            extra = [name for name in frame.columns if name not in columns]
            raise ValueError(
                f"{path} has different columns from the first file: missing {missing}, "
                f"extra {extra}. Every input file must have the same columns."
            )
        # Same columns in another order still line up with the first file.
        frames.append(frame[columns])
    if not frames:
        raise ValueError("Every input data file is empty.")
    return pd.concat(frames, ignore_index=True)


def column_types(frame: pd.DataFrame) -> list[dict]:
    """Each column's name and type: NUMERIC for numbers and booleans, TEXT otherwise."""
    return [
        {
            "name": name,
            "type": "NUMERIC" if pd.api.types.is_numeric_dtype(frame[name]) else "TEXT",
        }
        for name in frame.columns
    ]


def write_outputs(frame: pd.DataFrame, job_type: str) -> dict:
    """Write the data, signature and metadata outputs; return the metadata."""
    data_dir = paths.processing_output("data")
    signature_dir = paths.processing_output("signature")
    metadata_dir = paths.processing_output("metadata")
    for folder in (data_dir, signature_dir, metadata_dir):
        folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(data_dir / DATA_FILE, index=False, header=False)
    with open(signature_dir / SIGNATURE_FILE, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(list(frame.columns))
    metadata = {"job_type": job_type, "row_count": len(frame), "columns": column_types(frame)}
    with open(metadata_dir / METADATA_FILE, "w", encoding="utf-8") as handle:
        json.dump(metadata, handle, indent=2)
    return metadata


def main() -> dict:
    settings = paths.read_settings()
    job_type = settings.get("job_type", "training")
    data_format = settings.get("data_format", "csv")
    csv_has_header = bool(settings.get("csv_has_header", True))
    column_names = list(settings.get("column_names") or [])
    if job_type not in JOB_TYPES:
        raise ValueError(f"job_type is '{job_type}'; use one of {', '.join(JOB_TYPES)}.")
    print(f"DataLoading: job_type={job_type} data_format={data_format}")

    files = []
    for folder in source_folders(paths.processing_input("data")):
        found = paths.data_files(folder)
        if not found:
            raise FileNotFoundError(
                f"No data files in {folder}. Check that its data source points at files."
            )
        print(f"{folder.name}: {len(found)} file(s)")
        files.extend(found)
    frame = load_frames(files, data_format, csv_has_header, column_names)

    metadata = write_outputs(frame, job_type)
    print(f"Wrote {metadata['row_count']} rows and {len(frame.columns)} columns")
    return metadata


if __name__ == "__main__":
    main()
