"""Run states per design node, for the canvas: a node's pipeline steps folded into one state.

A node compiles to one step named after it, or to SDK-named steps: a ModelStep is
`<node>-CreateModel` or `<node>-RegisterModel` (after `<node>-RepackModel-<n>` when it
repacks). Steps that belong to no node (none today) are left out.

    run, states = latest_node_states(pipeline_name, [node.name for node in design.nodes])
    states["Model"].state  # "succeeded"; .duration, .reason, .steps, .execution_id
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builders.localrun.store import RunRecord, RunStore

_SDK_SUFFIX = re.compile(r"(CreateModel|RegisterModel|RepackModel(-\d+)?)")
# ListPipelineExecutionSteps' StepStatus in the runner's words (which map to themselves).
_AWS_STATES = {
    "Starting": "running",
    "Executing": "running",
    "Stopping": "running",
    "Succeeded": "succeeded",
    "Failed": "failed",
    "Stopped": "stopped",
}


@dataclass(frozen=True)
class NodeStatus:
    """A node's state in one execution: one of STEP_STATES (store.py)."""

    state: str
    duration: float | None  # seconds, its steps together; None before it ran
    reason: str  # why it failed, was skipped or came from a cache ('' when it simply ran)
    steps: tuple[str, ...]  # the pipeline steps it stands for
    execution_id: str = ""
    started: str | None = None  # ISO 8601, when its first step started; None before
    outcome: str = ""  # a condition's result in words: 'AUC 0.935 >= 0.75: if branch'


@dataclass(frozen=True)
class _Step:
    name: str
    state: str
    duration: float | None
    reason: str
    started: str | None = None
    outcome: str = ""


def node_of(step_name: str, nodes: Iterable[str]) -> str | None:
    """The design node a pipeline step belongs to, or None."""
    nodes = set(nodes)
    if step_name in nodes:
        return step_name
    owners = [
        node
        for node in nodes
        if step_name.startswith(node + "-") and _SDK_SUFFIX.fullmatch(step_name[len(node) + 1 :])
    ]
    return max(owners, key=len, default=None)


def node_states(run: RunRecord, nodes: Iterable[str]) -> dict[str, NodeStatus]:
    """Each node's state in a local run (nodes with no step in it are left out)."""
    steps = [
        _Step(s.name, s.state, s.duration, s.reason, s.started, s.outcome)
        for name in run.step_order
        if (s := run.steps.get(name)) is not None
    ]
    return _fold(steps, nodes, run.execution_id)


def node_states_of_rows(rows: Iterable[dict], nodes: Iterable[str]) -> dict[str, NodeStatus]:
    """Each node's state from ExecutionStatus.steps (an AWS execution's steps, or a sandbox
    run's rows): `step`, `status` (SageMaker's or the runner's words), `duration`, `reason`."""
    steps = [
        _Step(
            row["step"],
            _AWS_STATES.get(row.get("status"), row.get("status") or "waiting"),
            row.get("duration"),
            row.get("reason") or "",
            row.get("started") or None,
        )
        for row in rows
    ]
    return _fold(steps, nodes, "")


def latest_node_states(
    pipeline_name: str,
    nodes: Iterable[str],
    runs: str | Path | None = None,
    design: str | None = None,
) -> tuple[RunRecord | None, dict[str, NodeStatus]]:
    """(the pipeline's newest sandbox run, of `design` when given, and its node states);
    (None, {}) before any run. `runs`: the run store's folder (default: the workspace's)."""
    from builders.localrun.sandbox_runs import runs_folder

    run = RunStore(runs or runs_folder()).newest(pipeline_name, design)
    return (run, node_states(run, nodes)) if run else (None, {})


def _fold(steps: list[_Step], nodes: Iterable[str], execution_id: str) -> dict[str, NodeStatus]:
    nodes = list(nodes)
    grouped: dict[str, list[_Step]] = {}
    for step in steps:
        node = node_of(step.name, nodes)
        if node is not None:
            grouped.setdefault(node, []).append(step)
    return {node: _one(group, execution_id) for node, group in grouped.items()}


def _one(steps: list[_Step], execution_id: str) -> NodeStatus:
    states = [step.state for step in steps]
    durations = [step.duration for step in steps if step.duration is not None]
    reasons = [step.reason for step in steps if step.reason]
    failed = [step.reason for step in steps if step.state == "failed" and step.reason]
    started = [step.started for step in steps if step.started]
    return NodeStatus(
        state=_combined(states),
        duration=sum(durations) if durations else None,
        reason=(failed or reasons or [""])[0],
        steps=tuple(step.name for step in steps),
        execution_id=execution_id,
        started=min(started, default=None),
        outcome=next((step.outcome for step in steps if step.outcome), ""),
    )


def _combined(states: list[str]) -> str:
    """The node's state: a failure or stop anywhere shows; part done and part waiting is
    still running; all cached is cached; otherwise its steps' common state."""
    for state in ("failed", "stopped", "running"):
        if state in states:
            return state
    if len(set(states)) == 1:
        return states[0]
    if "waiting" in states:
        return "running" if set(states) - {"waiting", "skipped"} else "waiting"
    if "skipped" in states:
        return "skipped"
    return "succeeded"  # succeeded and cached
