"""The run store outlives the process that ran the pipeline: runs read back after a restart,
a run cut short by kill -9 reads as interrupted, and old runs can be deleted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from localrun_support import REGION, build, data_of, upload_scripts
from support import REPO, sdk_classes, start_moto

from builders.compiling.sagemaker_env import offline_build
from builders.localrun import LocalRunner, RunInProgressError, RunNotFoundError, RunStore
from builders.localrun.store import INTERRUPTED

# Runs a definition file with a store folder against a sandbox, as the app would.
RUN_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import pathlib, sys
    from builders.localrun import LocalRunner, RunStore
    url, store, definition = sys.argv[1:4]
    runner = LocalRunner(RunStore(store), endpoint_url=url, region="us-east-1")
    execution = runner.start(pathlib.Path(definition).read_text(), pipeline_name="restart")
    print(execution.id, flush=True)
    if sys.argv[4:] == ["--exit-when-running"]:
        while runner.store.load(execution.id).steps["Long"].state != "running":
            pass
        sys.exit(0)  # the app quits during the run
    execution.wait()
    """
)


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_moto()
    yield url
    server.stop()


def cached_chain() -> str:
    with offline_build(REGION):
        (CacheConfig,) = sdk_classes("CacheConfig")

    cache = CacheConfig(enable_caching=True, expire_after="P1D")

    def steps(sdk):
        first = sdk.step("First", "copy", ["first"], cache_config=cache)
        second = sdk.step("Second", "copy", ["2"], inputs={"data": data_of(first)})
        return [first, second]

    return build(steps)


def another_process(url: str, store, definition: str, tmp_path, *options) -> subprocess.Popen:
    (tmp_path / "definition.json").write_text(definition)
    arguments = [url, str(store), str(tmp_path / "definition.json"), *options]
    return subprocess.Popen(
        [sys.executable, "-c", RUN_IN_ANOTHER_PROCESS, *arguments],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_runs_read_back_after_a_restart_and_feed_the_cache(sandbox_url, tmp_path):
    store_folder = tmp_path / "runs"
    runner = LocalRunner(RunStore(store_folder), endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    definition = cached_chain()
    process = another_process(sandbox_url, store_folder, definition, tmp_path)
    earlier_id = process.stdout.readline().strip()
    assert process.wait(timeout=120) == 0

    earlier = RunStore(store_folder).load(earlier_id)  # a fresh store, as after a restart
    assert earlier.status == "Succeeded"
    assert {step.state for step in earlier.steps.values()} == {"succeeded"}
    assert earlier.steps["First"].outputs["data"].endswith(f"/{earlier_id}/First/data")
    assert "exit code 0" in RunStore(store_folder).log_tail(earlier_id, "First")

    later = runner.run(definition, pipeline_name="restart")
    assert later.steps["First"].state == "cached"
    assert later.steps["First"].source_execution == earlier_id
    assert [run.execution_id for run in runner.store.runs("restart")] == [
        later.execution_id,
        earlier_id,
    ]


def test_a_run_whose_process_was_killed_reads_as_interrupted(sandbox_url, tmp_path):
    store_folder = tmp_path / "runs"
    store = RunStore(store_folder)
    upload_scripts(LocalRunner(store, endpoint_url=sandbox_url, region=REGION).aws.s3)
    definition = build(
        lambda sdk: [sdk.step("Long", "sleep", ["5"]), sdk.step("Short", "copy", ["s"])]
    )
    process = another_process(sandbox_url, store_folder, definition, tmp_path)
    execution_id = process.stdout.readline().strip()
    deadline = time.monotonic() + 60
    while store.load(execution_id).steps["Long"].state != "running":
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    assert store.load(execution_id).status == "Executing"  # its process holds the run
    with pytest.raises(RunInProgressError):
        store.delete(execution_id)

    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    run = store.load(execution_id)
    assert run.status == "Failed"
    assert run.failure_reason.startswith(INTERRUPTED)
    assert run.steps["Long"].state == "stopped"
    assert run.ended is not None
    assert RunStore(store_folder).load(execution_id).status == "Failed"  # written, not guessed


def test_a_process_that_exits_during_a_run_stops_it_first(sandbox_url, tmp_path):
    store_folder = tmp_path / "runs"
    upload_scripts(
        LocalRunner(RunStore(store_folder), endpoint_url=sandbox_url, region=REGION).aws.s3
    )
    definition = build(lambda sdk: [sdk.step("Long", "sleep", ["60"])])
    process = another_process(
        sandbox_url, store_folder, definition, tmp_path, "--exit-when-running"
    )
    execution_id = process.stdout.readline().strip()
    assert process.wait(timeout=30) == 0  # not the 60 s the job would take
    run = RunStore(store_folder).load(execution_id)
    assert run.status == "Stopped"
    assert run.steps["Long"].state == "stopped"


def test_old_runs_are_deleted_with_their_folders(sandbox_url, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    definition = build(lambda sdk: [sdk.step("Only", "copy", ["x"])])
    ids = [runner.run(definition, pipeline_name="prune").execution_id for _ in range(3)]
    other = runner.run(definition, pipeline_name="other").execution_id

    assert runner.store.prune("prune", keep=1) == ids[1::-1]  # the older two, newest first
    assert [run.execution_id for run in runner.store.runs()] == [other, ids[2]]
    assert not (tmp_path / "runs" / ids[0]).exists()
    runner.store.delete(other)
    with pytest.raises(RunNotFoundError):
        runner.store.load(other)
    with pytest.raises(RunNotFoundError):
        runner.store.load("../etc")


def test_the_newest_run_of_a_pipeline_is_found_past_broken_folders(tmp_path):
    """What the designer reads every second while a run goes: the newest run by its start."""
    from builders.localrun.store import RunRecord, StepRecord

    store = RunStore(tmp_path)
    runs = [
        ("old", "fraud", "2026-01-01T10:00:00+00:00"),
        ("new", "fraud", "2026-01-02T09:00:00+00:00"),
        ("other", "churn", "2026-01-03T09:00:00+00:00"),
    ]
    for execution_id, pipeline, started in runs:
        run = RunRecord(execution_id, pipeline, "arn", status="Succeeded", started=started)
        run.step_order, run.steps = ["A"], {"A": StepRecord("A", "Processing", state="succeeded")}
        store.create(run, {})
        store.release(execution_id)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text("{not json")
    (tmp_path / "list").mkdir()
    (tmp_path / "list" / "run.json").write_text("[]")
    newest = store.newest("fraud")
    assert newest.execution_id == "new" and newest.steps["A"].state == "succeeded"
    assert store.newest("churn").execution_id == "other"
    assert store.newest("never-run") is None
