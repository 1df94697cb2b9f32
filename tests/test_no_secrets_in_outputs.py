"""With credentials in the environment, nothing the tool writes or prints holds them: compiled
definitions, what deploy uploads, exported configs, payload archives, logs."""

from __future__ import annotations

import os
import subprocess
import sys

from support import REPO, STARTERS

from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import load_configs, merge_and_save_configs
from builders.graph.dag import load_dag

FAKE = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEACCESSKEY123",
    "AWS_SECRET_ACCESS_KEY": "fakeSecretKey/0123456789abcdefghijklmnopq",
    "AWS_SESSION_TOKEN": "FakeSessionTokenThatMustNeverBeWrittenAnywhere",
}


def run(*args: str, home) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FAKE, HOME=str(home), PYTHONPATH=str(REPO), AWS_EC2_METADATA_DISABLED="true")
    return subprocess.run(
        [sys.executable, "-m", "builders", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def leaked(data: bytes | str) -> list[str]:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return [name for name, secret in FAKE.items() if secret in text]


def test_no_credential_reaches_an_output_or_a_log(tmp_path, monkeypatch):
    for name, value in FAKE.items():
        monkeypatch.setenv(name, value)
    outputs = []
    for starter in ("xgboost_end_to_end",):  # every step type that writes or uploads
        folder = STARTERS / starter
        design = ["--dag", str(folder / "dag.json"), "--config", str(folder / "config.json")]
        out = tmp_path / f"{starter}.json"
        outputs.append(run("compile", *design, "--out", str(out), home=tmp_path))
        outputs.append(run("validate", *design, home=tmp_path))
        outputs.append(run("deploy", *design, "--target", "sandbox", "--start", home=tmp_path))
        archive = tmp_path / f"{starter}.tar.gz"
        config = str(folder / "config.json")
        outputs.append(
            run(
                "payload",
                "--config",
                config,
                "--node",
                "Payload",
                "--out",
                str(archive),
                home=tmp_path,
            )
        )
        dag, configs = load_dag(folder / "dag.json"), load_configs(folder / "config.json")
        compiled = compile_pipeline(dag, configs, base_dir=folder)
        merge_and_save_configs(configs, tmp_path / f"{starter}-export.json")
        assert not leaked(compiled.definition_json)
        assert not [obj.s3_uri for obj in compiled.staged_objects if leaked(obj.content)]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert not leaked(result.stdout + result.stderr)
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(written) >= 4  # a definition, an archive, its manifest, exported configs
    assert not [path for path in written if leaked(path.read_bytes())]
