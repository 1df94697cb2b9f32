"""Starter designs shipped as data: <name>/dag.json, <name>/config.json and example code."""

from __future__ import annotations

from pathlib import Path

from builders.designs.design import Design, design_from_documents
from builders.designs.fileio import read_json

FOLDER = Path(__file__).parent


def starter_names() -> list[str]:
    return sorted(p.name for p in FOLDER.iterdir() if (p / "config.json").is_file())


def design_from_starter(starter: str, name: str) -> Design:
    """A new design from a starter; its local code paths point into the starter's folder."""
    folder = FOLDER / starter
    return design_from_documents(
        name,
        read_json(folder / "config.json", "starter config"),
        read_json(folder / "dag.json", "starter DAG"),
        base_dir=folder,
    )
