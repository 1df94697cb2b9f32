"""Saved designs: one JSON file per design in a workspace folder, written atomically.

The folder is $PIPELINE_DESIGNER_WORKSPACE, or ./workspace. The design last opened is
remembered in `.current`, so a browser refresh or a server restart reopens it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from builders.design import Design
from builders.errors import ConfigFileError, PipelineDesignError
from builders.fileio import read_json, write_json_atomic, write_text_atomic

WORKSPACE_ENV = "PIPELINE_DESIGNER_WORKSPACE"
SUFFIX = ".design.json"


def default_root() -> Path:
    return Path(os.environ.get(WORKSPACE_ENV) or Path.cwd() / "workspace")


@dataclass(frozen=True)
class SavedDesign:
    name: str
    path: Path
    modified: datetime
    error: str | None = None  # why the file cannot be opened, if it cannot


class Workspace:
    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_root()

    # -- listing and reading --------------------------------------------------------------
    def list(self) -> list[SavedDesign]:
        """Saved designs, most recently changed first."""
        if not self.root.is_dir():
            return []
        saved = [_saved(path) for path in self.root.glob(f"*{SUFFIX}")]
        return sorted(saved, key=lambda s: s.modified, reverse=True)

    def names(self) -> list[str]:
        return [saved.name for saved in self.list() if saved.error is None]

    def path(self, name: str) -> Path:
        return self.root / f"{file_stem(name)}{SUFFIX}"

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def load(self, name: str) -> Design:
        return read_design(self.path(name))

    # -- writing --------------------------------------------------------------------------
    def save(self, design: Design) -> Path:
        path = write_json_atomic(self.path(design.name), design.model_dump(mode="json"))
        self.set_current(design.name)
        return path

    def create(self, design: Design) -> Path:
        """Save a new design; a name already used is refused."""
        self.check_new_name(design.name)
        return self.save(design)

    def rename(self, old: str, new: str) -> Design:
        self.check_new_name(new)
        design = self.load(old).model_copy(update={"name": new})
        self.save(design)
        self.path(old).unlink()
        return design

    def duplicate(self, name: str, new: str) -> Design:
        self.check_new_name(new)
        copy = self.load(name).model_copy(update={"name": new})
        self.save(copy)
        return copy

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
        if self.current() == name:
            (self.root / ".current").unlink(missing_ok=True)

    def check_new_name(self, name: str) -> None:
        if not name.strip():
            raise PipelineDesignError("Give the design a name.")
        if self.exists(name):
            raise PipelineDesignError(f"There is already a design named '{name}'. Pick another.")

    # -- the design last opened -----------------------------------------------------------
    def current(self) -> str | None:
        marker = self.root / ".current"
        try:
            name = marker.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if self.exists(name) else None

    def set_current(self, name: str) -> None:
        write_text_atomic(self.root / ".current", name)


def read_design(path: Path) -> Design:
    data = read_json(path, "design file")
    try:
        return Design.model_validate(data)
    except ValidationError as error:
        raise ConfigFileError(
            f"The file {path.name} is not a design this tool wrote "
            f"({error.error_count()} problem(s), first: {error.errors()[0]['msg']})."
        ) from None


def file_stem(name: str) -> str:
    """A file name for a design name: readable, safe, and distinct for distinct names."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:100] or "design"
    if stem != name:  # names that differ only in unsafe characters stay apart
        stem += "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return stem


def _saved(path: Path) -> SavedDesign:
    modified = datetime.fromtimestamp(path.stat().st_mtime)
    try:
        return SavedDesign(read_design(path).name, path, modified)
    except ConfigFileError as error:
        return SavedDesign(path.name.removesuffix(SUFFIX), path, modified, error.message)
