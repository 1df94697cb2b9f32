"""A job ends, and everything it started ends with it; a job sees only SageMaker's environment.

Jobs here start a child and a detached grandchild (a new session, its parent gone, holding the
job's output), and write their process ids to a folder of the test's. The runner is killed
with kill -9 while they run, the job kills its own parent, the job exits 0 leaving them, or
runs over its time limit: every time, none of them is left running. Runs that kill a runner
run it in a process of its own (as the CLI and the app host one).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from localrun_support import BUCKET, REGION, build, upload_scripts
from support import start_moto
from test_localrun_store import another_process

from builders.localrun import LocalRunner, RunStore
from builders.localrun.store import INTERRUPTED
from builders.scripts.container_paths import ROOT_ENV

FAMILY = """
import os, pathlib, subprocess, sys, time
pids, mode = pathlib.Path(sys.argv[1]), sys.argv[2]
pids.mkdir(parents=True, exist_ok=True)
def record(name, pid):
    (pids / (name + ".tmp")).write_text(str(pid))
    (pids / (name + ".tmp")).rename(pids / (name + ".pid"))
record("job", os.getpid())
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
record("child", child.pid)
if os.fork() == 0:  # a daemon: double fork, new session, keeps the job's stdout open
    os.setsid()
    if os.fork() == 0:
        record("detached", os.getpid())
        time.sleep(300)
    os._exit(0)
os.wait()
while not (pids / "detached.pid").exists():
    time.sleep(0.01)
out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output/data")
out.mkdir(parents=True, exist_ok=True)
(out / "done.txt").write_text(mode)
print("all started", flush=True)
if mode == "exit":
    sys.exit(0)
if mode == "parricide":
    os.kill(os.getppid(), 9)
(pids / "ready").write_text("")
time.sleep(300)
"""
ENVIRONMENT = """
import json, os, pathlib
out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output/data")
out.mkdir(parents=True, exist_ok=True)
(out / "environment.json").write_text(json.dumps(dict(os.environ)))
print(dict(os.environ))
"""
SCRIPTS = {"family": FAMILY, "environment": ENVIRONMENT}


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def runner(sandbox_url, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    for name, source in SCRIPTS.items():
        body = textwrap.dedent(source).encode()
        runner.aws.s3.put_object(Bucket=BUCKET, Key=f"code/{name}/step.py", Body=body)
    return runner


@pytest.fixture
def pids(tmp_path):
    """The folder the jobs write their process ids to; whatever is left is killed after."""
    folder = tmp_path / "pids"
    yield folder
    for path in folder.glob("*.pid"):
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(path.read_text()), signal.SIGKILL)


def family(pids: Path, mode: str, **options) -> str:
    return build(lambda sdk: [job(sdk, "Family", "family", [str(pids), mode], **options)])


def job(sdk, name: str, script: str, arguments: list[str], **options):
    """A ProcessingStep running SCRIPTS[script], with the job's options (a time limit, its
    environment)."""
    return sdk.step(name, script, arguments, **options)


def recorded(pids: Path) -> dict[str, int]:
    return {path.stem: int(path.read_text()) for path in pids.glob("*.pid")}


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its parent is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != b"Z"


def left_running(pids: Path, within: float = 10.0) -> dict[str, int]:
    """The recorded processes still running after `within` seconds (fewer as they end)."""
    deadline = time.monotonic() + within
    while True:
        alive = {name: pid for name, pid in recorded(pids).items() if running(pid)}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def wait_for(path: Path, process: subprocess.Popen | None = None, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not path.exists():
        assert process is None or process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_killed_runner_leaves_no_job_running(runner, sandbox_url, pids, tmp_path):
    host = another_process(sandbox_url, tmp_path / "runs", family(pids, "stay"), tmp_path)
    wait_for(pids / "ready", host)
    started = recorded(pids)
    assert set(started) == {"job", "child", "detached"}
    assert all(running(pid) for pid in started.values())

    host.kill()  # kill -9 of the CLI or the app
    host.communicate(timeout=30)

    assert left_running(pids) == {}
    (run,) = RunStore(tmp_path / "runs").runs()
    assert run.status == "Failed"
    assert run.failure_reason.startswith("The run was interrupted")
    assert run.failure_reason.endswith("Its jobs ended with it.")
    assert run.steps["Family"].state == "stopped"


def test_the_next_runner_ends_what_escaped_a_killed_run(runner, sandbox_url, pids, tmp_path):
    host = another_process(sandbox_url, tmp_path / "runs", family(pids, "stay"), tmp_path)
    execution_id = host.stdout.readline().strip()
    wait_for(pids / "ready", host)
    # A process of the job that got out of its supervisor's reach (as one that killed its
    # supervisor leaves its children), still carrying the job's container folder.
    root = RunStore(tmp_path / "runs").step_folder(execution_id, "Family") / "container"
    escaped = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)"],
        env={**os.environ, ROOT_ENV: str(root)},
        start_new_session=True,
    )
    try:
        host.kill()
        host.communicate(timeout=30)
        assert left_running(pids) == {}  # the job's own processes ended with the runner
        assert running(escaped.pid)

        LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox_url, region=REGION)

        assert escaped.wait(timeout=10) == -signal.SIGKILL
    finally:
        escaped.kill()
    run = RunStore(tmp_path / "runs").load(execution_id)
    assert run.failure_reason == (
        f"{INTERRUPTED} 1 of its job processes were still running; they were ended now."
    )


def test_a_job_that_kills_its_parent_fails_and_leaves_nothing_running(
    runner, sandbox_url, pids, tmp_path
):
    host = another_process(sandbox_url, tmp_path / "runs", family(pids, "parricide"), tmp_path)
    execution_id = host.stdout.readline().strip()

    assert host.wait(timeout=120) == 0  # the runner lives on
    run = RunStore(tmp_path / "runs").load(execution_id)
    assert run.status == "Failed"
    assert run.steps["Family"].state == "failed"
    assert "killed by signal 9" in run.steps["Family"].reason
    assert left_running(pids) == {}


def test_a_step_ends_when_its_job_ends_and_its_leftovers_are_stopped(runner, pids):
    execution = runner.start(family(pids, "exit"), pipeline_name="leftovers")
    run = execution.wait(timeout=60)

    assert run.finished, "the step waited for the job's detached child"
    assert run.status == "Succeeded", run.failure_reason
    assert left_running(pids, within=0) == {}
    log = runner.store.log_tail(run.execution_id, "Family")
    assert "stopped 2 process(es) the job left running" in log


def test_a_job_over_its_time_limit_is_stopped_with_what_it_started(runner, pids):
    definition = family(pids, "stay", max_runtime_seconds=2)
    run = runner.run(definition, pipeline_name="limit")

    assert run.status == "Failed"
    assert run.steps["Family"].reason == "The job ran over its limit of 2 s and was stopped."
    assert left_running(pids, within=0) == {}


def test_a_job_sees_sagemakers_environment_not_the_users_shell(runner, monkeypatch):
    monkeypatch.setenv("MY_APP_DB_PASSWORD", "hunter2-in-the-shell")
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("PYTHONPATH", "/home/someone/lib")
    definition = build(
        lambda sdk: [job(sdk, "Env", "environment", [], environment={"LEVEL": "3", "TZ": "UTC"})]
    )
    run = runner.run(definition, pipeline_name="environment")

    assert run.status == "Succeeded", run.failure_reason
    bucket, _, key = run.steps["Env"].outputs["data"][len("s3://") :].partition("/")
    body = runner.aws.s3.get_object(Bucket=bucket, Key=f"{key}/environment.json")["Body"]
    env = json.loads(body.read())
    log = (runner.store.log_path(run.execution_id, "Env")).read_text()
    assert "hunter2-in-the-shell" not in log
    assert {"MY_APP_DB_PASSWORD", "AWS_PROFILE", "PYTHONPATH"}.isdisjoint(env)
    step_folder = runner.store.step_folder(run.execution_id, "Env")
    assert env["HOME"] == str(step_folder / "home")
    assert env["SM_PIPELINE_CONTAINER_ROOT"] == str(step_folder / "container")
    assert env["PATH"].startswith(str(Path(sys.executable).parent) + os.pathsep)
    assert (env["LEVEL"], env["TZ"]) == ("3", "UTC")  # the definition's Environment
    assert env["AWS_ENDPOINT_URL"] == runner.aws.endpoint_url
    assert env["AWS_ACCESS_KEY_ID"] == runner.aws.credentials["aws_access_key_id"]
    assert set(env) - {"LD_LIBRARY_PATH"} == {
        "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE", "SM_PIPELINE_CONTAINER_ROOT", "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION",
        "AWS_EC2_METADATA_DISABLED", "LEVEL", "TZ",
    }  # fmt: skip
