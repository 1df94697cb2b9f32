"""Designer: palette, toolbar, the canvas and beside it the panel of the selected node or
connection.

One run per action: the canvas's events and the palette are read, and the toolbar's buttons
act (callbacks), before anything is drawn, so the canvas and the panel show the result in
the same run (a click opens its node's panel at once). The node panel is a component drawn
in the browser that sends only the user's edits; they too are read and applied before
anything is drawn, so the run that takes an edit (a rename or a deletion included) shows it.

The title, toolbar, canvas and panel are one fragment (`workbench`): their events run only
it, and the palette in the sidebar is not sent again. Adding from the palette runs the page.
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from builders.designs.design import add_node, move_nodes
from builders.graph.layout import new_node_position, tidy_positions
from components import session
from components.canvas import apply_edit, design_canvas, read_edit
from components.node_panel import connection_panel, node_panel, take_panel_edits
from components.palette import palette
from components.run_overlay import run_overlay
from components.text import md

CANVAS_HEIGHT = 620
_FITS = "designer_fits"  # the view is fitted again when this count changes (Tidy layout)

design = session.current()
if design is None:
    from components.first_screen import first_screen

    first_screen()
    st.stop()


def select(node: str | None = None, edge: tuple[str, str] | None = None) -> None:
    st.session_state[session.SELECTED] = node
    st.session_state[session.SELECTED_EDGE] = edge


def take_canvas_edit() -> None:
    """Apply what the user did on the canvas since the last run (none: nothing)."""
    design = session.current()
    edit = read_edit(design)
    if edit is None:
        return
    edited, refusals = apply_edit(design, edit)
    for refusal in refusals:
        session.notice("warning", refusal)
    if edit.clicked:
        select(edit.selected, edit.selected_edge)
    session.commit(edited)


def take_panel_edit() -> None:
    """Apply the user's edits in the node panel since the last run; a renamed or deleted
    node's selection follows it."""
    design = session.current()
    edited, _ = take_panel_edits(design)
    if edited == design:
        return
    selected = st.session_state.get(session.SELECTED)
    if selected and selected not in edited.node_names:
        renamed = [n for n in edited.node_names if n not in design.node_names]
        select(renamed[0] if renamed else None)
    session.commit(edited)


def acting(action):
    """A toolbar button's callback. Callbacks run before the page: the canvas's events the
    user made before the click are applied first (a drop, then Undo, undoes the drop)."""

    def act() -> None:
        take_canvas_edit()
        take_panel_edit()
        action()

    return act


def tidy() -> None:
    design = session.current()
    session.commit(move_nodes(design, tidy_positions(design.dag())))
    st.session_state[_FITS] = st.session_state.get(_FITS, 0) + 1


def toolbar(design) -> None:
    history = session.history(design.name)
    undo, redo, tidy_up = st.columns([2, 3, 3])
    steps = ((undo, "undo", "Ctrl+Z", session.undo, history.can_undo),
             (redo, "redo", "Ctrl+Shift+Z", session.redo, history.can_redo))  # fmt: skip
    for column, name, keys, action, possible in steps:
        column.button(
            "",
            icon=f":material/{name}:",
            key=name,
            help=f"{name.capitalize()} ({keys})",
            on_click=acting(action),
            disabled=not possible,
            shortcut=keys,
            width="stretch",
        )
    tidy_up.button(
        "Tidy layout",
        icon=":material/account_tree:",
        key="tidy",
        help="Lay the steps out left to right, by their order in the pipeline",
        on_click=acting(tidy),
        disabled=not design.nodes,
        width="stretch",
    )


with st.sidebar:
    added = palette()
if added:
    after = st.session_state.get(session.SELECTED)
    after = after if after in design.node_names else None
    position = new_node_position(design, added, after=after)
    design = add_node(design, added, position=position)
    select(design.nodes[-1].name)
    session.commit(design)
    design = session.current()


@st.fragment
def workbench() -> None:
    """Title, toolbar, canvas and panel: all that a canvas event, a panel edit or the
    toolbar changes. A fragment, so such a run draws only this, not the palette."""
    take_canvas_edit()
    take_panel_edit()
    design = session.current()
    selected = st.session_state.get(session.SELECTED)
    if selected not in design.node_names:
        selected = None
    selected_edge = st.session_state.get(session.SELECTED_EDGE)
    if selected_edge not in design.edges:
        selected_edge = None
    select(selected, selected_edge)  # a deleted or undone selection is none

    head, tools = st.columns([3, 2], vertical_alignment="bottom")
    head.title(md(design.name))
    notices = st.container()  # filled at the end: this run's notices (a merge, a refusal) too
    canvas_column, panel = st.columns([3, 2], gap="medium")
    with canvas_column:
        overlay = run_overlay(design)  # the last run's bar; its states go to canvas and panel
    with panel:
        design = panel_of(design, selected, selected_edge, overlay)
    with tools:  # after the panel: undo is offered for an edit made in it
        toolbar(design)
    with canvas_column:
        canvas_of(design, st.session_state.get(session.SELECTED), selected_edge, overlay)
    session.show_notices("designer", notices)
    session.refresh()  # after this run's edits: takes up what another tab saved meanwhile


def panel_of(design, selected, selected_edge, overlay):
    """The node picker and the panel of the selection; returns the design with its edit."""
    if design.nodes:
        options = design.node_names
        choice = st.selectbox(
            "Node",
            options,
            index=options.index(selected) if selected else None,
            placeholder="Click a node or a connection on the canvas, or pick a node here",
            key=f"pick:{session.epoch()}:{selected}",  # follows a click on the canvas
        )
        if choice != selected:
            select(choice)
            rerun()
    edited = design
    # The panel scrolls on its own: the canvas stays in view while a long form is edited.
    with st.container(height=CANVAS_HEIGHT, border=False, key="panel"):
        if selected:
            overlay.node_section(selected)
            node_panel(design, session.report, selected)
        elif selected_edge:
            edited = connection_panel(design, session.report(design), selected_edge)
        elif design.nodes:
            st.caption("Click a step on the canvas to see and edit its settings here.")
    if edited == design:
        return design
    reselect = (selected and selected not in edited.node_names) or (
        selected_edge and selected_edge not in edited.edges
    )
    if reselect:  # renamed or deleted: the panel and the node picker follow
        renamed = [n for n in edited.node_names if n not in design.node_names]
        select(renamed[0] if renamed and selected else None)
    session.commit(edited)
    if reselect or session.current() != edited:  # or merged with another tab's
        rerun()
    return edited


def canvas_of(design, selected, selected_edge, overlay) -> None:
    report = session.report(design)
    if not design.nodes:
        st.info("Add a step from the palette to start.")
    design_canvas(
        design,
        report,
        selected,
        selected_edge,
        fit_token=f"{session.epoch()}:{st.session_state.get(_FITS, 0)}",
        height=CANVAS_HEIGHT,
        runs=overlay.states,
    )
    ready = sum(1 for n in design.node_names if not report.for_node(n))
    st.caption(f"{ready} of {len(design.nodes)} steps ready · {len(design.edges)} connections")


def rerun() -> None:
    """Draw the workbench again: alone in a fragment's own run, else with the page."""
    ctx = get_script_run_ctx()
    in_fragment = ctx is not None and bool(ctx.fragment_ids_this_run)
    st.rerun(scope="fragment" if in_fragment else "app")


workbench()
