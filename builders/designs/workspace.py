"""Saved designs: one JSON file per design in a workspace folder, written atomically.

The folder is $PIPELINE_DESIGNER_WORKSPACE, or ./workspace. A design named N lives in
`path(N)`; the design last opened is remembered in `.current`, so a browser refresh or a
server restart reopens it.

Any file may be there, put by hand or left by a crash: each is listed on its own with what is
wrong with it, and the actions take the file the user chose (`Path`), never "the file of that
name". A save carries the revision it was based on; a file changed since (another tab, another
person) raises `NewerDesign` instead of being overwritten, so the caller can merge. Checks
and writes happen under a lock on the folder, so two sessions never interleave them.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from builders.designs.design import Design, with_identity
from builders.errors import ConfigFileError, PipelineDesignError
from builders.fileio import WORKSPACE_ENV as WORKSPACE_ENV  # where the workspace is set
from builders.fileio import (
    clean_leftovers,
    default_root,
    read_bytes_bounded,
    read_json,
    write_text_atomic,
)

SUFFIX = ".design.json"
MAX_NAME = 200
_CURRENT = ".current"
_LOCK = ".lock"


@dataclass(frozen=True)
class SavedDesign:
    """One file of the workspace: the design name it holds (or its file name when it cannot
    be read), and why it cannot be opened, if it cannot."""

    name: str
    path: Path
    modified: datetime | None
    error: str | None = None
    misplaced: bool = False  # a readable design, but not in the file its name belongs in

    @property
    def key(self) -> str:
        """A stable identity for widgets: the file name (names may repeat, files do not)."""
        return self.path.name


class NewerDesign(PipelineDesignError):
    """The file changed since the revision a save was based on. `theirs` is the design it
    holds now, or None when it is gone or cannot be read (`message` says which)."""

    def __init__(self, message: str, theirs: Design | None):
        super().__init__(message)
        self.theirs = theirs


def normal_name(name: str) -> str:
    """The name as it is stored: without leading or trailing spaces; refused when empty,
    too long or holding control characters (a name is shown everywhere and is a file name)."""
    name = name.strip()
    if not name:
        raise PipelineDesignError("Give the design a name.")
    if len(name) > MAX_NAME:
        raise PipelineDesignError(f"A design name has at most {MAX_NAME} characters.")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise PipelineDesignError("A design name cannot hold tabs, line breaks or other controls.")
    return name


class Workspace:
    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_root()

    # -- listing and reading --------------------------------------------------------------
    def list(self) -> list[SavedDesign]:
        """Every design file, most recently changed first; leftovers of interrupted saves
        (a kill -9 mid-write) are removed first."""
        if not self.root.is_dir():
            return []
        clean_leftovers(self.root)
        saved = [self._saved(path) for path in self.root.glob(f"*{SUFFIX}")]
        oldest = datetime.min
        return sorted(saved, key=lambda s: (s.modified or oldest, s.key), reverse=True)

    def names(self) -> list[str]:
        return [saved.name for saved in self.list() if saved.error is None]

    def path(self, name: str) -> Path:
        return self.root / f"{file_stem(name)}{SUFFIX}"

    def exists(self, name: str) -> bool:
        return _exists(self.path(name))

    def load(self, name: str) -> Design:
        return self.read(self.path(name))

    def read(self, path: Path) -> Design:
        """The design in `path`, which must be the file its name belongs in (a design read
        from another file would be saved over the file of its name)."""
        design = read_design(path)
        if self.path(design.name) != path:
            raise ConfigFileError(_misplaced(design.name, path, self.path(design.name)))
        return design

    def signature(self, name: str) -> tuple[int, int, int] | None:
        """What changes when the file of `name` is written: cheaper than reading it."""
        try:
            info = self.path(name).stat()
        except (OSError, ValueError):
            return None
        return info.st_mtime_ns, info.st_size, info.st_ino

    # -- writing --------------------------------------------------------------------------
    def save(
        self,
        design: Design,
        based_on: str | None = None,
        signature: tuple[int, int, int] | None = None,
    ) -> Path:
        """Write the design to its file. With `based_on` (the revision the edit started
        from), a file holding another revision raises NewerDesign and is left as it is.
        `signature`: the file's signature when it held `based_on`; a file that still has it
        was not replaced since, and is not read again (a 200-step design takes ~3 ms)."""
        path = self.path(design.name)
        with self._locked():
            if based_on is not None and (
                signature is None or self.signature(design.name) != signature
            ):
                self._check_unchanged(path, design.name, based_on)
            _write_design(path, design)
            self.set_current(design.name)
        return path

    def create(self, design: Design) -> Path:
        """Save a new design; a name already used (by any file) is refused, and so is one
        that is not stored as given (see normal_name: check names before making designs)."""
        with self._locked():
            if self.check_new_name(design.name) != design.name:
                raise PipelineDesignError(f"'{design.name}' has spaces around it; remove them.")
            _write_design(self.path(design.name), design)
            self.set_current(design.name)
        return self.path(design.name)

    def rename(self, design: str | Path, new: str) -> Design:
        """Rename the design in that file; its old file goes only once the new one is there."""
        old = self._file(design)
        with self._locked():
            renamed = read_design(old).model_copy(update={"name": normal_name(new)})
            moved = self.path(renamed.name) != old
            if moved:
                self.check_new_name(renamed.name)
            was_current = self.current_path() == old
            _write_design(self.path(renamed.name), renamed)
            if moved:
                old.unlink()
            if was_current:
                self.set_current(renamed.name)
        return renamed

    def duplicate(self, design: str | Path, new: str) -> Design:
        with self._locked():
            copy = read_design(self._file(design)).model_copy(update={"name": normal_name(new)})
            copy = with_identity(copy, fresh=True)  # a design of its own: no runs yet
            self.check_new_name(copy.name)
            _write_design(self.path(copy.name), copy)
        return copy

    def delete(self, design: str | Path) -> None:
        """Delete exactly that file (a link, not what it points to)."""
        path = self._file(design)
        with self._locked():
            was_current = self.current_path() == path
            path.unlink(missing_ok=True)
            if was_current:
                (self.root / _CURRENT).unlink(missing_ok=True)

    def check_new_name(self, name: str) -> str:
        """The name, normalised, if no file holds it yet; else PipelineDesignError."""
        name = normal_name(name)
        taken = self.path(name)
        if taken.exists() or taken.is_symlink():
            raise PipelineDesignError(f"There is already a design named '{name}'. Pick another.")
        return name

    # -- the design last opened -----------------------------------------------------------
    def current(self) -> str | None:
        """The name of the design last opened, if its file is still there; anything else in
        `.current` (a folder, binary, a huge file, a name with a NUL) reads as none."""
        try:
            name = read_bytes_bounded(self.root / _CURRENT, "marker", 4096).decode("utf-8")
            name = normal_name(name)
        except (PipelineDesignError, UnicodeDecodeError):
            return None
        return name if self.exists(name) else None

    def current_path(self) -> Path | None:
        name = self.current()
        return self.path(name) if name else None

    def set_current(self, name: str) -> None:
        """Remember `name` as the design last opened (not written again when it is: every
        save calls this, and each write waits for the disk)."""
        try:
            if read_bytes_bounded(self.root / _CURRENT, "marker", 4096) == name.encode("utf-8"):
                return
        except PipelineDesignError:
            pass  # none yet, or unreadable: written afresh
        write_text_atomic(self.root / _CURRENT, name)

    # -- helpers --------------------------------------------------------------------------
    def _file(self, design: str | Path) -> Path:
        return design if isinstance(design, Path) else self.path(design)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across threads and processes (flock on an open file)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / _LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _check_unchanged(self, path: Path, name: str, based_on: str) -> None:
        if not _exists(path):
            raise NewerDesign(
                f"The design '{name}' was deleted or renamed in another tab.", theirs=None
            )
        try:
            theirs = read_design(path)
        except ConfigFileError as error:
            raise NewerDesign(error.message, theirs=None) from None
        if theirs.revision != based_on:
            raise NewerDesign(f"The design '{name}' was changed in another tab.", theirs=theirs)

    def _saved(self, path: Path) -> SavedDesign:
        modified = _modified(path)
        try:
            design = read_design(path)
        except ConfigFileError as error:
            return SavedDesign(path.name.removesuffix(SUFFIX), path, modified, error.message)
        expected = self.path(design.name)
        if expected == path:
            return SavedDesign(design.name, path, modified)
        return SavedDesign(
            design.name, path, modified, _misplaced(design.name, path, expected), True
        )


def _write_design(path: Path, design: Design) -> None:
    """The design's file: indented JSON, as json.dumps(indent=2) writes it (floats aside:
    1e-05 is 0.00001); pydantic's encoder takes 0.2 ms for 200 steps where json's indenting
    one, in Python, takes 2."""
    write_text_atomic(path, design.model_dump_json(indent=2) + "\n")


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


def _exists(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _modified(path: Path) -> datetime | None:
    """When the file (or, for a broken link, the link) last changed."""
    for read in (path.stat, path.lstat):
        try:
            return datetime.fromtimestamp(read().st_mtime)
        except OSError:
            continue
    return None


def _misplaced(name: str, path: Path, expected: Path) -> str:
    if _exists(expected):
        return (
            f"This file holds the design '{name}', and so does {expected.name}. Rename this "
            "one to open it; the other stays as it is."
        )
    return (
        f"This file holds the design '{name}', which is saved as {expected.name}. Rename it "
        "to open it."
    )
