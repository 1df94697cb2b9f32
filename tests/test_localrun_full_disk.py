"""A full disk during a run: the run ends Failed with "No space left on device" naming the
step, the partial output is removed, the CLI shows the message, and reading the runs raises
nothing but the project's own errors.

The run folder is on a real, small file system: a tmpfs mounted for the test (root, as CI
runs; where mounting is not allowed the tests are skipped, saying so).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from localrun_support import BUCKET, REGION, build, upload_scripts
from support import BASE, start_moto

from builders.cli import main as cli
from builders.designs.config_io import merge_and_save_configs
from builders.designs.workspace import WORKSPACE_ENV
from builders.localrun import LocalRunError, LocalRunner, RunStore
from builders.step_types.script_processing.config import ScriptProcessingConfig

DISK_MB = 16
FILL = """
import os, pathlib
out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output/data")
out.mkdir(parents=True, exist_ok=True)
with open(out / "big.bin", "wb") as handle:
    for _ in range(64):
        handle.write(b"x" * 1024 * 1024)
"""


@contextlib.contextmanager
def mounted_small_disk(folder: Path):
    """A 16 MB file system at `folder` while the block runs."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip(f"mounting a small tmpfs needs root: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def small_disk(tmp_path):
    with mounted_small_disk(tmp_path / "disk") as disk:
        yield disk


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_moto()
    yield url
    server.stop()


def used_mb(disk: Path) -> float:
    return shutil.disk_usage(disk).used / 2**20


def check_failed_for_space(run, store: RunStore, step: str, disk: Path) -> None:
    assert run.status == "Failed"
    reason = run.steps[step].reason
    assert reason.startswith(f"No space left on device: step {step} ran out of disk space")
    assert run.failure_reason == f"Step {step} failed: {reason}"
    assert not (store.step_folder(run.execution_id, step) / "container").exists()
    assert used_mb(disk) < 1  # the partial output is gone
    # Read back from the disk, as a page or the CLI reads it.
    again = RunStore(store.folder).load(run.execution_id)
    assert (again.status, again.failure_reason) == (run.status, run.failure_reason)


def test_a_job_that_fills_the_disk_fails_its_step_and_its_output_is_removed(
    sandbox_url, small_disk, capfd
):
    store = RunStore(small_disk / "runs")
    runner = LocalRunner(store, endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    runner.aws.s3.put_object(Bucket=BUCKET, Key="code/fill/step.py", Body=FILL.encode())

    run = runner.run(build(lambda sdk: [sdk.step("Fill", "fill")]), pipeline_name="full")

    check_failed_for_space(run, store, "Fill", small_disk)
    assert "Traceback" not in capfd.readouterr().err


def test_an_input_larger_than_the_disk_fails_its_step_the_same_way(sandbox_url, small_disk, capfd):
    store = RunStore(small_disk / "runs")
    runner = LocalRunner(store, endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    big = b"y" * (DISK_MB + 4) * 2**20
    runner.aws.s3.put_object(Bucket=BUCKET, Key="big/input.bin", Body=big)
    definition = build(
        lambda sdk: [sdk.step("Read", "copy", ["r"], inputs={"data": f"s3://{BUCKET}/big/"})]
    )

    run = runner.run(definition, pipeline_name="full")

    check_failed_for_space(run, store, "Read", small_disk)
    assert "Traceback" not in capfd.readouterr().err


def test_reading_runs_raises_only_the_projects_errors(tmp_path):
    store = RunStore(tmp_path / "runs")
    broken = tmp_path / "runs" / "abc123"
    broken.mkdir(parents=True)
    (broken / "run.json").write_text(json.dumps({"execution_id": "abc123", "steps": 3}))
    with pytest.raises(LocalRunError, match=r"The run abc123 .* cannot be read"):
        store.load("abc123")
    assert store.runs() == []  # a broken run never hides the others
    (broken / "run.json").write_text(json.dumps(["not", "a", "run"]))
    with pytest.raises(LocalRunError):
        store.load("abc123")
    run = {"execution_id": "abc123", "pipeline_name": "p", "execution_arn": "a"}
    (broken / "run.json").write_text(json.dumps({**run, "step_order": ["S"]}))
    (broken / "steps" / "S").mkdir(parents=True)
    (broken / "steps" / "S" / "state.json").write_text(json.dumps({"name": "S"}))  # no type
    with pytest.raises(LocalRunError, match=r"The run abc123 .* cannot be read"):
        store.load("abc123")
    (broken / "steps" / "S" / "state.json").write_text(json.dumps({"name": "S", "type": "X"}))
    # no process holds it, and a step that never started is skipped, not stopped
    assert store.load("abc123").steps["S"].state == "skipped"


def test_the_cli_shows_the_message(small_disk, tmp_path, monkeypatch, capsys):
    code = tmp_path / "code"
    code.mkdir()
    (code / "fill.py").write_text(textwrap.dedent(FILL))
    monkeypatch.setenv(WORKSPACE_ENV, str(small_disk / "workspace"))
    config = ScriptProcessingConfig(
        **{**BASE, "region": REGION},
        script_folder=str(code),
        script="fill.py",
        container="sklearn",
        container_version="1.2-1",
        input_ports={},
        output_ports={"data": "processed data"},
    )
    merge_and_save_configs({"Fill": config}, tmp_path / "config.json")
    (tmp_path / "dag.json").write_text(json.dumps({"Fill": []}))

    exit_code = cli(
        ["deploy", "--dag", str(tmp_path / "dag.json"), "--config", str(tmp_path / "config.json"),
         "--target", "sandbox", "--start", "--yes"]
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert exit_code != 0
    assert "Execution Failed: Step Fill failed: No space left on device: step Fill" in out
    assert "Traceback" not in out + err


def test_the_deploy_page_shows_the_message(sandbox_url, space, no_aws_credentials):
    from app_support import app, create_from_starter, plain, texts

    at = create_from_starter(app(), "fraud", "pytorch_model_registration")
    with mounted_small_disk(space.root / "runs") as runs:
        runner = LocalRunner(RunStore(runs), endpoint_url=sandbox_url, region=REGION)
        upload_scripts(runner.aws.s3)
        runner.aws.s3.put_object(Bucket=BUCKET, Key="code/fill/step.py", Body=FILL.encode())
        definition = build(lambda sdk: [sdk.step("Fill", "fill")])
        run = runner.run(definition, pipeline_name="ml-team-fraud-pytorch-us-east-1")

        at.switch_page("pages/deploy.py").run()

    assert not at.exception
    assert f"Run **{run.execution_id}**: **Failed**" in texts(at)
    errors = [plain(e.value) for e in at.error]
    assert any(
        "Step Fill failed: No space left on device: step Fill ran out" in e for e in errors
    ), errors
    assert not any("Traceback" in e for e in errors), errors
