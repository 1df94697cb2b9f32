"""The last run of the open design's pipeline, on the designer: each node's run state and
duration on the canvas, and in the node panel the node's reason, outputs and log tail.

Which run: the newest sandbox run of the design (its pipeline's runs that carry the design's
id, read from the run store under the workspace, so runs from before an app restart count;
another design with the same pipeline name has runs of its own), or the AWS execution the
Deploy page started for the design in this session (`remember_execution`), whichever started
last. The states stay after the run and after edits of the design: the
bar above the canvas says they are the last run's, and "Show last run" hides them.

Refreshing while a run goes, without disturbing the user: a fragment reads the run every
REFRESH seconds (AWS_REFRESH for AWS) and shows its progress, and runs the whole page again
only when a node's state changes, so the canvas gets the new states (the canvas counts a
running node's seconds on by itself). The panel's run section refreshes in a fragment of
its own. When the run ends the page runs once more and nothing refreshes any more.

    overlay = run_overlay(design)         # above the canvas: the bar
    overlay.node_section(selected)        # in the node panel
    design_canvas(..., runs=overlay.states)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import streamlit as st

from builders.configs.base import pipeline_name_of
from builders.deploying.deploy import RUNNING, Target, execution_status
from builders.designs.design import Design
from builders.errors import DeployError
from builders.localrun import STEP_STATES, LocalRunError, RunRecord, RunStore
from builders.localrun.node_status import (
    NodeStatus,
    latest_node_states,
    node_states,
    node_states_of_rows,
)
from builders.localrun.sandbox_runs import runs_folder
from builders.localrun.store import now
from components.canvas import duration_text
from components.text import label, md, without_html_page

REFRESH = 1.0  # seconds between reads of a sandbox run that is going
AWS_REFRESH = 5.0  # ... of an AWS execution (each read is two API calls)
LOG_LINES = 30
SHOW = "run_overlay_show"  # the "Show last run" toggle
_EXECUTIONS = "run_overlay_executions"  # design id -> the AWS execution started for it
_READ = "run_overlay_read"  # execution ARN -> (when read, LastRun): AWS is read sparingly
UNKNOWN = "Unknown"  # the status of an execution that could not be read


@dataclass(frozen=True)
class LastRun:
    """A run as the designer shows it: its overall status and each node's state."""

    label: str  # "sandbox run <id>", "AWS execution <id>"
    status: str  # SageMaker's words: Executing, Succeeded, Failed, Stopped
    started: str  # ISO 8601
    nodes: dict[str, NodeStatus] = field(default_factory=dict)
    failure_reason: str = ""
    steps_note: str = ""  # why the steps' states are not shown (moto lists none)
    record: RunRecord | None = None  # a sandbox run: its logs and outputs

    @property
    def finished(self) -> bool:
        return self.status not in RUNNING

    @property
    def fingerprint(self) -> tuple:
        """What the canvas draws, but a running node's seconds: the page runs again when
        this changes."""
        nodes = tuple(sorted((name, s.state, s.duration) for name, s in self.nodes.items()))
        return self.label, self.status, nodes


@dataclass(frozen=True)
class AwsExecution:
    target: Target
    arn: str
    started: str  # ISO 8601, when the deploy started it


def remember_execution(design: Design, target: Target, execution_arn: str) -> None:
    """Show this AWS execution on the design's canvas (the Deploy page just started it)."""
    st.session_state.setdefault(_EXECUTIONS, {})[_key(design)] = AwsExecution(
        target, execution_arn, now()
    )


def _key(design: Design) -> str:
    return design.id or design.name


def pipeline_name(design: Design) -> str | None:
    """The design's pipeline name, from its settings; None while one of them is empty."""
    values = [design.settings.get(key) for key in ("author", "service_name", "region")]
    if not all(isinstance(value, str) and value for value in values):
        return None
    return pipeline_name_of(*values)


def last_run(design: Design) -> LastRun | None:
    """The design's newest run, sandbox or AWS; None before any."""
    runs = [run for run in (_sandbox_run(design), _aws_run(design)) if run is not None]
    return max(runs, key=lambda run: run.started, default=None)


def _sandbox_run(design: Design) -> LastRun | None:
    name = pipeline_name(design)
    if name is None:
        return None
    try:
        run, nodes = latest_node_states(name, design.node_names, runs_folder(), design.id)
    except LocalRunError:
        return None  # a broken run folder: the Deploy page says what is wrong with it
    if run is None:
        return None
    return LastRun(
        f"sandbox run {run.execution_id}",
        run.status,
        run.started,
        nodes,
        failure_reason=run.failure_reason,
        record=run,
    )


def _aws_run(design: Design) -> LastRun | None:
    execution = st.session_state.get(_EXECUTIONS, {}).get(_key(design))
    if execution is None:
        return None
    read = st.session_state.setdefault(_READ, {})
    when, run = read.get(execution.arn, (0.0, None))
    ended = run is not None and run.finished and run.status != UNKNOWN  # it stays as it is
    fresh = ended or time.monotonic() - when < AWS_REFRESH
    if not fresh:
        run = _read_aws(design, execution)
        read[execution.arn] = (time.monotonic(), run)
    return run


def _read_aws(design: Design, execution: AwsExecution) -> LastRun:
    label = f"AWS execution {execution.arn.rsplit('/', 1)[-1]}"
    try:
        status = execution_status(execution.target, execution.arn)
    except DeployError as error:
        note = f"Could not read the execution: {without_html_page(error.message)}"
        return LastRun(label, UNKNOWN, execution.started, steps_note=_one_line(note))
    nodes = node_states_of_rows(status.steps or [], design.node_names)
    return LastRun(
        label,
        status.status,
        execution.started,
        nodes,
        failure_reason=status.failure_reason or "",
        steps_note=_one_line(status.steps_note or ""),
    )


def _one_line(text: str) -> str:
    return " ".join(without_html_page(text).split())


class RunOverlay:
    """The run shown on the designer this page run (None: no run, or hidden)."""

    def __init__(self, run: LastRun | None):
        self.run = run

    @property
    def states(self) -> dict[str, NodeStatus]:
        """Each node's state for the canvas ({} when no run is shown)."""
        return self.run.nodes if self.run else {}

    def node_section(self, node: str) -> None:
        """The node's part in the run, for the node panel: state, duration, reason, outputs
        and log tail; refreshed while the run goes."""
        if self.run is None:
            return
        status = self.run.nodes.get(node)
        if status is None:
            if self.run.nodes:
                st.caption(f"{md(node)} has no state in the last run ({md(self.run.label)}).")
            return
        with st.expander(
            _node_title(status), expanded=status.state in ("failed", "running", "stopped")
        ):
            every = None if self.run.finished else _refresh(self.run)
            st.fragment(_node_details, run_every=every)(self.run, node, status)


def run_overlay(design: Design) -> RunOverlay:
    """Draw the last run's bar (its status, refreshed while it goes, and "Show last run")
    and return what the canvas and the panel show of it."""
    run = last_run(design)
    if run is None:
        return RunOverlay(None)
    toggle, progress = st.columns([1, 3], vertical_alignment="center")
    if not toggle.toggle("Show last run", value=True, key=SHOW):
        return RunOverlay(None)
    with progress:
        every = None if run.finished else _refresh(run)
        st.fragment(_progress, run_every=every)(design, run.fingerprint)
    return RunOverlay(run)


def _refresh(run: LastRun) -> float:
    return REFRESH if run.record is not None else AWS_REFRESH


def _progress(design: Design, drawn: tuple) -> None:
    """The run's status line; the whole page runs again when what the canvas draws changed."""
    run = last_run(design)
    if run is None or run.fingerprint != drawn:
        st.rerun(scope="app")
    st.caption(_summary(run))
    if run.steps_note:
        st.caption(md(run.steps_note))


def _summary(run: LastRun) -> str:
    """'Last run (sandbox run 1a2b…, started 17:02:03 UTC): Executing · 4 of 9 steps done'."""
    started = run.started[11:19]
    text = f"Last run ({md(run.label)}, started {started} UTC): **{md(run.status)}**"
    states = [status.state for status in run.nodes.values()]
    if states and not run.finished:
        done = sum(state not in ("waiting", "running") for state in states)
        text += f" · {done} of {len(states)} steps done"
    elif states:
        counts = [f"{states.count(s)} {s}" for s in STEP_STATES if s in states]
        text += " · " + ", ".join(counts)
    failed = [name for name, status in run.nodes.items() if status.state == "failed"]
    if failed:  # the reason is long (a traceback): the node's panel shows it
        text += f" · failed: {md(', '.join(failed))} (click it for the reason)"
    elif run.failure_reason:
        text += f" · {md(_shortened(_one_line(run.failure_reason)))}"
    return text


def _shortened(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_title(status: NodeStatus) -> str:
    if status.outcome:  # a condition: 'Last run: AUC 0.935 >= 0.75: if branch'
        return f"Last run: {status.outcome}"
    took = f" · {duration_text(status.duration)}" if status.duration is not None else ""
    return f"Last run: {status.state}{took}"


def _node_details(run: LastRun, node: str, shown: NodeStatus) -> None:
    """The node's reason, outputs and log tail, read again on each refresh."""
    record = run.record
    store = RunStore(runs_folder())
    if record is not None and not run.finished:
        try:
            record = store.load(record.execution_id)
        except LocalRunError as error:  # deleted meanwhile (another tab)
            st.info(md(error.message))
            return
        shown = node_states(record, [node]).get(node, shown)
    if shown.reason:
        (st.error if shown.state == "failed" else st.caption)(md(shown.reason))
    if record is None:
        st.caption("The step's logs are in CloudWatch, under its job's name.")
        return
    steps = [record.steps[name] for name in shown.steps if name in record.steps]
    for step in steps:
        for output, uri in step.outputs.items():
            st.text_input(
                label(f"Output {output}"),
                uri,
                disabled=True,
                key=f"run_output:{record.execution_id}:{step.name}:{output}",
            )
    for step in steps:
        log = store.log_tail(record.execution_id, step.name, LOG_LINES)
        if len(steps) > 1:
            st.caption(md(step.name))
        st.code(log or "(no log yet)", language=None)
