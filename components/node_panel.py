"""The panel of the selection: a node (its name, status and problems, generated form and
its step type's preview, if any) or a connection (what it wires, and Remove connection)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from builders.designs.design import (
    Design,
    DesignReport,
    disconnect,
    effective_values,
    remove_nodes,
    rename_node,
    set_node_values,
    set_settings,
    step_type_of,
)
from builders.errors import PipelineDesignError
from builders.graph.validation import validate_config
from components.canvas import node_status
from components.config_form import FormResult, config_form
from components.parameters_panel import bound_fields, parameters_panel
from components.text import md

_BADGES = {"ready": "green", "incomplete": "orange", "invalid": "red"}
_LISTED = 6  # problems listed at the top; every one is also shown under its field


def node_panel(
    design: Design, report_of: Callable[[Design], DesignReport], name: str, epoch: int
) -> Design:
    """Draw the panel of node `name`; returns the design with the user's edits. The badge
    and the messages describe the edited design (`report_of` validates it), so the run
    that takes an edit shows its result."""
    node = design.node(name)
    report = report_of(design)
    step_type = step_type_of(node)
    head, delete = st.columns([3, 1], vertical_alignment="center")
    head.markdown(f"### {md(node.name)}")
    head.caption(f"{md(step_type.display_name)}: {md(step_type.description)}")
    if delete.button(
        "Delete", icon=":material/delete:", key=f"delete:{epoch}:{name}", help="Remove the node"
    ):
        return remove_nodes(design, [name])
    status = st.container()  # filled last, for the edited values
    renamed = _rename(design, name, epoch)
    if renamed is not design:
        return renamed  # the page selects the new name and draws again
    _ports(step_type, report, name)

    def edited_by(form: FormResult) -> Design:
        edited = design
        if form.settings != design.settings:  # a shared value typed here is the pipeline's
            edited = set_settings(edited, form.settings)
        if form.values != node.values:
            edited = set_node_values(edited, name, form.values)
        return edited

    form = config_form(
        step_type.config_class,
        node.values,
        key=f"node:{epoch}:{name}",
        problems=report.for_node(name),
        recheck=lambda form: report_of(edited_by(form)).for_node(name),
        settings=design.settings,
        exclude=bound_fields(design, name),  # drawn with the parameters, below
    )
    design = parameters_panel(edited_by(form), name, epoch)
    with status:
        _status(report_of(design), name)
    if step_type.preview is not None:
        step_preview(design, name)
    return design


def _status(report: DesignReport, name: str) -> None:
    """The node's badge, as on the canvas, and what to fix: in sight above a long form."""
    status, label = node_status(report, name)
    st.badge(label.removeprefix("● "), color=_BADGES[status])
    problems = report.for_node(name)
    lines = [f"- **{md(p.field or 'step')}**: {md(p.message)}" for p in problems[:_LISTED]]
    if len(problems) > _LISTED:
        lines.append(f"- and {len(problems) - _LISTED} more, under their fields")
    if lines:
        st.markdown("\n".join(lines))


def _rename(design: Design, name: str, epoch: int) -> Design:
    new = st.text_input(
        "Node name",
        value=name,
        key=f"rename:{epoch}:{name}",
        help="Unique in the design; it becomes the SageMaker step name.",
    )
    if new == name:
        return design
    try:
        return rename_node(design, name, new)
    except PipelineDesignError as error:
        st.error(md(error.message))
        return design


def _ports(step_type, report: DesignReport, name: str) -> None:
    wired = {w.consumer_port: w.source for w in report.wires if w.consumer == name}
    lines = []
    for port in step_type.inputs:
        source = wired.get(port.name) or ("not connected" if port.required else "optional, none")
        lines.append(f"- input **{md(port.name)}** ({md(port.kind.value)}) ← {md(source)}")
    for port in step_type.outputs:
        lines.append(f"- output **{md(port.name)}** ({md(port.kind.value)})")
    with st.expander("Inputs and outputs", expanded=False):
        st.markdown("\n".join(lines) or "This step has no ports.")


def step_preview(design: Design, name: str) -> None:
    """What the step type's preview hook shows for the node's current values (the Payload
    type's sample requests, for one)."""
    node = design.node(name)
    step_type = step_type_of(node)
    config, problems = validate_config(step_type.config_class, effective_values(design, node), name)
    if config is None:
        fields = ", ".join(sorted({p.field or "?" for p in problems}))
        st.info(f"Complete this step to see its preview (check: {md(fields)}).")
        return
    preview = step_type.preview_hook()(config)
    st.markdown(f"#### {md(preview.title)}")
    for caption, body, language in preview.blocks:
        st.caption(md(caption))
        st.code(body, language=language)


def connection_panel(design: Design, report: DesignReport, edge: tuple[str, str]) -> Design:
    """Draw the panel of a connection; returns the design without it when removed."""
    source, target = edge
    st.markdown(f"### {md(source)} → {md(target)}")
    wired = [w.consumer_port for w in report.wires if (w.producer, w.consumer) == edge]
    if wired:
        st.caption(f"Feeds {md(target)}'s input {md(', '.join(wired))}.")
    else:
        st.caption(f"{md(target)} takes nothing from {md(source)} yet.")
    if st.button(
        "Remove connection",
        icon=":material/link_off:",
        key=f"disconnect:{source}->{target}",
        help="Remove this connection from the design",
    ):
        return disconnect(design, source, target)
    return design
