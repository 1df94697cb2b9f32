"""Packaging job: put the model files and the inference code into one model.tar.gz.

Inputs: `/opt/ml/processing/input/model/` (a model .tar.gz, which is unpacked, or loose model
files) and `/opt/ml/processing/input/script/` (the inference code; may be empty).
Output: `/opt/ml/processing/output/packaged_model/model.tar.gz` with the model files at its root
and the inference code under `code/` (without __pycache__ and *.pyc).
Settings are optional; no setting is required.
Runs inside a SageMaker container: Python 3.8 and the standard library only.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
from pathlib import Path

try:  # imported as builders.step_types.packaging.job.packaging
    from builders.scripts import container_paths as paths
    from builders.scripts.archives import MemberCheck
except ImportError:  # run as a script inside the SageMaker container
    import container_paths as paths
    from archives import MemberCheck

ARCHIVE_NAME = "model.tar.gz"
CODE_FOLDER = "code"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")


def read_optional_settings() -> dict:
    try:
        return paths.read_settings()
    except FileNotFoundError:
        print("No settings file; using the defaults")
        return {}


def walk_files(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted, leaving out Python caches."""
    found = []
    for root, dirs, files in os.walk(str(folder)):
        dirs[:] = sorted(name for name in dirs if name != "__pycache__")
        found.extend(Path(root, name) for name in files if not name.endswith(".pyc"))
    return sorted(found)


def copy_archive(source: Path, output: tarfile.TarFile, skip: set, seen: set) -> int:
    """Copy the members of a model archive into `output`; return the number of files.

    A member that would land outside the folder the package is unpacked to (an absolute or
    `..` path, a link out of it) or that is not plain data refuses the whole archive: the
    package is unpacked wherever the model is served or evaluated.
    """
    count = 0
    check = MemberCheck(source.name)
    with tarfile.open(str(source), "r:*") as archive:
        for member in archive:
            name = check(member)
            if not name or name in seen:
                continue
            if name in skip:
                print(f"{name} from {source.name} is replaced by the inference code")
                continue
            if member.islnk():
                member.linkname = posixpath.normpath(member.linkname.replace("\\", "/"))
            member.name = name
            fileobj = archive.extractfile(member) if member.isfile() else None
            output.addfile(member, fileobj)
            seen.add(name)
            count += int(member.isfile())
    print(f"Copied {count} file(s) from {source.name}")
    return count


def add_model(model_dir: Path, output: tarfile.TarFile, code_names: set) -> int:
    """Add the model files: archives unpacked at the root, loose files at their paths."""
    files = walk_files(model_dir) if model_dir.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"No model files in {model_dir}. Connect the training step's model artifacts "
            "(a model.tar.gz or the model files) to the packaging step."
        )
    seen = set()
    count = 0
    for path in files:
        if path.name.endswith(ARCHIVE_SUFFIXES):
            count += copy_archive(path, output, code_names, seen)
            continue
        name = path.relative_to(model_dir).as_posix()
        if name in seen or name in code_names:
            print(f"Skipping {name}: already in the package")
            continue
        output.add(str(path), arcname=name, recursive=False)
        seen.add(name)
        count += 1
    return count


def code_files(script_dir: Path) -> dict:
    """{"code/<relative path>": file} for the inference code."""
    files = walk_files(script_dir) if script_dir.is_dir() else []
    if not files:
        print(f"WARNING: no inference code in {script_dir}; the package has no code/ folder")
    return {
        posixpath.join(CODE_FOLDER, path.relative_to(script_dir).as_posix()): path for path in files
    }


def package(model_dir: Path, script_dir: Path, target: Path) -> dict:
    """Write `target` from the model and code folders; return what went in."""
    code = code_files(script_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(str(target), "w:gz", compresslevel=6) as output:
        model_count = add_model(model_dir, output, set(code))
        for name, path in sorted(code.items()):
            output.add(str(path), arcname=name, recursive=False)
    summary = {"archive": str(target), "model_files": model_count, "code_files": len(code)}
    print(f"Packaged {model_count} model file(s) and {len(code)} code file(s) into {target}")
    return summary


def main() -> dict:
    settings = read_optional_settings()
    if settings:
        print(f"Settings: {settings}")
    target = paths.processing_output("packaged_model") / ARCHIVE_NAME
    try:
        return package(paths.processing_input("model"), paths.processing_input("script"), target)
    except Exception:
        # A half-written archive must not be uploaded as the packaged model.
        if target.exists():
            target.unlink()
        raise


if __name__ == "__main__":
    main()
