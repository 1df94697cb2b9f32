"""Designer: palette, canvas and the selected node's form."""

import streamlit as st

from builders.design import add_node
from components import session
from components.canvas import apply_edit, design_canvas
from components.node_panel import node_panel
from components.palette import palette
from components.text import md

design = session.current()
if design is None:
    st.title("Designer")
    st.info("No design is open. Create one, empty or from a starter, on the Designs page.")
    st.page_link("pages/designs.py", label="Go to Designs", icon=":material/folder_open:")
    st.stop()

st.title(md(design.name))
session.show_notices("designer")
canvas_column = st.container()
panel = st.container()

with st.sidebar:
    added = palette()
if added:
    design = add_node(design, added)
    st.session_state[session.SELECTED] = design.nodes[-1].name
    session.commit(design)

selected = st.session_state.get(session.SELECTED)
if selected not in design.node_names:
    selected = None
with panel:
    if design.nodes:
        options = design.node_names
        choice = st.selectbox(
            "Node",
            options,
            index=options.index(selected) if selected else None,
            placeholder="Click a node on the canvas, or pick it here",
            key=f"pick:{session.epoch()}:{selected}",  # follows a click on the canvas
        )
        if choice != selected:
            st.session_state[session.SELECTED] = choice
            st.rerun()
    if selected:
        edited = node_panel(design, session.report(design), selected, session.epoch())
        if edited != design:
            if selected not in edited.node_names:  # renamed or deleted
                renamed = [n for n in edited.node_names if n not in design.node_names]
                st.session_state[session.SELECTED] = renamed[0] if renamed else None
                session.commit(edited)
                st.rerun()
            session.commit(edited)
            st.rerun()  # the form's messages and the canvas follow the new values

report = session.report(design)
with canvas_column:
    if not design.nodes:
        st.info("Add a step from the palette to start.")
    edit = design_canvas(design, report, selected)
    ready = sum(1 for n in design.node_names if not report.for_node(n))
    st.caption(f"{ready} of {len(design.nodes)} steps ready · {len(design.edges)} connections")
if edit is not None:
    edited, refusals = apply_edit(design, edit)
    for refusal in refusals:
        session.notice("warning", refusal)
    changed_selection = edit.selected and edit.selected != selected
    if changed_selection:
        st.session_state[session.SELECTED] = edit.selected
    if edited != design or refusals or changed_selection or edit.stale:
        session.commit(edited)
        st.rerun()
