"""Reading and writing JSON files safely: bounded reads, atomic writes, readable errors.

Every file a user hands us may be anything: a device that never ends (/dev/zero), a folder,
a broken symlink, JSON nested 10,000 levels deep or a 5,000-digit number. Each becomes a
ConfigFileError that names the file and says what to do, never a traceback or an unbounded
read. Writes replace only regular files (or create new ones), never a device or a folder.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from builders.errors import ConfigFileError

# Where the tool keeps what a user makes: designs, and the sandbox's runs under runs/.
WORKSPACE_ENV = "PIPELINE_DESIGNER_WORKSPACE"


def default_root() -> Path:
    """The workspace folder: $PIPELINE_DESIGNER_WORKSPACE, else ./workspace."""
    return Path(os.environ.get(WORKSPACE_ENV) or Path.cwd() / "workspace")


MAX_JSON_BYTES = 20 * 1024 * 1024  # a config of 200 nodes is ~200 KB; this is far above
MAX_DEPTH = 64  # configs nest a few levels; anything deeper is not one of ours
TMP_SUFFIX = ".tmp"  # leftovers of interrupted writes end with this (see clean_leftovers)


def write_json_atomic(path: str | os.PathLike, data: Any) -> Path:
    """Write `data` as JSON so that a crash mid-write never leaves a broken file."""
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) like write_bytes_atomic."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    Refuses to replace anything but a regular file: renaming over /dev/full or a folder
    would destroy it. A path that is (or passes through) a symbolic link is written through:
    the file the link leads to is replaced, never the link (`/dev/stdout` once became a
    regular file in /dev). Raises OSError (a folder, no permission, a full disk) for the
    caller to explain. Returns the path given.
    """
    given = Path(path)
    if str(given) in ("", "."):
        raise IsADirectoryError(21, "an empty path names no file", str(given))
    _check_replaceable(given)  # what the path leads to, links followed
    path = Path(os.path.realpath(given))
    _check_replaceable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; keep what a plain write gives
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return given


def _check_replaceable(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return  # a new file (or a dangling symlink, which the rename replaces)
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "it is a folder, not a file", str(path))
    if not stat.S_ISREG(mode):
        raise OSError(1, "it is not a regular file (a device, pipe or socket)", str(path))


def _mode_for(path: Path) -> int:
    """The existing file's mode, or the default for a new file under the current umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def clean_leftovers(folder: str | os.PathLike, older_than_seconds: float = 60.0) -> int:
    """Remove temporary files of interrupted writes (kill -9 mid-save); returns how many.

    Only files this module names (`.<name>.<random>.tmp`) and only old ones: a write in
    progress in another process is never touched.
    """
    import time

    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(TMP_SUFFIX)):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > (
                older_than_seconds
            ):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def parse_json(text: str | bytes, what: str) -> Any:
    """Parse JSON text; anything that is not plain JSON of a sane shape is a ConfigFileError.

    Refused, each with a message: syntax errors (line and column), text that is not UTF-8,
    nesting deeper than MAX_DEPTH, numbers longer than Python converts, NaN and Infinity,
    and keys given twice in one object (JSON keeps the last silently).
    """
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ConfigFileError(f"The {what} is not a text file (it is not UTF-8).") from None
    except json.JSONDecodeError as error:
        at = "" if error.msg.endswith(" at") else " at"  # "Unterminated string starting at"
        raise ConfigFileError(
            f"The {what} is not valid JSON: {error.msg}{at} line {error.lineno}, "
            f"column {error.colno}."
        ) from None
    except RecursionError:
        raise ConfigFileError(_too_deep(what)) from None
    except _Refused as error:
        raise ConfigFileError(f"The {what} {error}") from None
    except ValueError as error:  # int() of a number over sys.get_int_max_str_digits()
        raise ConfigFileError(
            f"The {what} has a number too long to read ({error}). Use a shorter number."
        ) from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise ConfigFileError(_too_deep(what))
    return data


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"gives the key '{key[:80]}' twice in one object. Keep one of them.")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _Refused(f"holds {name}, which is not a JSON number. Use a finite number.")


def _too_deep(what: str) -> str:
    return (
        f"The {what} is nested more than {MAX_DEPTH} levels deep; no config or DAG is. Check "
        "that it is the right file."
    )


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (iterative: no recursion limit)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def read_bytes_bounded(path: str | os.PathLike, what: str, limit: int = MAX_JSON_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or a ConfigFileError."""
    path = Path(path)
    try:
        # Non-blocking: opening a named pipe without a writer would otherwise wait forever.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(descriptor, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise ConfigFileError(
                    f"The {what} {path} is not a regular file (a device, pipe or socket). "
                    "Give the path of a file."
                )
            data = handle.read(limit + 1)  # a file still growing cannot get past this
    except FileNotFoundError:
        if path.is_symlink():
            raise ConfigFileError(
                f"The {what} {path} is a link to a file that does not exist."
            ) from None
        raise ConfigFileError(f"The {what} {path} does not exist.") from None
    except IsADirectoryError:
        raise ConfigFileError(f"The {what} {path} is a folder, not a file.") from None
    except OSError as error:
        raise ConfigFileError(
            f"Cannot read the {what} {path}: {error.strerror or error}."
        ) from None
    if len(data) > limit:
        raise ConfigFileError(
            f"The {what} {path} is larger than {limit // (1024 * 1024)} MB; no config or DAG "
            "is. Check that it is the right file."
        )
    return data


def read_json(path: str | os.PathLike, what: str) -> Any:
    return parse_json(read_bytes_bounded(path, what), f"{what} {Path(path)}")


_WRITE_FAILURES = {
    errno.EISDIR: "it is a folder",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would exceed the file-size limit of this process (ulimit -f)",
    errno.EACCES: "permission denied",
    errno.EPERM: "it is not a regular file, or this is not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the path is too long",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}


def write_failure(error: OSError) -> str:
    """Why a file could not be written, in words (a copy's errors are named in its text)."""
    if error.errno in _WRITE_FAILURES:
        return _WRITE_FAILURES[error.errno]
    text = str(error)
    for code, reason in _WRITE_FAILURES.items():
        if f"[Errno {code}]" in text:
            return reason
    return error.strerror or text
