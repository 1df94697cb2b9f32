"""The sandbox's runs on the Deploy page: each step's state and duration, refreshed while the
run goes; a step's reason, outputs and log tail; stop, re-run from a step, delete old runs.

Everything is read from the run store under the workspace, so runs made before an app
restart are listed too; stopping and re-running need the sandbox that ran them (its S3).
"""

from __future__ import annotations

import streamlit as st

from builders.deploying.deploy import Target
from builders.deploying.sandbox import sandbox_running
from builders.localrun import STEP_STATES, LocalRunError, RunRecord, RunStore
from builders.localrun.sandbox_runs import step_rows
from components.canvas import duration_text
from components.text import counted, label, md

REFRESH = 1.0  # seconds between reads of a run that is going
KEEP = 5  # runs "Delete older runs" keeps
CHOSEN = "sandbox_run"  # the run shown (its execution id)
NEXT = "sandbox_run_next"  # the run to show on the next run of the page ("": the newest)
LOG_LINES = 40


def choose_run(execution_id: str) -> None:
    """Show this run next (a deploy or a re-run just started it; "": the newest)."""
    st.session_state[NEXT] = execution_id


def show_runs(region: str, pipeline_name: str) -> None:
    st.subheader("Runs in the sandbox")
    store = Target("sandbox", region).run_store()
    runs = {run.execution_id: run for run in store.runs(pipeline_name)}
    if not runs:
        st.caption(f"No runs of {md(pipeline_name)} yet: deploy with an execution started.")
        return
    wanted = st.session_state.pop(NEXT, st.session_state.get(CHOSEN))
    st.session_state[CHOSEN] = wanted if wanted in runs else next(iter(runs))
    chosen = st.selectbox("Run", list(runs), format_func=lambda key: _label(runs[key]), key=CHOSEN)
    going = not runs[chosen].finished
    st.fragment(_run_panel, run_every=REFRESH if going else None)(store, region, chosen, going)
    _housekeeping(store, pipeline_name, runs[chosen])


def _label(run: RunRecord) -> str:
    kind = f", re-run of {run.source_execution}" if run.source_execution else ""
    return f"{run.started[:19].replace('T', ' ')} UTC · {run.execution_id} · {run.status}{kind}"


def _runner(region: str):
    """The runner of the sandbox running now, or None (nothing deployed in this session)."""
    return Target.local_sandbox(region).runner() if sandbox_running() else None


def _run_panel(store: RunStore, region: str, execution_id: str, refreshing: bool) -> None:
    try:
        run = store.load(execution_id)
    except LocalRunError as error:  # deleted meanwhile (another tab), or its files broken
        st.info(md(error.message))
        return
    if refreshing and run.finished:
        st.rerun()  # the whole page: the panel stops refreshing
    took = f" in {run.duration:.1f} s" if run.duration is not None else ""
    st.markdown(f"Run **{md(run.execution_id)}**: **{md(run.status)}**{took}")
    st.caption(_counts(run))
    if run.failure_reason:
        st.error(md(run.failure_reason), icon=":material/error:")
    st.dataframe(
        [_step_row(row) for row in step_rows(run)],
        hide_index=True,
        width="stretch",
        key=f"steps:{execution_id}",
    )
    _step_details(store, run)
    runner = _runner(region)
    execution = runner.execution(execution_id) if runner else None
    stoppable = not run.finished and execution is not None
    if stoppable and st.button("Stop the run", icon=":material/stop_circle:", key="stop_run"):
        execution.stop()
        st.toast("Stopping: running jobs are ended, waiting steps do not start.")
    if run.finished:
        _rerun_from(runner, run)


def _step_row(row: dict) -> dict:
    """A step's row as read: its time as the canvas says it, a dash while it has none (it
    waits, or was skipped), never a bare None."""
    took = row["duration"]
    return {
        "step": row["step"],
        "status": row["status"],
        "duration": "—" if took is None else duration_text(took),
    }


def _counts(run: RunRecord) -> str:
    """'9 steps: 7 succeeded, 2 cached', the states in their usual order."""
    states = [step.state for step in run.steps.values()]
    counts = [f"{states.count(state)} {state}" for state in STEP_STATES if state in states]
    return f"{len(states)} steps: {', '.join(counts)}"


def _step_details(store: RunStore, run: RunRecord) -> None:
    """One step's reason, outputs and log tail; the first failed (else running) step first."""
    order = [name for name in run.step_order if name in run.steps]
    first = next(
        (n for state in ("failed", "running") for n in order if run.steps[n].state == state),
        order[0],
    )
    key = f"step_detail:{run.execution_id}"
    if st.session_state.get(key) not in order:
        st.session_state[key] = first
    name = st.selectbox("Step details", order, key=key)
    step = run.steps[name]
    if step.reason:
        show = st.error if step.state == "failed" else st.caption
        show(md(step.reason))
    for output, uri in step.outputs.items():
        st.text_input(label(f"Output {output}"), uri, disabled=True, key=f"out:{name}:{output}")
    log = store.log_tail(run.execution_id, name, LOG_LINES)
    st.code(log or "(no log yet)", language=None)


def _rerun_from(runner, run: RunRecord) -> None:
    """Run a chosen step and what follows it again, reusing this run's results for the rest."""
    if runner is None or not _same_sandbox(runner, run):
        st.caption(
            "Re-running needs the sandbox that made this run (its S3 holds the outputs): "
            "deploy again to make a new run."
        )
        return
    columns = st.columns([3, 1], vertical_alignment="bottom")
    step = columns[0].selectbox("Re-run from step", run.step_order, key="rerun_step")
    if columns[1].button("Re-run", icon=":material/replay:", key="rerun"):
        try:
            rerun = runner.rerun_from(run.execution_id, [step])
        except LocalRunError as error:
            st.error(md(error.message))
            return
        choose_run(rerun.id)
        st.rerun(scope="app")


def _same_sandbox(runner, run: RunRecord) -> bool:
    """Whether `run` was made by this process's sandbox (the runner ran it or re-ran from it)."""
    ids = {run.execution_id, run.source_execution}
    return any(runner.execution(execution_id) for execution_id in ids if execution_id)


def _housekeeping(store: RunStore, pipeline_name: str, shown: RunRecord) -> None:
    left, right = st.columns(2)
    if left.button(
        "Delete this run", icon=":material/delete:", key="delete_run", disabled=not shown.finished
    ):
        store.delete(shown.execution_id)
        choose_run("")
        st.rerun()
    if right.button(f"Delete older runs (keep {KEEP})", key="prune_runs"):
        deleted = store.prune(pipeline_name, KEEP)
        st.toast(f"{counted(len(deleted), 'run')} deleted.")
        st.rerun()
