"""Content-addressed code locations: same content, same URI; the bytes captured at compile."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
import textwrap

import pytest

from builders.compiling.staging import JOB_RUNTIME, CodeStager, reproducible_tar_gz
from builders.errors import StepBuildError
from builders.registry import REGISTRY

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


def test_none_means_the_step_types_job_script_with_the_job_runtime():
    stager = CodeStager()
    job = REGISTRY.get("Payload").job
    prefix = stager.folder(None, LOC, node="n", field="f", builtin=job)
    staged = {o.s3_uri.removeprefix(prefix): o.content for o in stager.objects}
    assert {"payload.py", "container_paths.py"} <= set(staged)
    assert "xgboost_train.py" not in staged  # another step type's script
    assert staged["payload.py"] == (job / "payload.py").read_bytes()
    assert staged["container_paths.py"] == (JOB_RUNTIME / "container_paths.py").read_bytes()


def test_a_step_type_without_a_job_script_needs_a_folder():
    with pytest.raises(StepBuildError, match="no built-in script"):
        CodeStager().folder(None, LOC, node="n", field="f")


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


# -- never a secret, never more than the user meant ------------------------------------------
def staged_names(folder, base_dir=None) -> set[str]:
    prefix, objects = stage(folder, base_dir)
    return {uri.removeprefix(prefix) for uri in objects}


def refusal(folder, base_dir=None) -> str:
    with pytest.raises(StepBuildError) as raised:
        stage(folder, base_dir)
    assert (raised.value.node, raised.value.field) == ("n", "f")
    return str(raised.value)


def test_the_aws_folder_is_never_staged(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = AKIA...\n")
    monkeypatch.setenv("HOME", str(home))
    message = refusal("~/.aws")
    assert "is (or is inside) .aws, a folder of credentials or keys" in message


@pytest.mark.parametrize("where", ["home", "root"])
def test_the_home_folder_and_the_root_are_refused(tmp_path, monkeypatch, where):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "train.py").write_text("print(1)\n")
    message = refusal("~" if where == "home" else "/")
    assert ("home folder" if where == "home" else "root of the file system") in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".env", "DB_PASSWORD=hunter2\n"),
        ("deploy.pem", "not even a key\n"),
        ("id_rsa", "key\n"),
        (".ssh/config", "Host x\n"),
        ("settings.py", "KEY = 'AKIAIOSFODNN7EXAMPLE'\n"),
        ("notes.txt", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n"),
        ("aws.ini", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
    ],
)
def test_files_that_hold_credentials_or_keys_are_refused(code, name, content):
    (code / name).parent.mkdir(parents=True, exist_ok=True)
    (code / name).write_text(content)
    message = refusal(code)
    assert name.split("/")[-1] in message or ".ssh" in message
    assert "never uploaded" in message and ".gitignore" in message


def test_harmless_look_alikes_are_staged(code):
    (code / ".env.example").write_text("DB_PASSWORD=\n")
    (code / "auth.py").write_text("boto3.client('s3', aws_secret_access_key=secret)\n")
    assert {".env.example", "auth.py"} <= staged_names(code)


def test_gitignore_exclusions_are_honoured_like_git(code):
    (code / ".gitignore").write_text("*.csv\n!keep.csv\ndata/\n.env\n")
    (code / "big.csv").write_text("1,2\n")
    (code / "keep.csv").write_text("3,4\n")
    (code / "data").mkdir()
    (code / "data" / "rows.parquet").write_bytes(b"PAR1")
    (code / ".env").write_text("SECRET=1\n")  # listed: left out, so not refused
    (code / "lib" / ".gitignore").write_text("generated_*.py\n")
    (code / "lib" / "generated_x.py").write_text("X = 2\n")
    assert staged_names(code) == {
        ".gitignore", "keep.csv", "lib/.gitignore", "lib/util.py", "main.py"
    }  # fmt: skip


def test_a_4_gib_file_is_refused_before_it_is_read(tmp_path):
    """Sizes are checked first: the process stays small however large the file is."""
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "train.py").write_text("print(1)\n")
    with open(folder / "weights.bin", "wb") as handle:
        handle.truncate(4 * 2**30)  # sparse: 4 GiB that take no disk
    probe = textwrap.dedent(
        """
        import sys
        from builders.errors import StepBuildError
        from builders.compiling.staging import CodeStager
        try:
            CodeStager().folder(sys.argv[1], "s3://b/p", node="n", field="f")
        except StepBuildError as error:
            print(error)
        # This process's peak (ru_maxrss would include its parent's, from before exec).
        status = open("/proc/self/status").read()
        print(int(status.split("VmHWM:")[1].split()[0]) // 1024, "MB")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(folder)], capture_output=True, text=True, timeout=60
    )
    assert "holds more than 200 MB" in run.stdout, run.stderr
    assert int(run.stdout.split()[-2]) < 200  # peak memory in MB


def test_special_files_are_refused(code):
    os.mkfifo(code / "pipe")
    assert "is not a regular file" in refusal(code)


def test_a_path_too_long_for_the_file_system_is_a_build_error(tmp_path):
    with pytest.raises(StepBuildError) as raised:
        CodeStager(tmp_path).folder("x" * 300, LOC, node="Pack", field="source_dir")
    assert (raised.value.node, raised.value.field) == ("Pack", "source_dir")
    assert "cannot be used: File name too long" in str(raised.value)


def test_a_same_size_change_with_its_old_mtime_is_still_seen(code):
    """Folders are re-read only when a file's stat changed: ctime changes with any write."""
    first, _ = stage(code)
    util = code / "lib" / "util.py"
    before = util.stat()
    util.write_text("X = 2\n")  # the same size
    os.utime(util, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old mtime
    second, changed = stage(code)
    assert first != second and changed[second + "lib/util.py"] == b"X = 2\n"
