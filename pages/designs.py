"""Designs: create (empty or from a starter), open, rename, duplicate and delete."""

import streamlit as st

from builders.design import new_design
from builders.errors import PipelineDesignError
from builders.starters import design_from_starter, starter_names
from components import session
from components.text import md

EMPTY = "Empty design"

st.title("Designs")
session.show_notices()
space = session.workspace()
st.caption(f"Saved in {md(space.root)} (set PIPELINE_DESIGNER_WORKSPACE to change it).")

with st.form("new_design", clear_on_submit=True):
    st.subheader("New design")
    name = st.text_input("Name", placeholder="fraud-detection")
    start_from = st.selectbox("Start from", [EMPTY, *starter_names()])
    if st.form_submit_button("Create", type="primary"):
        try:
            space.check_new_name(name)
            design = (
                new_design(name.strip())
                if start_from == EMPTY
                else design_from_starter(start_from, name.strip())
            )
            session.open_design(design)
            st.switch_page("pages/designer.py")
        except PipelineDesignError as error:
            st.error(md(error.message))

st.subheader("Saved designs")
current = session.current()
saved = space.list()
if not saved:
    st.info("No saved designs yet.")
for entry in saved:
    row = st.container(border=True)
    title, open_, copy, rename, delete = row.columns([4, 1, 1, 1, 1])
    marker = " (open)" if current and current.name == entry.name else ""
    title.markdown(f"**{md(entry.name)}**{marker}  \nchanged {entry.modified:%Y-%m-%d %H:%M}")
    if entry.error:
        title.error(md(entry.error))
        continue
    key = f"{entry.path.name}"
    if open_.button("Open", key=f"open:{key}"):
        session.open_design(space.load(entry.name), save=False)
        space.set_current(entry.name)
        st.switch_page("pages/designer.py")
    with copy.popover("Duplicate"):
        copy_name = st.text_input("New name", value=f"{entry.name} copy", key=f"copyname:{key}")
        if st.button("Duplicate", key=f"copy:{key}"):
            try:
                space.duplicate(entry.name, copy_name.strip())
                st.rerun()
            except PipelineDesignError as error:
                st.error(md(error.message))
    with rename.popover("Rename"):
        new_name = st.text_input("New name", value=entry.name, key=f"newname:{key}")
        if st.button("Rename", key=f"rename:{key}"):
            try:
                renamed = space.rename(entry.name, new_name.strip())
                if current and current.name == entry.name:
                    session.open_design(renamed, save=False)
                st.rerun()
            except PipelineDesignError as error:
                st.error(md(error.message))
    with delete.popover("Delete"):
        st.write("Delete this design for good?")
        if st.button("Delete", key=f"delete:{key}", type="primary"):
            space.delete(entry.name)
            if current and current.name == entry.name:
                session.close_design()
            st.rerun()
