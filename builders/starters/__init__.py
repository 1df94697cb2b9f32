"""Starter designs shipped as data: <name>/dag.json, <name>/config.json, example code and
<name>/about.txt (one line saying what the starter builds, shown on the first screen)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from builders.configs.base import BasePipelineConfig
from builders.configs.types import ACCOUNT
from builders.designs.design import Design, design_from_documents
from builders.fileio import read_json

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


@functools.cache
def placeholders() -> dict[str, frozenset[Any]]:
    """Setting -> the values the starters ship for it, for the settings of the user's AWS
    account (marked ACCOUNT: a bucket, a role): examples, not the user's own."""
    account = [
        name for name, info in BasePipelineConfig.model_fields.items() if ACCOUNT in info.metadata
    ]
    found: dict[str, set[Any]] = {name: set() for name in account}
    for starter in starter_names():
        shared = read_json(FOLDER / starter / "config.json", "starter config")
        shared = shared.get("configuration", {}).get("shared", {})
        for name in account:
            if isinstance(shared.get(name), str):
                found[name].add(shared[name])
    return {name: frozenset(values) for name, values in found.items()}


def starter_about(starter: str) -> str:
    """The starter's one-line description ('' when it has none)."""
    about = FOLDER / starter / "about.txt"
    return about.read_text(encoding="utf-8").strip() if about.is_file() else ""


def starter_steps(starter: str) -> list[str]:
    """The starter's steps, in its DAG file's order."""
    return list(read_json(FOLDER / starter / "dag.json", "starter DAG"))
