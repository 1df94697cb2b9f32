"""Starter designs shipped as data: <name>/dag.json, <name>/config.json, example code and
<name>/about.txt (one line saying what the starter builds, shown on the first screen)."""

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


def starter_about(starter: str) -> str:
    """The starter's one-line description ('' when it has none)."""
    about = FOLDER / starter / "about.txt"
    return about.read_text(encoding="utf-8").strip() if about.is_file() else ""


def starter_steps(starter: str) -> list[str]:
    """The starter's steps, in its DAG file's order."""
    return list(read_json(FOLDER / starter / "dag.json", "starter DAG"))
