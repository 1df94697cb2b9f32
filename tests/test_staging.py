"""Content-addressed code locations: same content, same URI; the bytes captured at compile."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from builders.errors import StepBuildError
from builders.staging import BUILTIN_SCRIPTS, CodeStager, reproducible_tar_gz

LOC = "s3://my-ml-bucket/pipelines/p/1.0.0"


@pytest.fixture
def code(tmp_path):
    folder = tmp_path / "code"
    (folder / "lib").mkdir(parents=True)
    (folder / "main.py").write_text("print('main')\n")
    (folder / "lib" / "util.py").write_text("X = 1\n")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\0")
    return folder


def stage(folder, base_dir=None) -> tuple[str, dict]:
    stager = CodeStager(base_dir)
    prefix = stager.folder(str(folder), LOC, node="n", field="f")
    return prefix, {obj.s3_uri: obj.content for obj in stager.objects}


def test_a_folder_gets_a_prefix_under_code_named_by_its_content(code):
    prefix, objects = stage(code)
    assert prefix.startswith(f"{LOC}/code/") and prefix.endswith("/")
    assert len(prefix.removeprefix(f"{LOC}/code/").strip("/")) == 16
    assert objects == {prefix + "main.py": b"print('main')\n", prefix + "lib/util.py": b"X = 1\n"}


def test_unchanged_content_keeps_its_address_and_a_change_moves_it(code):
    first, _ = stage(code)
    assert stage(code)[0] == first
    (code / "lib" / "util.py").write_text("X = 2\n")
    assert stage(code)[0] != first


def test_relative_folders_resolve_against_the_base_dir(code):
    assert stage("code", base_dir=code.parent)[0] == stage(code)[0]


def test_none_means_the_builtin_scripts():
    stager = CodeStager()
    prefix = stager.folder(None, LOC, node="n", field="f")
    names = {obj.s3_uri.removeprefix(prefix) for obj in stager.objects}
    assert {"payload.py", "container_paths.py", "xgboost_train.py"} <= names
    assert (BUILTIN_SCRIPTS / "payload.py").read_bytes() == next(
        o.content for o in stager.objects if o.s3_uri.endswith("/payload.py")
    )


def test_s3_locations_pass_through_without_staging():
    stager = CodeStager()
    assert stager.folder("s3://b/code", LOC, node="n", field="f") == "s3://b/code/"
    assert stager.archive("s3://b/src.tar.gz", LOC, node="n", field="f") == "s3://b/src.tar.gz"
    assert stager.file("s3://b/x/gen.py", LOC, node="n", field="f") == ("s3://b/x/", "gen.py")
    assert stager.objects == []


def test_missing_and_empty_folders_name_node_and_field(tmp_path):
    stager = CodeStager(tmp_path)
    with pytest.raises(StepBuildError) as raised:
        stager.folder("nowhere", LOC, node="Pack", field="source_dir")
    assert (raised.value.node, raised.value.field) == ("Pack", "source_dir")
    assert str(tmp_path / "nowhere") in str(raised.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(StepBuildError, match="is empty"):
        stager.folder("empty", LOC, node="Pack", field="source_dir")
    with pytest.raises(StepBuildError, match="file"):
        stager.file("empty", LOC, node="Payload", field="payload_script_path")


def test_the_archive_is_reproducible_and_holds_the_folder(code):
    first = CodeStager().archive(str(code), LOC, node="n", field="f")
    stager = CodeStager()
    again = stager.archive(str(code), LOC, node="n", field="f")
    assert first == again and again.endswith("/sourcedir.tar.gz")
    content = stager.objects[0].content
    with tarfile.open(fileobj=io.BytesIO(content)) as tar:
        assert tar.getnames() == ["lib/util.py", "main.py"]
        assert {m.mtime for m in tar.getmembers()} == {0}


def test_reproducible_tar_gz_depends_only_on_names_and_content():
    files = {"b.py": b"b", "a.py": b"a"}
    assert reproducible_tar_gz(files) == reproducible_tar_gz(dict(reversed(files.items())))
    assert gzip.decompress(reproducible_tar_gz(files))  # a valid gzip stream


def test_settings_are_staged_under_config(tmp_path):
    stager = CodeStager()
    prefix = stager.settings({"b": 1, "a": [1, 2]}, LOC)
    assert prefix.startswith(f"{LOC}/config/")
    (obj,) = stager.objects
    assert obj.key.endswith("/settings.json") and obj.bucket == "my-ml-bucket"
    assert stager.settings({"a": [1, 2], "b": 1}, LOC) == prefix  # key order does not matter


def test_a_single_script_is_staged_alone(tmp_path):
    script = tmp_path / "gen.py"
    script.write_text("print(1)\n")
    stager = CodeStager()
    prefix, name = stager.file(str(script), LOC, node="n", field="f")
    assert name == "gen.py"
    assert [o.s3_uri for o in stager.objects] == [prefix + "gen.py"]
