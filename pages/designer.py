"""Designer: palette, canvas and the panel of the selected node or connection."""

import streamlit as st

from builders.designs.design import add_node
from components import session
from components.canvas import apply_edit, design_canvas
from components.node_panel import connection_panel, node_panel
from components.palette import palette
from components.text import md

design = session.current()
if design is None:
    st.title("Designer")
    st.info("No design is open. Create one, empty or from a starter, on the Designs page.")
    st.page_link("pages/designs.py", label="Go to Designs", icon=":material/folder_open:")
    st.stop()

st.title(md(design.name))
notices = st.container()  # filled at the end: this run's notices (a merge, a refusal) too
canvas_column = st.container()
panel = st.container()


def select(node: str | None = None, edge: tuple[str, str] | None = None) -> None:
    st.session_state[session.SELECTED] = node
    st.session_state[session.SELECTED_EDGE] = edge


with st.sidebar:
    added = palette()
if added:
    design = add_node(design, added)
    select(design.nodes[-1].name)
    session.commit(design)
    design = session.current()

selected = st.session_state.get(session.SELECTED)
if selected not in design.node_names:
    selected = None
selected_edge = st.session_state.get(session.SELECTED_EDGE)
if selected_edge not in design.edges:
    selected_edge = None
with panel:
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
            st.rerun()
    edited = design
    if selected:
        edited = node_panel(design, session.report(design), selected, session.epoch())
    elif selected_edge:
        edited = connection_panel(design, session.report(design), selected_edge)
    if edited != design:
        if selected and selected not in edited.node_names:  # renamed or deleted
            renamed = [n for n in edited.node_names if n not in design.node_names]
            select(renamed[0] if renamed else None)
        if selected_edge and selected_edge not in edited.edges:
            select()
        session.commit(edited)
        st.rerun()  # the form's messages and the canvas follow the new values

report = session.report(design)
with canvas_column:
    if not design.nodes:
        st.info("Add a step from the palette to start.")
    edit = design_canvas(design, report, selected, selected_edge)
    ready = sum(1 for n in design.node_names if not report.for_node(n))
    st.caption(f"{ready} of {len(design.nodes)} steps ready · {len(design.edges)} connections")
if edit is not None:
    edited, refusals = apply_edit(design, edit)
    for refusal in refusals:
        session.notice("warning", refusal)
    clicked = (edit.selected and edit.selected != selected) or (
        edit.selected_edge and edit.selected_edge != selected_edge
    )
    if clicked:
        select(edit.selected, edit.selected_edge)
    if edited != design or refusals or clicked or edit.stale:
        session.commit(edited)
        st.rerun()
session.show_notices("designer", notices)
session.refresh()  # after this run's edits: takes up what another tab saved meanwhile
