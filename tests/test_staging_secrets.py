"""Secrets the staging check once let through (issue 18), each refused with its reason.

Each file is written into a code folder as a user's would be; staging it must refuse, name the
file and say what to do. Harmless look-alikes stay staged.
"""

from __future__ import annotations

import json
import os

import pytest

from builders.compiling.staging import CodeStager
from builders.errors import StepBuildError

LOC = "s3://my-ml-bucket/pipelines/p/1.0.0"
# AWS's documented example secret key
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # pragma: allowlist secret
KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- cluster: {server: "https://10.0.0.1:6443"}
  name: prod
users:
- name: admin
  user:
    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=
"""
GCLOUD = {
    "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",
    "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty",  # pragma: allowlist secret
    "refresh_token": "1//0gLbd8y3Ab-KtCgYIARAAGBASNwF",  # pragma: allowlist secret
    "type": "authorized_user",
}


@pytest.fixture
def code(tmp_path):
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "train.py").write_text("print('train')\n")
    return folder


def stage(folder, base_dir=None) -> set[str]:
    stager = CodeStager(base_dir)
    prefix = stager.folder(str(folder), LOC, node="Train", field="source_dir")
    return {obj.s3_uri.removeprefix(prefix) for obj in stager.objects}


def refusal(folder, base_dir=None) -> str:
    with pytest.raises(StepBuildError) as raised:
        stage(folder, base_dir)
    assert (raised.value.node, raised.value.field) == ("Train", "source_dir")
    return str(raised.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("env.sh", f'#!/bin/sh\nAWS_SECRET_ACCESS_KEY="{SECRET}"\n'),
        ("setup.sh", f"export AWS_SECRET_ACCESS_KEY={SECRET}\npython train.py\n"),
        ("aws.ini", f"[default]\nAWS_SECRET_ACCESS_KEY = {SECRET}\n"),
        ("session.json", json.dumps({"Credentials": {"SecretAccessKey": SECRET}}, indent=2)),
        ("settings.py", "KEY = 'ASIAIOSFODNN7EXAMPLE'\n"),  # a temporary (STS) key id
        ("settings_too.py", "KEY = 'AKIAIOSFODNN7EXAMPLE'\n"),
        ("publish.txt", "//registry.npmjs.org/:_authToken=npm_" + "a1B2c3D4" * 4 + "abcd\n"),
        ("cluster.yaml", KUBECONFIG),
        ("paged.py", "import os\n\f\nx = 1\u2028y = 2\nKEY = 'AKIAIOSFODNN7EXAMPLE'\n"),
    ],
)
def test_files_holding_credentials_are_refused_by_what_they_hold(code, name, content):
    (code / name).write_text(content)
    message = refusal(code)
    assert str(code / name) in message and "never uploaded" in message
    assert ".gitignore" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".envrc", "export DB_PASSWORD=hunter2\n"),
        (".npmrc", "registry=https://registry.npmjs.org/\n"),
        ("application_default_credentials.json", json.dumps(GCLOUD)),
        ("kubeconfig", "apiVersion: v1\n"),
        ("prod.kubeconfig", "apiVersion: v1\n"),
    ],
)
def test_files_named_like_credentials_are_refused(code, name, content):
    (code / name).write_text(content)
    assert f"{name} is named like a credential" in refusal(code)


def test_gcloud_and_kube_folders_are_credential_folders(code, tmp_path):
    (tmp_path / ".config" / "gcloud").mkdir(parents=True)
    (tmp_path / ".config" / "gcloud" / "tool.py").write_text("X = 1\n")
    assert "is (or is inside) .config/gcloud" in refusal(tmp_path / ".config" / "gcloud")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "config").write_text(KUBECONFIG)  # a kube config outside .kube
    assert "is a Kubernetes config" in refusal(tmp_path / "elsewhere")


def test_a_link_out_of_the_folder_is_refused_and_not_read(code, tmp_path):
    outside = tmp_path / "shadow"
    outside.write_text("root:$6$salt$hash:19000:0:99999:7:::\n")
    os.symlink(outside, code / "shadow")
    message = refusal(code)
    assert f"{code / 'shadow'} is a link to {outside}, outside the folder" in message


def test_a_link_to_etc_shadow_is_refused(code):
    os.symlink("/etc/shadow", code / "passwords")
    assert "is a link to /etc/shadow, outside the folder" in refusal(code)


def test_a_link_inside_the_folder_is_staged(code):
    os.symlink(code / "train.py", code / "entry.py")
    assert stage(code) == {"train.py", "entry.py"}


def test_a_dangling_link_is_refused(code):
    os.symlink(code / "gone.py", code / "entry.py")
    assert "is a link that cannot be followed" in refusal(code)


@pytest.mark.parametrize("folder", ["/var/log", "/etc", "/etc/ssl", "/home", "/usr", "/proc"])
def test_system_folders_are_never_code_folders(folder):
    message = refusal(folder)
    assert f"The folder {folder}" in message and "system folder" in message


def test_a_relative_path_climbing_to_var_log_is_refused(tmp_path):
    base = tmp_path / "a" / "b" / "c" / "d"
    base.mkdir(parents=True)
    climb = "../" * len(base.parts) + "var/log"
    assert "/var/log is a system folder" in refusal(climb, base_dir=base)


def test_a_folder_that_holds_the_home_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "users" / "me").mkdir(parents=True)
    (tmp_path / "users" / "other.py").write_text("X = 1\n")
    monkeypatch.setenv("HOME", str(tmp_path / "users" / "me"))
    assert "is your home folder (or holds it)" in refusal(tmp_path / "users")
    (tmp_path / "users" / "me" / "project").mkdir()
    (tmp_path / "users" / "me" / "project" / "train.py").write_text("X = 1\n")
    assert stage(tmp_path / "users" / "me" / "project") == {"train.py"}


def test_a_single_script_in_a_system_folder_is_refused(tmp_path):
    with pytest.raises(StepBuildError) as raised:
        CodeStager(tmp_path).file("/etc/hostname", LOC, node="Train", field="entry_point")
    assert "system folder" in str(raised.value)


def test_look_alikes_and_marked_lines_are_staged(code):
    (code / "auth.py").write_text(
        "import os\n"
        "client = boto3.client('s3', aws_secret_access_key=secret)\n"
        "password = os.environ['DB_PASSWORD']\n"
        'SECRET_NAME = "prod/db"  # pragma: allowlist secret\n'
    )
    (code / "model.yaml").write_text("max_tokens: 512\ntokenizer: bert-base-uncased\n")
    (code / "run.sh").write_text("TOKENIZERS_PARALLELISM=false python train.py\n")
    # What detect-secrets' own filters call no secret: templates, placeholders, a UUID...
    (code / "app.cfg").write_text(
        "[db]\npassword = ${DB_PASSWORD}\napi_key = {{ api_key }}\n"
        "secret_key = abcdefghijklmnopqrstuvwxyz\n"
        "secret_id = 0f8fad5b-d9cb-469f-a165-70867728950e\n"
        "token = ********\n"
    )
    (code / "users.yaml").write_text("users:\n  - alice\n  - bob\n")  # not a kube config
    assert stage(code) == {"train.py", "auth.py", "model.yaml", "run.sh", "app.cfg", "users.yaml"}


def test_a_false_alarm_says_how_to_mark_it(code):
    (code / "names.py").write_text('SECRET_NAME = "prod/db"\n')
    message = refusal(code)
    assert "line 1" in message and "pragma: allowlist secret" in message


@pytest.mark.parametrize("first", ["setup.py", "setup.sh"])
def test_the_same_bytes_are_judged_again_under_another_name(tmp_path, first):
    """Answers are kept by content (SDK 3 writes its drivers anew at every compile), but an
    unquoted setting is a secret in a shell file, not in Python code: the name counts too."""
    content = f"export AWS_SECRET_ACCESS_KEY={SECRET}\n"
    for name in (first, *({"setup.py", "setup.sh"} - {first})):
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / name).write_text(content)
        if name.endswith(".sh"):
            assert "never uploaded" in refusal(folder)
        else:
            assert stage(folder) == {name}
