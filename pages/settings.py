"""Pipeline settings: the values every node inherits, entered once."""

import streamlit as st

from builders.configs.base import BasePipelineConfig
from builders.designs.design import overrides, set_settings
from builders.graph.validation import validate_config
from components import session
from components.config_form import config_form

design = session.current()
if design is None:
    st.info("No design is open. Create or open one on the Designs page.")
    st.stop()

st.title("Pipeline settings")
st.caption(
    "Entered once for the whole pipeline and inherited by every node. A node can override a "
    "value in its own form (Designer page)."
)
session.show_notices("settings")
_, problems = validate_config(BasePipelineConfig, design.settings)
form = config_form(
    BasePipelineConfig,
    design.settings,
    key=f"settings:{session.epoch()}",
    problems=problems,
    recheck=lambda form: validate_config(BasePipelineConfig, form.values)[1],
)
if form.values != design.settings:
    session.commit(set_settings(design, form.values))

overridden = overrides(design)
if overridden:
    st.subheader("Overridden on nodes")
    st.dataframe(
        [
            {"node": node, "setting": field, "value": str(value)}
            for node, field, value in overridden
        ],
        hide_index=True,
    )
session.refresh()  # after this run's edit: takes up another tab's saves
