"""Content-addressed S3 locations for local code and generated settings, without uploading.

Compiling gives each local folder or file `<pipeline_s3_loc>/code/<sha256-prefix>/<file>` and
each generated settings file `<pipeline_s3_loc>/config/<sha256-prefix>/settings.json`. The
bytes are captured when the address is computed, so deploy uploads exactly what was hashed;
an unchanged folder keeps its address, so deploying twice uploads nothing new.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from builders.errors import StepBuildError

DIGEST_LENGTH = 16
MAX_STAGED_BYTES = 200 * 1024 * 1024
_SKIPPED = {"__pycache__", ".git", ".ipynb_checkpoints", ".DS_Store", ".pytest_cache"}
BUILTIN_SCRIPTS = Path(__file__).parent / "scripts"


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
        self._folders: dict[Path, dict[str, bytes]] = {}  # read once per compile
        self._archives: dict[Path, bytes] = {}  # tar.gz per folder

    @property
    def objects(self) -> list[StagedObject]:
        return list(self._objects.values())

    def folder(self, location: str | None, s3_loc: str, *, node: str, field: str) -> str:
        """S3 prefix (ending in /) holding the folder's files; None means the built-in scripts."""
        if location and location.startswith("s3://"):
            return location if location.endswith("/") else location + "/"
        return self._add(s3_loc, "code", self._folder_files(location, node, field)[1])

    def file(self, location: str, s3_loc: str, *, node: str, field: str) -> tuple[str, str]:
        """(S3 prefix, file name) of a single script, staged alone under its own prefix."""
        if location.startswith("s3://"):
            prefix, _, name = location.rpartition("/")
            return prefix + "/", name
        path = self._local(location, node, field, want_dir=False)
        return self._add(s3_loc, "code", {path.name: path.read_bytes()}), path.name

    def archive(self, location: str | None, s3_loc: str, *, node: str, field: str) -> str:
        """S3 URI of a reproducible sourcedir.tar.gz of the folder (what estimators expect)."""
        if location and location.startswith("s3://"):
            return location
        folder, files = self._folder_files(location, node, field)
        if folder not in self._archives:  # many training nodes share one folder: pack it once
            self._archives[folder] = reproducible_tar_gz(files)
        prefix = self._add(s3_loc, "code", {"sourcedir.tar.gz": self._archives[folder]})
        return prefix + "sourcedir.tar.gz"

    def settings(self, data: dict, s3_loc: str, name: str = "settings.json") -> str:
        """S3 prefix of a generated settings file, for a job's `config` input."""
        content = json.dumps(data, indent=2, sort_keys=True).encode()
        return self._add(s3_loc, "config", {name: content})

    def _folder_files(
        self, location: str | None, node: str, field: str
    ) -> tuple[Path, dict[str, bytes]]:
        """The folder's path and its files (read once per compile)."""
        folder = self._local(location, node, field, want_dir=True)
        if folder not in self._folders:
            self._folders[folder] = _read_folder(folder, node, field)
        return folder, self._folders[folder]

    def _local(self, location: str | None, node: str, field: str, *, want_dir: bool) -> Path:
        path = BUILTIN_SCRIPTS if location is None else self.base_dir / Path(location).expanduser()
        kind = "folder" if want_dir else "file"
        if not (path.is_dir() if want_dir else path.is_file()):
            raise StepBuildError(
                f"The {kind} {location} (looked for at {path}) does not exist. Give an "
                f"existing local {kind} or an s3:// URI.",
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


def _read_folder(folder: Path, node: str, field: str) -> dict[str, bytes]:
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or _SKIPPED.intersection(relative.parts) or path.suffix == ".pyc":
            continue
        files[relative.as_posix()] = content = path.read_bytes()
        total += len(content)
        if total > MAX_STAGED_BYTES:
            raise StepBuildError(
                f"The folder {folder} holds more than {MAX_STAGED_BYTES // 2**20} MB. Keep only "
                "code in it, or upload it to S3 yourself and give its s3:// URI.",
                node=node,
                field=field,
            )
    if not files:
        raise StepBuildError(f"The folder {folder} is empty.", node=node, field=field)
    return files


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
