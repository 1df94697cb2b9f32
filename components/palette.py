"""The palette: registered step types by category; a button adds one to the design."""

from __future__ import annotations

import streamlit as st

from builders.registry import REGISTRY, StepRegistry
from components.text import md


def palette(registry: StepRegistry = REGISTRY) -> str | None:
    """Draw the palette; the name of the step type whose Add button was pressed, or None."""
    st.subheader("Steps")
    st.caption("Add a step, then connect it on the canvas by dragging between handles.")
    chosen = None
    for category, step_types in registry.by_category().items():
        with st.expander(md(category), expanded=True):
            for step_type in step_types:
                if st.button(
                    md(step_type.display_name),
                    icon=":material/add:",
                    key=f"palette:{step_type.name}",
                    help=md(step_type.description),
                    width="stretch",
                ):
                    chosen = step_type.name
    return chosen
