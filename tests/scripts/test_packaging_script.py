"""The Packaging job script: model files at the root, inference code under code/."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from builders.scripts import container_paths as paths
from builders.step_types.packaging.job import packaging


def write_model_archive(path: Path, files: dict, links: dict | None = None) -> Path:
    """A model tar.gz like a training job's: members under "./", as `tar -C dir .` makes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        directory = tarfile.TarInfo(".")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def write_code(container):
    code = paths.processing_input("script")
    container.write_text(code / "inference.py", "def model_fn(model_dir): ...\n")
    container.write_text(code / "lib" / "helpers.py", "X = 1\n")
    container.write_text(code / "__pycache__" / "inference.cpython-38.pyc", "junk")
    container.write_text(code / "lib" / "old.pyc", "junk")


def packaged() -> dict:
    target = paths.processing_output("packaged_model") / "model.tar.gz"
    with tarfile.open(target, "r:gz") as archive:
        return {
            member.name: archive.extractfile(member).read().decode()
            for member in archive.getmembers()
            if member.isfile()
        }


def test_model_archive_is_unpacked_and_code_goes_under_code(container):
    model = paths.processing_input("model") / "model.tar.gz"
    write_model_archive(model, {"./xgboost-model": "booster", "./extra/vocab.txt": "a b"})
    write_code(container)

    summary = packaging.main()

    assert packaged() == {
        "xgboost-model": "booster",
        "extra/vocab.txt": "a b",
        "code/inference.py": "def model_fn(model_dir): ...\n",
        "code/lib/helpers.py": "X = 1\n",
    }
    assert summary["model_files"] == 2
    assert summary["code_files"] == 2


def test_loose_model_files_keep_their_paths(container):
    container.write_text(paths.processing_input("model") / "model.pth", "weights")
    container.write_text(paths.processing_input("model") / "config" / "labels.json", "[]")
    write_code(container)

    packaging.main()

    assert set(packaged()) == {
        "model.pth",
        "config/labels.json",
        "code/inference.py",
        "code/lib/helpers.py",
    }


def test_inference_code_replaces_code_from_the_model_archive(container):
    model = paths.processing_input("model") / "model.tar.gz"
    write_model_archive(model, {"model.pth": "w", "code/inference.py": "old"})
    write_code(container)

    packaging.main()

    assert packaged()["code/inference.py"] == "def model_fn(model_dir): ...\n"


def test_without_inference_code_there_is_no_code_folder(container, capsys):
    container.write_text(paths.processing_input("model") / "model.pth", "weights")

    packaging.main()  # no settings file either: there are no required settings

    assert packaged() == {"model.pth": "weights"}
    assert "WARNING: no inference code" in capsys.readouterr().out


def test_no_model_files_is_an_error(container):
    write_code(container)
    with pytest.raises(FileNotFoundError, match="No model files in"):
        packaging.main()


def test_runs_as_a_script_in_the_container(container):
    container.write_settings({})
    write_model_archive(paths.processing_input("model") / "model.tar.gz", {"m.bin": "1"})
    write_code(container)

    result = container.run_script("packaging")

    assert result.returncode == 0, result.stderr
    assert set(packaged()) == {"m.bin", "code/inference.py", "code/lib/helpers.py"}
