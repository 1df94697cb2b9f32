"""The session's design: one Design in st.session_state, saved after every change.

Pages read `current()` and hand every edit, a new Design made by the pure edit functions
of builders.designs.design, to `commit()`. The session remembers the design as its file held it
when last read or written (the base): every save carries the base's revision, so a save
over a file another tab changed meanwhile is merged (builders.designs.merge) instead of
overwriting it; where both changed the same thing, the other tab's version is kept and a
notice offers to re-apply this tab's change. `refresh()` takes up another tab's saves.

Every commit is recorded in the design's undo history (builders.designs.history, one per design
name, for the session); `undo()` and `redo()` go through the same revision-checked save,
and take back only this tab's edit: a change another tab made since stays.

Opening or importing a design bumps the epoch, which is part of every form widget's key, so
no widget keeps a value from the design that was open before.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace

import streamlit as st

from builders.designs.design import (
    Design,
    DesignReport,
    complete_settings,
    validate_design,
    with_identity,
)
from builders.designs.history import History
from builders.designs.merge import Merge, merge_designs
from builders.designs.workspace import NewerDesign, Workspace
from builders.errors import PipelineDesignError
from components.text import md

DESIGN = "design"
EPOCH = "design_epoch"
SELECTED = "selected_node"
SELECTED_EDGE = "selected_edge"
NOTICES = "notices"
_BASE = "design_base"  # the design as its file held it when last read or written
_SIGNATURE = "design_file_signature"  # the file's (mtime, size, inode) then
_REPORT = "design_report"
_COMPILED = "compiled_pipeline"
_HISTORY = "design_history"  # design name -> History
_LAST = "design_history_last"  # design name -> the design its last recorded step left
_DRAWING = ContextVar("saving_after_drawing", default=False)  # (not session state: see there)
_UNSAVED = "design_unsaved"  # (design, step): a commit saving_after_drawing held back
_MAX_SAVE_ATTEMPTS = 5  # merges in a row before giving up (another tab saving constantly)


def workspace() -> Workspace:
    return Workspace()


def start() -> None:
    """On a session's first run, reopen the design last worked on; on later runs, save
    what a stopped run left unsaved (see saving_after_drawing)."""
    if DESIGN in st.session_state:
        save_drawn()
        return
    st.session_state[DESIGN] = None
    st.session_state[EPOCH] = 0
    st.session_state.setdefault(SELECTED, None)
    st.session_state.setdefault(SELECTED_EDGE, None)
    space = workspace()
    name = space.current()
    if name:
        try:
            _adopt(space.load(name))
        except (PipelineDesignError, OSError) as error:
            notice("warning", f"Could not reopen '{name}': {_reason(error)}")


def current() -> Design | None:
    return st.session_state.get(DESIGN)


def epoch() -> int:
    return st.session_state.get(EPOCH, 0)


# -- saving -------------------------------------------------------------------------------
def commit(design: Design, *, record: bool = True) -> None:
    """Make `design` current and save it, merged with what another tab saved meanwhile;
    a failed save keeps it in this tab and says so. Recorded for undo unless `record` is
    False (a design opened, or one undo and redo restore). Inside `saving_after_drawing`,
    the save waits for the end of the run."""
    if not _DRAWING.get():
        save_drawn()  # what a stopped run held back comes first (see saving_after_drawing)
    before = current()
    if design == before:
        return
    _forget_shown_notices()
    st.session_state[DESIGN] = design
    step = None
    if record and before is not None:  # recorded now: this run draws Undo from it
        prior = (history(design.name), st.session_state.get(_LAST, {}).get(design.name))
        step = (before, *prior)
        _set_history(design.name, history(design.name).record(before, design))
    if _DRAWING.get():
        st.session_state[_UNSAVED] = (design, step)
    else:
        _settle(design, step)


def _settle(design: Design, step: tuple | None) -> None:
    """Save the committed `design`. Merged with another tab's change (or saved under
    another name), the session holds what was saved, and the recorded `step` (before,
    and the history as it was) is recorded again so that undo keeps the other tab's
    change."""
    saved = st.session_state[DESIGN] = _save(design)
    if saved is design or step is None:  # saved as it is (_save returns what it was given)
        return
    before, prior, last = step
    st.session_state[_HISTORY][design.name] = prior
    st.session_state[_LAST][design.name] = last
    before = merge_designs(design, before, saved, prefer="mine").design
    _set_history(saved.name, history(saved.name).record(before, saved))


@contextmanager
def saving_after_drawing():
    """Within it, commits are saved at `save_drawn()`: a run sends what it drew before it
    writes the file, and the browser draws while the file is written (~5 ms at 10 steps,
    ~7 at 200, fsync included). A run stopped before (a newer click reruns it) cannot
    touch the session any more (Streamlit raises again on every access): its commit waits
    in the session and is saved first by whatever comes next: the next run (`start`), a
    commit, or another design opened or closed."""
    token = _DRAWING.set(True)
    try:
        yield
    finally:
        _DRAWING.reset(token)


def save_drawn() -> bool:
    """Save what was committed and drawn; True when the session now holds another design
    (merged with another tab's change, or saved aside): draw the page again."""
    unsaved = st.session_state.pop(_UNSAVED, None)
    if unsaved is None:
        return False
    _settle(*unsaved)
    return current() is not unsaved[0]


# -- undo and redo ------------------------------------------------------------------------
def history(name: str) -> History:
    return st.session_state.get(_HISTORY, {}).get(name, History())


def _set_history(name: str, value: History) -> None:
    st.session_state.setdefault(_HISTORY, {})[name] = value
    st.session_state.setdefault(_LAST, {})[name] = current()


def rename_history(old: str, new: str) -> None:
    """The design `old` is now called `new`: its history follows, under the new name."""
    histories = st.session_state.get(_HISTORY, {})
    if old not in histories:
        return
    kept = histories.pop(old)
    histories[new] = replace(kept, past=_named(kept.past, new), future=_named(kept.future, new))
    st.session_state.get(_LAST, {}).pop(old, None)


def _named(designs: tuple[Design, ...], name: str) -> tuple[Design, ...]:
    return tuple(design.model_copy(update={"name": name}) for design in designs)


def undo() -> None:
    _step(History.undo)


def redo() -> None:
    _step(History.redo)


def _step(move) -> None:
    """Restore the design before the last edit (or after the last undo). Only this tab's
    step is taken back: a change another tab made since (taken up or merged) stays."""
    design = current()
    if design is None:
        return
    past = history(design.name)
    moved, restored = move(past, design)
    if moved is past:
        return  # nothing to undo or redo
    last = st.session_state.get(_LAST, {}).get(design.name)
    if last is not None and last != design:
        restored = merge_designs(last, restored, design, prefer="mine").design
    commit(restored, record=False)
    _set_history(design.name, moved)


def _save(mine: Design) -> Design:
    """Save `mine` based on the session's base; returns what the session now holds."""
    space = workspace()
    base = st.session_state.get(_BASE)
    signature = st.session_state.get(_SIGNATURE)  # the file's when it held `base`
    for _ in range(_MAX_SAVE_ATTEMPTS):
        try:
            based_on = base.revision if base is not None else None
            space.save(mine, based_on=based_on, signature=signature)
        except NewerDesign as newer:
            if newer.theirs is None:
                return _save_aside(mine, newer)
            merged = merge_designs(base, mine, newer.theirs)
            _tell_merged(merged, base, mine, newer.theirs)
            base, mine, signature = newer.theirs, merged.design, None
            continue
        except OSError as error:
            notice("error", f"Could not save '{mine.name}': {_reason(error)}. {_KEPT}")
            return mine
        _synced(mine)
        return mine
    notice("error", f"'{mine.name}' keeps changing in another tab; not saved. {_KEPT}")
    return mine


_KEPT = (
    "Your changes are kept in this browser tab; free some disk space or fix the workspace "
    "folder's permissions, then make any change to save again."
)


def _save_aside(mine: Design, newer: NewerDesign) -> Design:
    """The file is gone (deleted or renamed in another tab) or unreadable: keep this tab's
    design in a file of its own, never over what is there now."""
    space = workspace()
    if not space.exists(mine.name) and not space.path(mine.name).is_symlink():
        space.save(mine)
        _synced(mine)
        notice("warning", f"{newer.message} Your version was saved again as '{mine.name}'.")
        return mine
    name = _free_name(space, f"{mine.name} (this tab)")
    aside = mine.model_copy(update={"name": name})
    space.create(aside)
    _synced(aside)
    notice(
        "warning",
        f"The file of '{mine.name}' cannot be read any more ({newer.message}); it was left "
        f"as it is, and your version was saved as '{name}'.",
    )
    return aside


def _free_name(space: Workspace, name: str) -> str:
    candidate, number = name, 2
    while space.exists(candidate) or space.path(candidate).is_symlink():
        candidate, number = f"{name} {number}", number + 1
    return candidate


def _tell_merged(merged: Merge, base: Design, mine: Design, theirs: Design) -> None:
    if not merged.conflicts:
        notice("info", "Another tab saved changes to this design meanwhile: both are kept.")
        return
    # Re-applying is the difference between mine winning and theirs winning, taken onto
    # whatever the file holds by then: nothing else is added twice.
    mine = merge_designs(base, mine, theirs, prefer="mine").design
    listed = "\n".join(f"- {conflict.message}" for conflict in merged.conflicts[:8])
    more = len(merged.conflicts) - 8
    listed += f"\n- and {more} more" if more > 0 else ""
    _add_notice(
        {
            "kind": "conflict",
            "text": "Another tab changed the same things at the same time. The design now "
            f"holds the other tab's version of:\n{listed}",
            "base": merged.design,
            "mine": mine,
        }
    )


def _synced(design: Design) -> None:
    """The file now holds `design`: it is the base of the next save."""
    st.session_state[_BASE] = design
    st.session_state[_SIGNATURE] = workspace().signature(design.name)


def refresh() -> None:
    """Take up a newer version another tab saved, when this tab has nothing unsaved.

    Pages with forms call it after handling the run's edits (an edit is merged by its
    save instead: taking the newer version first could replace the very value the user
    just typed); other pages call it first. Cheap when nothing changed: one stat().
    """
    design = current()
    if design is None or design != st.session_state.get(_BASE):
        return
    space = workspace()
    signature = space.signature(design.name)
    if signature == st.session_state.get(_SIGNATURE):
        return
    try:
        theirs = complete_settings(space.load(design.name))
    except PipelineDesignError:
        return  # gone or broken: the next save says so and keeps this tab's version
    st.session_state[_SIGNATURE] = signature
    if theirs.revision != design.revision:
        st.session_state[DESIGN] = st.session_state[_BASE] = theirs
        st.rerun()


# -- opening ------------------------------------------------------------------------------
def open_design(design: Design) -> None:
    """Switch to a design read from its file."""
    _switch(design)
    _adopt(design)
    workspace().set_current(design.name)


def _adopt(design: Design) -> None:
    """Hold `design` as its file does. Settings it lacks a default for (older files) are
    stored at once, so what the forms show is what the file holds."""
    st.session_state[DESIGN] = design
    _synced(design)
    commit(with_identity(complete_settings(design)), record=False)


def create_design(design: Design) -> None:
    """Save a new design (created, imported or proposed) and switch to it; a name already
    used raises PipelineDesignError and changes nothing. It is a new design: its runs are
    its own, even when it was made from another one."""
    design = with_identity(design, fresh=True)
    workspace().create(design)
    _switch(design)
    _synced(design)
    _set_history(design.name, History())  # a name used before starts afresh


def _switch(design: Design) -> None:
    save_drawn()  # the design held back is saved before another takes its place
    _forget_shown_notices()
    st.session_state[DESIGN] = design
    st.session_state[EPOCH] = epoch() + 1
    st.session_state[SELECTED] = None
    st.session_state[SELECTED_EDGE] = None


def close_design() -> None:
    save_drawn()
    st.session_state[DESIGN] = None
    st.session_state[_BASE] = None
    st.session_state[EPOCH] = epoch() + 1
    st.session_state[SELECTED] = None
    st.session_state[SELECTED_EDGE] = None


# -- derived, once per revision -----------------------------------------------------------
def report(design: Design) -> DesignReport:
    """The validation report, computed once per revision of the design (the same design
    object, asked again in a run, is not hashed again: that costs milliseconds at 200 nodes).
    The last two revisions are kept: a run that takes an edit asks for the one before it
    too (the panel keeps its fields in that order), in any order."""
    kept = st.session_state.get(_REPORT) or ()
    for entry in kept:
        if entry[0] is design:
            return entry[2]
    revision = design.revision
    found = next((entry[2] for entry in kept if entry[1] == revision), None)
    entry = (design, revision, found if found is not None else validate_design(design))
    st.session_state[_REPORT] = (entry, *[e for e in kept if e[1] != revision][:1])
    return entry[2]


def compiled(design: Design):
    """The CompiledPipeline of this revision, or the PipelineDesignError that stopped it;
    computed once (the first time imports the SageMaker SDK)."""
    from builders.designs.design import compile_design

    cached = st.session_state.get(_COMPILED)
    if cached is None or cached[0] != design.revision:
        with st.spinner("Compiling the pipeline (the first time loads the SageMaker SDK)..."):
            try:
                result = compile_design(design)
            except PipelineDesignError as error:
                result = error
        cached = st.session_state[_COMPILED] = (design.revision, result)
    return cached[1]


# -- notices ------------------------------------------------------------------------------
def notice(kind: str, message: str) -> None:
    """A message for the page the user sees next, until the user's next change.

    It must outlive reruns the user did not cause (another tab's save taken up, a section
    switched open): a message that vanished then would shift the page and re-create the
    widgets below.
    It is not shown again on another page: it answered what the user did here.
    """
    _add_notice({"kind": kind, "text": message})


def _add_notice(item: dict) -> None:
    _forget_shown_notices()  # a new message answers a new action: older ones are stale
    notices = st.session_state.setdefault(NOTICES, [])
    if item["kind"] == "conflict":  # one offer to re-apply at a time: the newest
        notices[:] = [n for n in notices if n["kind"] != "conflict"]
    notices.append(item)


def show_notices(page: str, box=None) -> None:
    """The notices for `page`, in a container that is there even when empty: the page
    below keeps its place in Streamlit's element tree, so its widgets are not re-created
    when one goes. A notice first shown on another page is dropped. A page may fill a
    container made at its top at the end of its run (`box`), to show that run's notices."""
    box = box if box is not None else st.container()
    kept = []
    for item in st.session_state.get(NOTICES, []):
        if item.setdefault("page", page) != page:
            continue
        kept.append(item)
        if item["kind"] == "conflict":
            _conflict(box, item)
        else:
            getattr(box, item["kind"])(md(item["text"]))
        item["shown"] = True
    st.session_state[NOTICES] = kept


def _conflict(box, item: dict) -> None:
    """The other tab's version won: offer this tab's change again, on top of it."""
    box.warning(md(item["text"]), icon=":material/merge_type:")
    reapply, keep = box.columns([1, 1])
    if reapply.button("Re-apply my change", key="conflict:reapply", icon=":material/redo:"):
        design = current()
        mine = merge_designs(item["base"], item["mine"], design, prefer="mine").design
        commit(mine)
        st.rerun()
    if keep.button("Keep the other tab's version", key="conflict:keep"):
        _forget_shown_notices()
        st.rerun()


def _forget_shown_notices() -> None:
    notices = st.session_state.get(NOTICES, [])
    st.session_state[NOTICES] = [item for item in notices if not item.get("shown")]


def _reason(error: Exception) -> str:
    if isinstance(error, PipelineDesignError):
        return error.message
    return getattr(error, "strerror", None) or str(error)
