"""Designs: create (empty or from a starter), open, rename, duplicate and delete.

Each file of the workspace is one row, keyed by its file name: widgets (the popovers
included) follow the file, not its place in the list, which re-sorts after every change.
"""

import streamlit as st

from builders.designs.design import new_design
from builders.errors import PipelineDesignError
from builders.starters import design_from_starter, starter_names
from components import session
from components.text import md

EMPTY = "Empty design"

st.title("Designs")
session.refresh()
session.show_notices("designs")
space = session.workspace()
st.caption(f"Saved in {md(space.root)} (set PIPELINE_DESIGNER_WORKSPACE to change it).")

with st.form("new_design", clear_on_submit=True):
    st.subheader("New design")
    name = st.text_input("Name", placeholder="fraud-detection")
    start_from = st.selectbox("Start from", [EMPTY, *starter_names()])
    if st.form_submit_button("Create", type="primary"):
        try:
            name = space.check_new_name(name)
            design = (
                new_design(name) if start_from == EMPTY else design_from_starter(start_from, name)
            )
            session.create_design(design)
            st.switch_page("pages/designer.py")
        except PipelineDesignError as error:
            st.error(md(error.message))


def design_row(entry, current) -> None:
    """One file: its name and date, what is wrong with it if anything, and its actions."""
    key = entry.key
    row = st.container(border=True, key=f"row:{key}")
    title, open_, copy, rename, delete = row.columns([4, 1, 1, 1, 1])
    is_open = current is not None and space.path(current.name) == entry.path
    changed = f"changed {entry.modified:%Y-%m-%d %H:%M}" if entry.modified else "no date"
    title.markdown(f"**{md(entry.name)}**{' (open)' if is_open else ''}  \n{changed} · {md(key)}")
    if entry.error:
        title.error(md(entry.error))
    elif open_.button("Open", key=f"open:{key}"):
        _act(lambda: session.open_design(space.read(entry.path)), "pages/designer.py")
    readable = entry.error is None or entry.misplaced
    if readable:
        with copy.popover("Duplicate", key=f"copypop:{key}"):
            copy_name = st.text_input("New name", f"{entry.name} copy", key=f"copyname:{key}")
            if st.button("Duplicate", key=f"copy:{key}"):
                _act(lambda: space.duplicate(entry.path, copy_name))
    if readable:
        with rename.popover("Rename", key=f"renamepop:{key}"):
            new_name = st.text_input("New name", entry.name, key=f"newname:{key}")
            if st.button("Rename", key=f"rename:{key}"):
                _act(lambda: _rename(entry, new_name, is_open))
    with delete.popover("Delete", key=f"deletepop:{key}"):
        st.write(f"Delete {md(key)} for good?")
        if st.button("Delete", key=f"delete:{key}", type="primary"):
            _act(lambda: _delete(entry, is_open))


def _rename(entry, new_name: str, is_open: bool) -> None:
    renamed = space.rename(entry.path, new_name)
    session.rename_history(entry.name, renamed.name)
    if is_open:
        session.open_design(renamed)


def _delete(entry, is_open: bool) -> None:
    space.delete(entry.path)
    if is_open:
        session.close_design()


def _act(action, page: str | None = None) -> None:
    """Run a row's action; its failure is a message under the row, never a traceback."""
    try:
        action()
    except (PipelineDesignError, OSError) as error:
        reason = error.message if isinstance(error, PipelineDesignError) else error.strerror
        st.error(md(reason or str(error)))
        return
    if page:
        st.switch_page(page)
    st.rerun()


st.subheader("Saved designs")
saved = space.list()
if not saved:
    st.info("No saved designs yet.")
for entry in saved:
    design_row(entry, session.current())
