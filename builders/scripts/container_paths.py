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


def data_files(folder: Path) -> list[Path]:
    """The data files under `folder`, sorted, skipping hidden files and markers like _SUCCESS."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith((".", "_"))
    )
