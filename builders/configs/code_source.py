"""A function in the user's code folder, read without running it: its file and signature.

Checking a design must not run the user's code (it is untrusted, and checks run on every
edit), so the function is found by parsing its file with `ast`: a top-level `def` of that
name, and the parameters it takes. What the SDK would refuse when the step is built or run
(no such function, an argument it does not take, a required one not given) is refused here,
on the field to change. The Lambda step type reads its handler the same way.
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from builders.errors import PipelineDesignError
from builders.fileio import read_bytes_bounded

MAX_SOURCE_BYTES = 1024 * 1024  # a module larger than this is not read when checking


class SourceProblem(ValueError):
    """Why the function cannot be used; `field` is the config field to change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Signature:
    """What a top-level function takes, as its `def` line says."""

    name: str
    line: int
    is_async: bool
    keyword_names: tuple[str, ...]  # parameters that may be given by keyword
    required: tuple[str, ...]  # ... of which these have no default
    positional_only_required: tuple[str, ...]
    any_keyword: bool  # **kwargs
    positional: tuple[str, ...] = ()  # parameters that may be given by position
    any_positional: bool = False  # *args

    def binding_problem(self, given: set[str]) -> tuple[str, str] | None:
        """(name, why) of the first name in `given` it refuses or required one it misses."""
        for name in sorted(given):
            if name not in self.keyword_names and not self.any_keyword:
                return name, f"{self.name}() takes no argument named '{name}'"
        for name in self.required:
            if name not in given:
                return name, (
                    f"{self.name}() needs a value for '{name}': give it in arguments, or "
                    "declare a port of that name"
                )
        return None


def module_file(folder: Path, module: str) -> Path:
    """The file of `module` ('features', 'pkg.features') in `folder`."""
    return folder / (module.replace(".", "/") + ".py")


def local_folder(location: str | None) -> Path | None:
    """The local folder a config names, when it exists here (relative: to the current
    folder); None for an S3 URI or a folder not found (compiling reports that)."""
    if not location or location.startswith("s3://"):
        return None
    try:
        folder = Path(location).expanduser()
        return folder if folder.is_dir() else None
    except (OSError, RuntimeError, ValueError):
        return None


def find_function(path: Path, name: str, field: str) -> Signature:
    """The signature of the top-level function `name` in the Python file `path`."""
    try:
        info = path.stat()
    except OSError:
        raise SourceProblem(field, f"{path.name} is not in the code folder {path.parent}") from None
    return _parsed(str(path), info.st_mtime_ns, info.st_size, name, field)


@functools.lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int, name: str, field: str) -> Signature:
    """Parsed once per file version (checks run on every edit)."""
    shown = os.path.basename(path)
    if size > MAX_SOURCE_BYTES:
        raise SourceProblem(field, f"{shown} is over {MAX_SOURCE_BYTES // 1024} KB: not read")
    try:
        tree = ast.parse(read_bytes_bounded(path, "Python file", limit=MAX_SOURCE_BYTES), shown)
    except PipelineDesignError as error:
        raise SourceProblem(field, str(error)) from None
    except SyntaxError as error:
        raise SourceProblem(
            field, f"{shown} has a syntax error at line {error.lineno}: {error.msg}"
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise SourceProblem(field, f"{shown} cannot be read as Python") from None
    defined = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == name:
                return _signature(node)
            defined.append(node.name)
    listed = f"it defines {', '.join(defined[:8])}" if defined else "it defines no function"
    raise SourceProblem(field, f"{shown} has no top-level function '{name}' ({listed})")


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Signature:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults_from = len(positional) - len(args.defaults)
    required_positional = [a.arg for i, a in enumerate(positional) if i < defaults_from]
    posonly = {a.arg for a in args.posonlyargs}
    keyword_only = zip(args.kwonlyargs, args.kw_defaults, strict=True)
    required_keyword = [a.arg for a, default in keyword_only if default is None]
    return Signature(
        name=node.name,
        line=node.lineno,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        keyword_names=tuple(a.arg for a in [*args.args, *args.kwonlyargs]),
        required=tuple(n for n in [*required_positional, *required_keyword] if n not in posonly),
        positional_only_required=tuple(n for n in required_positional if n in posonly),
        any_keyword=args.kwarg is not None,
        positional=tuple(a.arg for a in positional),
        any_positional=args.vararg is not None,
    )
