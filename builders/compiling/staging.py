"""Content-addressed S3 locations for local code and generated settings, without uploading.

Compiling gives each local folder or file `<pipeline_s3_loc>/code/<sha256-prefix>/<file>` and
each generated settings file `<pipeline_s3_loc>/config/<sha256-prefix>/settings.json`. The
bytes are captured when the address is computed, so deploy uploads exactly what was hashed;
an unchanged folder keeps its address, so deploying twice uploads nothing new.

What is staged is what the user plainly meant to ship, and never more than that:
- a folder's files minus its `.gitignore` exclusions (every .gitignore in the folder, read
  with pathspec: git's own rules, negations and folder patterns included, which a
  hand-written matcher gets subtly wrong), caches and .git;
- never a credential or key (builders/compiling/secret_files.py): `/`, the home folder,
  system folders, ~/.aws and the like, files named like keys, links that leave the folder
  and files a secret scanner flags are refused, saying why;
- sizes are checked before anything is read (a 4 GiB file is refused unread), special
  files (devices, pipes) are refused, and every read is bounded.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from builders.compiling.secret_files import (
    content_problem,
    folder_problem,
    link_problem,
    name_problem,
)
from builders.errors import PipelineDesignError, StepBuildError
from builders.fileio import read_bytes_bounded

DIGEST_LENGTH = 16
MAX_STAGED_BYTES = 200 * 1024 * 1024  # per folder or file
MAX_GITIGNORE_BYTES = 1024 * 1024
_SKIPPED = {"__pycache__", ".git", ".ipynb_checkpoints", ".DS_Store", ".pytest_cache"}
# Helpers every built-in job script imports; staged with the script of a step type's job/.
JOB_RUNTIME = Path(__file__).parents[1] / "scripts"


@dataclass(frozen=True)
class StagedObject:
    """One S3 object that deploy uploads: its URI and its bytes."""

    s3_uri: str
    content: bytes = field(repr=False)

    @property
    def bucket(self) -> str:
        return self.s3_uri[len("s3://") :].split("/", 1)[0]

    @property
    def key(self) -> str:
        return self.s3_uri[len("s3://") :].split("/", 1)[1]


class CodeStager:
    """Collects the objects a compiled pipeline needs in S3; relative paths use `base_dir`."""

    def __init__(self, base_dir: str | Path | None = None):
        self.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        self._objects: dict[str, StagedObject] = {}
        self._folders: dict[Path, _Snapshot] = {}  # listed once per compile

    @property
    def objects(self) -> list[StagedObject]:
        return list(self._objects.values())

    def folder(
        self,
        location: str | None,
        s3_loc: str,
        *,
        node: str,
        field: str,
        builtin: Path | None = None,
    ) -> str:
        """S3 prefix (ending in /) holding the folder's files; a None location means the
        step type's built-in job script (its `builtin` folder, with the job runtime)."""
        if location and location.startswith("s3://"):
            return location if location.endswith("/") else location + "/"
        files = self._folder_files(location, node, field, builtin).files
        return self._add(s3_loc, "code", files)

    def file(self, location: str, s3_loc: str, *, node: str, field: str) -> tuple[str, str]:
        """(S3 prefix, file name) of a single script, staged alone under its own prefix."""
        if location.startswith("s3://"):
            prefix, _, name = location.rpartition("/")
            return prefix + "/", name
        path = self._local(location, node, field, want_dir=False)
        where = _Where(path.parent, node, field)
        problem = folder_problem(path.parent)
        if problem:
            raise where.error(f"The folder of {path} {problem}.", "Keep the script elsewhere.")
        size = where.checked_file(path.name, path).st_size
        if size > MAX_STAGED_BYTES:
            raise where.error(f"The file {path} is {_megabytes(size)}", _TOO_BIG)
        return self._add(s3_loc, "code", {path.name: where.read(path.name, path, size)}), path.name

    def archive(
        self,
        location: str | None,
        s3_loc: str,
        *,
        node: str,
        field: str,
        builtin: Path | None = None,
    ) -> str:
        """S3 URI of a reproducible sourcedir.tar.gz of the folder (what estimators expect);
        a None location means the built-in job script, as for `folder`."""
        if location and location.startswith("s3://"):
            return location
        snapshot = self._folder_files(location, node, field, builtin)
        prefix = self._add(s3_loc, "code", {"sourcedir.tar.gz": snapshot.archive()})
        return prefix + "sourcedir.tar.gz"

    def settings(self, data: dict, s3_loc: str, name: str = "settings.json") -> str:
        """S3 prefix of a generated settings file, for a job's `config` input."""
        content = json.dumps(data, indent=2, sort_keys=True).encode()
        return self._add(s3_loc, "config", {name: content})

    def files(self, location: str, *, node: str, field: str) -> dict[str, bytes]:
        """A local folder's files as staging reads them (relative path -> bytes), for a
        builder that packs them itself (a function step's workspace, a Lambda's zip)."""
        return dict(self._folder_files(location, node, field).files)

    def generated(self, files: dict[str, bytes], s3_loc: str) -> str:
        """S3 prefix (ending in /) of files a builder made, content-addressed like code."""
        return self._add(s3_loc, "code", files)

    def put(self, s3_uri: str, content: bytes) -> None:
        """An object at a key its maker chose (the SDK names a function step's payloads; the
        builder puts a digest of the content in the key, so it changes when they do)."""
        self._objects.setdefault(s3_uri, StagedObject(s3_uri, content))

    def _folder_files(
        self, location: str | None, node: str, field: str, builtin: Path | None = None
    ) -> _Snapshot:
        """The folder's files, listed once per compile (and read again only when changed)."""
        if location is None:
            return self._builtin(builtin, node, field)
        folder = self._local(location, node, field, want_dir=True)
        if folder not in self._folders:
            self._folders[folder] = _read_folder(folder, node, field)
        return self._folders[folder]

    def _builtin(self, job: Path | None, node: str, field: str) -> _Snapshot:
        if job is None:
            raise StepBuildError(
                "This step type has no built-in script: give a local folder or an s3:// URI.",
                node=node,
                field=field,
            )
        if job not in self._folders:
            if JOB_RUNTIME not in self._folders:  # every built-in job ships it: listed once
                self._folders[JOB_RUNTIME] = _read_folder(JOB_RUNTIME, node, field)
            runtime = self._folders[JOB_RUNTIME].files
            self._folders[job] = _Snapshot({**runtime, **_read_folder(job, node, field).files})
        return self._folders[job]

    def _local(self, location: str, node: str, field: str, *, want_dir: bool) -> Path:
        kind = "folder" if want_dir else "file"
        try:
            path = self.base_dir / Path(location).expanduser()
            exists, found = path.exists(), (path.is_dir() if want_dir else path.is_file())
        except (OSError, ValueError, RuntimeError) as error:  # too long, NUL, no home folder
            reason = getattr(error, "strerror", None) or error
            raise StepBuildError(
                f"The {kind} {location} cannot be used: {reason}.", node=node, field=field
            ) from None
        if not found:
            what = f"is not a {kind}" if exists else "does not exist"
            raise StepBuildError(
                f"The {kind} {location} (looked for at {path}) {what}. Give an existing local "
                f"{kind} or an s3:// URI.",
                node=node,
                field=field,
            )
        return path

    def _add(self, s3_loc: str, area: str, files: dict[str, bytes]) -> str:
        prefix = f"{s3_loc.rstrip('/')}/{area}/{_digest(files)}/"
        for name, content in files.items():
            self._objects.setdefault(prefix + name, StagedObject(prefix + name, content))
        return prefix


def _digest(files: dict[str, bytes]) -> str:
    sha = hashlib.sha256()
    for name in sorted(files):
        sha.update(name.encode() + b"\0" + str(len(files[name])).encode() + b"\0")
        sha.update(files[name])
    return sha.hexdigest()[:DIGEST_LENGTH]


_TOO_BIG = (
    f"more than {MAX_STAGED_BYTES // 2**20} MB. Keep only code in it, list data and models in "
    "its .gitignore, or upload it to S3 yourself and give its s3:// URI."
)
_LEAVE_OUT = "Remove it, or list it in the folder's .gitignore to leave it out."
_NO_SECRET = (
    f"{_LEAVE_OUT} If it is no secret, end that line with the comment "
    "`pragma: allowlist secret` (detect-secrets' mark)."
)


@dataclass(frozen=True)
class _Where:
    """The folder being staged and the node and field it belongs to, for messages."""

    folder: Path
    node: str
    field: str

    def error(self, what: str, why: str) -> StepBuildError:
        return StepBuildError(f"{what} {why}", node=self.node, field=self.field)

    def checked_file(self, relative: str, path: Path) -> os.stat_result:
        """The stat of a file that may be staged, checked by name and kind before reading."""
        problem = name_problem(relative) or (
            link_problem(path, self.folder) if path.is_symlink() else None
        )
        if problem:
            raise self.error(f"{path} {problem}: it is never uploaded.", _LEAVE_OUT)
        try:
            info = path.stat()
        except OSError as error:
            raise self.error(f"{path} cannot be read:", f"{error.strerror or error}.") from None
        if not stat.S_ISREG(info.st_mode):
            raise self.error(
                f"{path} is not a regular file (a device, pipe or socket).", _LEAVE_OUT
            )
        return info

    def read(self, relative: str, path: Path, size: int) -> bytes:
        """The file's bytes (no more than `size` and one), checked for credentials."""
        try:
            content = read_bytes_bounded(path, "file", limit=size)
        except PipelineDesignError:
            raise self.error(
                f"{path} changed or vanished while it was staged.", "Try again."
            ) from None
        problem = content_problem(content, relative)
        if problem:
            raise self.error(f"{path} {problem}: it is never uploaded.", _NO_SECRET)
        return content


class _Snapshot:
    """A folder's files as staged, and its sourcedir.tar.gz once asked for."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self._archive: bytes | None = None

    def archive(self) -> bytes:
        if self._archive is None:  # many training nodes share one folder: pack it once
            self._archive = reproducible_tar_gz(self.files)
        return self._archive


class _Snapshots:
    """Folders read by earlier compiles, by path and the stat of every file.

    An unchanged folder is listed and stat-ed again, but not read, scanned or packed again
    (the designer compiles on every change). Bounded by the bytes it keeps.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[_Snapshot, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Snapshot | None:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def put(self, key: tuple, snapshot: _Snapshot, size: int) -> None:
        if size > self.max_bytes // 4:
            return  # a large folder is read again rather than kept
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (snapshot, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped


_SNAPSHOTS = _Snapshots(max_bytes=64 * 1024 * 1024)


def _read_folder(folder: Path, node: str, field: str) -> _Snapshot:
    """The files to stage, by relative path: every size is checked before anything is read."""
    where = _Where(folder, node, field)
    problem = folder_problem(folder)
    if problem:
        raise where.error(
            f"The folder {folder} {problem}.", "Give the folder that holds your code only."
        )
    listed, total = [], 0
    for relative, path in _walk(where):
        info = where.checked_file(relative, path)
        listed.append((relative, path, info))
        total += info.st_size
        if total > MAX_STAGED_BYTES:
            raise where.error(f"The folder {folder} holds", _TOO_BIG)
    if not listed:
        raise where.error(f"The folder {folder} is empty", "(or all its files are excluded).")
    key = (folder.resolve(), *(_signature(relative, info) for relative, _, info in listed))
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        snapshot = _Snapshot({r: where.read(r, path, info.st_size) for r, path, info in listed})
        if not _recently_changed(info for _, _, info in listed):
            _SNAPSHOTS.put(key, snapshot, total)
    return snapshot


def _recently_changed(infos) -> bool:
    """Whether a file changed within the last seconds: file times are coarse (a few ms), so a
    second write in the same tick could keep its stat. Such folders are not kept ("racy git")."""
    now = time.time_ns()
    return any(now - info.st_ctime_ns < 2_000_000_000 for info in infos)


def _signature(relative: str, info: os.stat_result) -> tuple:
    """What changes when a file is written, replaced or touched."""
    return relative, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev


def _walk(where: _Where) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of each file to stage, sorted: caches, .git and what the
    folder's .gitignore files exclude are left out, and excluded folders are not entered."""
    ignores: list[tuple[str, object]] = []  # (folder prefix, its .gitignore), deepest last
    for root, dirs, files in os.walk(where.folder, followlinks=False):
        prefix = Path(root).relative_to(where.folder).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        if ".gitignore" in files:
            ignores.append((prefix, _gitignore(Path(root) / ".gitignore", where)))
        dirs[:] = sorted(
            name
            for name in dirs
            if name not in _SKIPPED and not _ignored(f"{prefix}{name}/", ignores)
        )
        for name in sorted(files):
            relative = prefix + name
            if name in _SKIPPED or name.endswith(".pyc") or _ignored(relative, ignores):
                continue
            yield relative, Path(root) / name


def _gitignore(path: Path, where: _Where):
    import pathspec

    try:
        text = read_bytes_bounded(path, ".gitignore file", limit=MAX_GITIGNORE_BYTES)
    except PipelineDesignError as error:
        raise where.error(str(error), "Fix or remove it.") from None
    return pathspec.GitIgnoreSpec.from_lines(text.decode("utf-8", "replace").splitlines())


def _ignored(relative: str, ignores: list) -> bool:
    """Whether the deepest .gitignore with a say about `relative` excludes it (git's rule)."""
    for base, spec in reversed(ignores):
        if relative.startswith(base):
            verdict = spec.check_file(relative[len(base) :]).include
            if verdict is not None:
                return verdict
    return False


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def reproducible_zip(files: dict[str, bytes], folder: str = "") -> bytes:
    """A zip (under `folder`/, if given) whose bytes depend only on the files' names and
    contents."""
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}" if folder else name, (1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return packed.getvalue()


def reproducible_tar_gz(files: dict[str, bytes]) -> bytes:
    """A tar.gz whose bytes depend only on the files' names and contents."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(files[name]), 0o644, 0
            tar.addfile(info, io.BytesIO(files[name]))
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0, filename="") as archive:
        archive.write(raw.getvalue())
    return packed.getvalue()
