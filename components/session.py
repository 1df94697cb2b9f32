"""The session's design: one Design in st.session_state, saved after every change.

Pages read `current()` and hand every edit to `commit()`. Opening or importing a design
bumps the epoch, which is part of every form widget's key, so no widget keeps a value from
the design that was open before.
"""

from __future__ import annotations

import streamlit as st

from builders.design import Design, DesignReport, validate_design
from builders.errors import PipelineDesignError
from builders.workspace import Workspace

DESIGN = "design"
EPOCH = "design_epoch"
SELECTED = "selected_node"
NOTICES = "notices"
_REPORT = "design_report"
_COMPILED = "compiled_pipeline"


def workspace() -> Workspace:
    return Workspace()


def start() -> None:
    """On a session's first run, reopen the design last worked on."""
    if DESIGN in st.session_state:
        return
    st.session_state[DESIGN] = None
    st.session_state[EPOCH] = 0
    space = workspace()
    name = space.current()
    if name:
        try:
            st.session_state[DESIGN] = space.load(name)
        except PipelineDesignError as error:
            notice("warning", f"Could not reopen '{name}': {error}")


def current() -> Design | None:
    return st.session_state.get(DESIGN)


def epoch() -> int:
    return st.session_state.get(EPOCH, 0)


def commit(design: Design) -> None:
    """Make `design` current and save it; a failed save keeps it in memory and says so."""
    if design == current():
        return
    _forget_shown_notices()
    st.session_state[DESIGN] = design
    try:
        workspace().save(design)
    except OSError as error:
        notice(
            "error",
            f"Could not save '{design.name}': {error}. Your changes are kept in this browser "
            "tab; free some disk space or fix the workspace folder's permissions.",
        )


def open_design(design: Design, *, save: bool = True) -> None:
    """Switch to another design (opened, created or imported)."""
    _forget_shown_notices()
    st.session_state[DESIGN] = design
    st.session_state[EPOCH] = epoch() + 1
    st.session_state[SELECTED] = None
    if save:
        workspace().save(design)


def close_design() -> None:
    st.session_state[DESIGN] = None
    st.session_state[EPOCH] = epoch() + 1
    st.session_state[SELECTED] = None


def report(design: Design) -> DesignReport:
    """The validation report, computed once per revision of the design."""
    cached = st.session_state.get(_REPORT)
    if cached is None or cached[0] != design.revision:
        cached = (design.revision, validate_design(design))
        st.session_state[_REPORT] = cached
    return cached[1]


def compiled(design: Design):
    """The CompiledPipeline of this revision, or the PipelineDesignError that stopped it;
    computed once (the first time imports the SageMaker SDK)."""
    from builders.design import compile_design

    cached = st.session_state.get(_COMPILED)
    if cached is None or cached[0] != design.revision:
        with st.spinner("Compiling the pipeline (the first time loads the SageMaker SDK)..."):
            try:
                result = compile_design(design)
            except PipelineDesignError as error:
                result = error
        cached = st.session_state[_COMPILED] = (design.revision, result)
    return cached[1]


def notice(kind: str, message: str) -> None:
    """A message shown from the next run of any page until the user's next change.

    It must outlive reruns the user did not cause (the canvas echoes every state pushed to
    it): a message that vanished then would shift the page and re-create the widgets below.
    """
    _forget_shown_notices()  # a new message answers a new action: older ones are stale
    st.session_state[NOTICES].append({"kind": kind, "text": message})


def show_notices() -> None:
    """The notices, in a container that is there even when empty: the page below keeps its
    place in Streamlit's element tree, so its widgets are not re-created when one goes."""
    from components.text import md

    box = st.container()
    for item in st.session_state.get(NOTICES, []):
        getattr(box, item["kind"])(md(item["text"]))
        item["shown"] = True


def _forget_shown_notices() -> None:
    notices = st.session_state.get(NOTICES, [])
    st.session_state[NOTICES] = [item for item in notices if not item.get("shown")]
