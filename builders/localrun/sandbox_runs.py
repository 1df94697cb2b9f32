"""The sandbox's runs: one LocalRunner per sandbox endpoint and run folder, shared by every
deploy, page and CLI command of the process, and the runs read back as rows for display.

Runs are kept under the workspace (`<workspace>/runs`), so they outlive the app; the sandbox's
S3 lives in the process and does not.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from builders.errors import PipelineDesignError
from builders.fileio import default_root
from builders.localrun.runner import LocalRunner
from builders.localrun.store import RunRecord, RunStore, StepRecord

RUNS = "runs"  # the run store's folder in the workspace
_lock = threading.Lock()
_runners: dict[tuple[str, str, Path], LocalRunner] = {}


def runs_folder(workspace_root: str | Path | None = None) -> Path:
    return Path(workspace_root or default_root()) / RUNS


def sandbox_runner(endpoint_url: str, region: str, folder: str | Path) -> LocalRunner:
    """The runner of this sandbox and run folder; the same one every time, so a page can stop
    a run another rerun started."""
    key = (endpoint_url, region, Path(folder).resolve())
    with _lock:
        if key not in _runners:
            _runners[key] = LocalRunner(RunStore(key[2]), endpoint_url=endpoint_url, region=region)
        return _runners[key]


def run_of(execution_id: str) -> RunRecord | None:
    """The run of that id in the store of one of this process's runners, or None."""
    with _lock:
        stores = [runner.store for runner in _runners.values()]
    for store in stores:
        try:
            return store.load(execution_id)
        except PipelineDesignError:
            continue
    return None


def step_row(step: StepRecord) -> dict[str, Any]:
    """One step as the status tables show it (the keys of ListPipelineExecutionSteps' rows)."""
    return {
        "step": step.name,
        "status": step.state,
        "duration": None if step.duration is None else round(step.duration, 1),
        "started": step.started or "",
        "ended": step.ended or "",
        "reason": step.reason,
    }


def step_rows(run: RunRecord) -> list[dict[str, Any]]:
    return [step_row(run.steps[name]) for name in run.step_order if name in run.steps]


def run_row(run: RunRecord) -> dict[str, Any]:
    return {
        "execution": run.execution_id,
        "status": run.status,
        "started": run.started,
        "arn": run.execution_arn,
    }
