"""Where SageMaker puts a job's inputs, outputs and settings inside its container.

Every job script finds its files through this module, so tests can move the container's root
to a temporary folder with the SM_PIPELINE_CONTAINER_ROOT environment variable.
Runs inside SageMaker containers: keep it compatible with Python 3.8 and the standard library.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT_ENV = "SM_PIPELINE_CONTAINER_ROOT"
SETTINGS_FILE = "settings.json"


def container_path(*parts: str) -> Path:
    """`/opt/ml/<parts>`, under $SM_PIPELINE_CONTAINER_ROOT when that is set."""
    return Path(os.environ.get(ROOT_ENV, "/")).joinpath("opt", "ml", *parts)


def processing_input(name: str) -> Path:
    return container_path("processing", "input", name)


def processing_output(name: str) -> Path:
    return container_path("processing", "output", name)


def training_channel(name: str) -> Path:
    return container_path("input", "data", name)


def model_dir() -> Path:
    return container_path("model")


def training_output_data() -> Path:
    return container_path("output", "data")


def read_settings(folder: Path | None = None) -> dict:
    """The step's settings, written by its builder to `<folder>/settings.json`.

    A processing job gets them on its `config` input; a training job on its `config` channel.
    """
    path = (folder or processing_input("config")) / SETTINGS_FILE
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def training_settings() -> dict:
    """A training job's settings: settings.json of its `config` channel, with the SageMaker
    hyperparameters of the same names over them (a tuning job's choices for this trial).

    SageMaker writes each hyperparameter as a string, JSON-encoded by the SDK: `0.1` or
    `"hist"`; a categorical number is encoded twice (`"50"`) and read back as a number.
    """
    settings = read_settings(training_channel("config"))
    path = container_path("input", "config", "hyperparameters.json")
    if path.is_file():
        with open(path, encoding="utf-8") as handle:
            chosen = json.load(handle)
        for name, value in chosen.items():
            if name in settings:
                settings[name] = _decoded(value)
    return settings


def _decoded(value):
    """A hyperparameter's value: JSON read back; a number in a JSON string a number."""
    for _ in range(2):
        if not isinstance(value, str):
            return value
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, str) and not _is_number(decoded):
            return decoded
        value = decoded
    return value


def _is_number(text: str) -> bool:
    try:
        return isinstance(json.loads(text), (int, float)) and text.strip() not in ("true", "false")
    except ValueError:
        return False


def data_files(folder: Path) -> list[Path]:
    """The data files under `folder`, sorted, skipping hidden files and markers like _SUCCESS."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith((".", "_"))
    )
