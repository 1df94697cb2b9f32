"""The designer's first screen, when no design is open: a name, then an empty design or one
of the starters (what each builds and its steps), created and opened in place."""

from __future__ import annotations

import streamlit as st

from builders.designs.design import new_design
from builders.errors import PipelineDesignError
from builders.starters import design_from_starter, starter_about, starter_names, starter_steps
from components import session
from components.text import md


def first_screen() -> None:
    st.title("Start a design")
    space = session.workspace()
    saved = len(space.list())
    if saved:
        st.caption(f"Or open one of your {saved} saved design{'s' * (saved > 1)}:")
        st.page_link("pages/designs.py", label="Designs", icon=":material/folder_open:")
    name = st.text_input("Name of the new design", placeholder="fraud-detection", key="first:name")
    empty, *starters = st.columns(1 + len(starter_names()))
    with empty.container(border=True):
        st.markdown("**Empty design**")
        st.caption("A blank canvas: add steps from the palette and connect them.")
        if st.button("Create empty design", key="first:empty", type="primary"):
            _create(name, None)
    for column, starter in zip(starters, starter_names(), strict=True):
        with column.container(border=True):
            st.markdown(f"**{md(starter)}**")
            st.caption(md(starter_about(starter)))
            steps = starter_steps(starter)
            st.markdown(f"{len(steps)} steps: " + ", ".join(md(step) for step in steps))
            if st.button("Start from this", key=f"first:{starter}"):
                _create(name, starter)


def _create(name: str, starter: str | None) -> None:
    """Create the design and open it here; a bad or taken name is said under the buttons."""
    try:
        name = session.workspace().check_new_name(name)
        design = new_design(name) if starter is None else design_from_starter(starter, name)
        session.create_design(design)
    except PipelineDesignError as error:
        st.error(md(error.message))
        return
    st.rerun()
