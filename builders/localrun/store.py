"""The run store: one folder per execution, plain JSON written atomically, read by any process.

    <folder>/<execution id>/run.json               status, times, parameters, step order
    <folder>/<execution id>/definition.json        the definition the run executed
    <folder>/<execution id>/steps/<step>/state.json one step's state, times, outputs, reason
    <folder>/<execution id>/steps/<step>/log.txt    the job's output and the runner's notes
    <folder>/<execution id>/steps/<step>/container  the job's /opt/ml (outputs kept)

A running execution holds an exclusive lock on `<execution id>/.lock`; the operating system
drops it when the process ends, so a run left "Executing" by a process that died (an app
restart, kill -9) is recognised on the next read and marked as interrupted.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from builders.errors import PipelineDesignError
from builders.fileio import read_json, write_json_atomic
from builders.localrun.errors import LocalRunError, RunInProgressError, RunNotFoundError
from builders.localrun.leftovers import end_processes_under, processes_under

STEP_STATES = ("waiting", "running", "succeeded", "failed", "cached", "skipped", "stopped")
DONE_OK = frozenset({"succeeded", "cached"})  # a step whose properties later steps may read
EXECUTING, SUCCEEDED, FAILED, STOPPED = "Executing", "Succeeded", "Failed", "Stopped"
INTERRUPTED = "The run was interrupted: the process running it ended (an app restart?)."
JOBS_ENDED_WITH_IT = "Its jobs ended with it."  # their supervisors' parent-death signal
JOBS_ENDED_NOW = "{} of its job processes were still running; they were ended now."


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


@dataclass
class StepRecord:
    """One step of a run as the Deploy page and the canvas show it."""

    name: str
    type: str
    state: str = "waiting"
    started: str | None = None
    ended: str | None = None
    duration: float | None = None  # seconds, start to end
    job_seconds: float | None = None  # of which the job's own process took
    attempts: int = 0
    reason: str = ""  # why it failed, was skipped or came from the cache
    outcome: str = ""  # a condition's result in words: 'AUC 0.935 >= 0.75: if branch'
    outputs: dict[str, str] = field(default_factory=dict)  # output name -> S3 URI
    properties: dict[str, Any] = field(default_factory=dict)  # what `Get` reads from the step
    job_name: str | None = None
    cache_key: str | None = None
    source_execution: str | None = None  # cached or reused: the run whose results it took

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class RunRecord:
    execution_id: str
    pipeline_name: str
    execution_arn: str
    status: str = EXECUTING
    design: str = ""  # the id of the design whose deploy started it ('' for none: the CLI)
    failure_reason: str = ""
    started: str = field(default_factory=now)
    ended: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    step_order: list[str] = field(default_factory=list)
    source_execution: str | None = None  # a selective re-run: the run it reuses
    selected_steps: list[str] = field(default_factory=list)
    steps: dict[str, StepRecord] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status != EXECUTING

    @property
    def duration(self) -> float | None:
        return seconds_between(self.started, self.ended)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["steps"]  # each step has its own file
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], steps: dict[str, StepRecord]) -> RunRecord:
        known = {f.name for f in fields(cls)} - {"steps"}
        return cls(**{key: value for key, value in data.items() if key in known}, steps=steps)


class RunStore:
    """Runs under `folder`; safe to read from any thread or process while a run writes."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._locks: dict[str, int] = {}  # execution id -> fd holding its lock

    # -- writing (the runner) ---------------------------------------------------------------
    def create(self, run: RunRecord, definition: dict[str, Any]) -> None:
        """Record a new run and hold its lock until `release`."""
        folder = self.run_folder(run.execution_id)
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            raise LocalRunError(f"There is a run {run.execution_id} already.") from None
        self._lock(run.execution_id)
        write_json_atomic(folder / "definition.json", definition)
        for step in run.steps.values():
            self.save_step(run.execution_id, step)
        self.save_run(run)

    def save_run(self, run: RunRecord) -> None:
        write_json_atomic(self.run_folder(run.execution_id) / "run.json", run.to_json())

    def save_step(self, execution_id: str, step: StepRecord) -> None:
        write_json_atomic(self.step_folder(execution_id, step.name) / "state.json", asdict(step))

    def release(self, execution_id: str) -> None:
        fd = self._locks.pop(execution_id, None)
        if fd is not None:
            os.close(fd)  # closing drops the lock

    def _lock(self, execution_id: str) -> None:
        fd = os.open(self.run_folder(execution_id) / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._locks[execution_id] = fd

    # -- reading (the pages, the cache, re-runs) --------------------------------------------
    def run_folder(self, execution_id: str) -> Path:
        if not execution_id or not execution_id.replace("-", "").isalnum():
            raise RunNotFoundError(f"'{execution_id}' is not an execution id.")
        return self.folder / execution_id

    def step_folder(self, execution_id: str, step: str) -> Path:
        return self.run_folder(execution_id) / "steps" / step

    def log_path(self, execution_id: str, step: str) -> Path:
        return self.step_folder(execution_id, step) / "log.txt"

    def load(self, execution_id: str) -> RunRecord:
        """The run as last written; a run whose process died is marked interrupted first.
        Raises only LocalRunError (and its kinds): whatever is wrong with the files, a page
        or the CLI shows a message."""
        folder = self.run_folder(execution_id)
        try:
            run = self._read(execution_id, folder)
        except PipelineDesignError:
            raise
        except (OSError, TypeError, ValueError, AttributeError) as error:
            raise LocalRunError(
                f"The run {execution_id} in {self.folder} cannot be read ({error}). If it "
                "stays so, delete its folder."
            ) from None
        if run.status == EXECUTING and not self._owned(execution_id):
            self._mark_interrupted(run)
        return run

    def _read(self, execution_id: str, folder: Path) -> RunRecord:
        if not (folder / "run.json").is_file():
            raise RunNotFoundError(f"There is no run {execution_id} in {self.folder}.")
        data = read_json(folder / "run.json", "run record")
        steps = {}
        for name in data.get("step_order", []):
            path = self.step_folder(execution_id, name) / "state.json"
            if path.is_file():
                steps[name] = StepRecord.from_json(read_json(path, "step record"))
        return RunRecord.from_json(data, steps)

    def definition(self, execution_id: str) -> dict[str, Any]:
        return read_json(self.run_folder(execution_id) / "definition.json", "run definition")

    def runs(self, pipeline_name: str | None = None) -> list[RunRecord]:
        """The runs (of one pipeline, or all), newest first; unreadable folders are left out."""
        found = []
        for folder in self._folders():
            if (folder / "run.json").is_file():
                try:
                    run = self.load(folder.name)
                except PipelineDesignError:
                    continue  # a folder someone broke must not hide the other runs
                if pipeline_name in (None, run.pipeline_name):
                    found.append(run)
        return sorted(found, key=lambda run: str(run.started), reverse=True)

    def newest(self, pipeline_name: str, design: str | None = None) -> RunRecord | None:
        """The pipeline's newest run (of `design`, when given), or None; reads only the runs'
        headers but that one's steps (the canvas asks every second while a run goes)."""
        newest: tuple[str, str] | None = None
        for folder in self._folders():
            try:
                head = read_json(folder / "run.json", "run record")
            except (PipelineDesignError, OSError):
                continue  # not a run, or one someone broke: it must not hide the others
            if not isinstance(head, dict) or head.get("pipeline_name") != pipeline_name:
                continue
            if design is not None and head.get("design", "") != design:
                continue
            if isinstance(started := head.get("started"), str):
                newest = max(newest or (started, folder.name), (started, folder.name))
        return self.load(newest[1]) if newest else None

    def _folders(self) -> list[Path]:
        try:
            return list(self.folder.iterdir()) if self.folder.is_dir() else []
        except OSError as error:
            raise LocalRunError(f"The runs in {self.folder} cannot be listed: {error}.") from None

    def log_tail(self, execution_id: str, step: str, lines: int = 40) -> str:
        """The last `lines` lines of a step's log ('' before the step starts)."""
        path = self.log_path(execution_id, step)
        try:
            if not path.is_file():
                return ""
            with open(path, "rb") as handle:
                handle.seek(max(0, path.stat().st_size - 64 * 1024))
                text = handle.read().decode("utf-8", errors="replace")
        except OSError as error:
            raise LocalRunError(f"The log of step {step} cannot be read: {error}.") from None
        return "\n".join(text.splitlines()[-lines:])

    # -- deleting ---------------------------------------------------------------------------
    def delete(self, execution_id: str) -> None:
        """Delete a finished run: its records, logs and local job folders (not its S3 data)."""
        if not self.load(execution_id).finished:
            raise RunInProgressError(f"Run {execution_id} is still going: stop it first.")
        try:
            shutil.rmtree(self.run_folder(execution_id))
        except OSError as error:
            raise LocalRunError(f"Run {execution_id} cannot be deleted: {error}.") from None

    def prune(self, pipeline_name: str, keep: int) -> list[str]:
        """Delete the pipeline's finished runs but the newest `keep`; returns the ids deleted."""
        old = [run for run in self.runs(pipeline_name) if run.finished][keep:]
        for run in old:
            self.delete(run.execution_id)
        return [run.execution_id for run in old]

    def end_orphans(self) -> list[str]:
        """End the job processes of runs that no live process runs any more (their supervisor
        was killed with their runner), marking those runs interrupted; returns their ids.
        The runner calls it when it starts."""
        ids = set()
        for root in processes_under(self.folder).values():
            parts = root.relative_to(self.folder).parts
            if parts and parts[0].replace("-", "").isalnum() and not self._owned(parts[0]):
                ids.add(parts[0])
        for execution_id in sorted(ids):
            with contextlib.suppress(LocalRunError):
                self.load(execution_id)  # marks a run that was going interrupted, saying so
            end_processes_under(self.run_folder(execution_id))
        return sorted(ids)

    def _owned(self, execution_id: str) -> bool:
        """Whether a live process (this one or another) holds the run's lock."""
        if execution_id in self._locks:
            return True
        try:
            fd = os.open(self.run_folder(execution_id) / ".lock", os.O_RDWR)
        except FileNotFoundError:
            return False
        except OSError:
            return True  # cannot tell: never mark a run interrupted on a guess
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def _mark_interrupted(self, run: RunRecord) -> None:
        """Record the run as interrupted, and say whether its jobs ended with its process or
        had to be ended now (found by their container folders under the run's)."""
        ended_now = end_processes_under(self.run_folder(run.execution_id))
        jobs = JOBS_ENDED_NOW.format(len(ended_now)) if ended_now else JOBS_ENDED_WITH_IT
        ended = now()
        unfinished = [s for s in run.steps.values() if s.state in ("waiting", "running")]
        for step in unfinished:  # a step never started is skipped, not stopped
            step.state = "stopped" if step.state == "running" else "skipped"
            step.reason = INTERRUPTED
            step.ended = ended if step.started else None
            step.duration = seconds_between(step.started, step.ended)
        run.status, run.failure_reason, run.ended = FAILED, f"{INTERRUPTED} {jobs}", ended
        try:
            for step in unfinished:
                self.save_step(run.execution_id, step)
            self.save_run(run)
        except OSError:
            pass  # a full disk: the run reads as interrupted all the same, next time too
