"""Reading and writing JSON files safely: atomic writes, readable errors on bad input."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from builders.errors import ConfigFileError


def write_json_atomic(path: str | os.PathLike, data: Any) -> Path:
    """Write `data` as JSON so that a crash mid-write never leaves a broken file."""
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; keep what a plain write gives
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _mode_for(path: Path) -> int:
    """The existing file's mode, or the default for a new file under the current umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def parse_json(text: str | bytes, what: str) -> Any:
    """Parse JSON text, turning a syntax error into a ConfigFileError naming line and column."""
    try:
        return json.loads(text)
    except UnicodeDecodeError:
        raise ConfigFileError(f"The {what} is not a text file (it is not UTF-8).") from None
    except json.JSONDecodeError as error:
        raise ConfigFileError(
            f"The {what} is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}."
        ) from None


def read_json(path: str | os.PathLike, what: str) -> Any:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigFileError(f"The {what} {path} does not exist.") from None
    except IsADirectoryError:
        raise ConfigFileError(f"The {what} {path} is a folder, not a file.") from None
    except OSError as error:
        raise ConfigFileError(f"Cannot read the {what} {path}: {error.strerror}.") from None
    return parse_json(data, f"{what} {path}")
