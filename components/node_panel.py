"""The panel of the selection: a node (its name, status and problems, generated form, its
pipeline parameters and its step type's preview, if any) or a connection (what it wires,
and Remove connection).

A node's panel is one element, the `node_form` component, drawn in the browser from what
`panel_data` gathers here. The user's edits come back as events, which the page reads and
applies (`take_panel_edits`) before it draws anything: the run that takes an edit shows its
result, a rename or a deletion included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from builders.designs.design import (
    Design,
    DesignReport,
    disconnect,
    effective_values,
    step_type_of,
)
from builders.errors import Problem
from builders.graph.validation import validate_config
from components.canvas import node_status
from components.form_edits import apply_event
from components.form_view import form_view
from components.node_form import FormEvent, form_events, node_form
from components.parameters_panel import bound_fields, parameters_view
from components.text import md

PANEL_KEY = "node_form"
_BADGES = {"ready": "green", "incomplete": "orange", "invalid": "red"}
_LISTED = 6  # problems listed at the top; every one is also shown under its field
_MESSAGES = "panel.messages"  # a refused rename or promotion, shown by the next draw
_BEFORE = "panel.before"  # the design before this run's edits: the form's order follows it


def take_panel_edits(design: Design) -> tuple[Design, list[FormEvent]]:
    """The design with the user's edits in the panel since the last run, and the events."""
    events = form_events(PANEL_KEY)
    before = design
    messages: dict[str, str] = {}
    for event in events:
        design, refusal = apply_event(design, event.node, event.as_edit())
        if refusal:
            messages["promote" if event.kind == "promote" else "rename"] = refusal
    if events:
        st.session_state[_MESSAGES] = messages
        st.session_state[_BEFORE] = before
    return design, events


def node_panel(design: Design, report_of: Callable[[Design], DesignReport], name: str) -> None:
    """Draw the panel of node `name` of `design` (edits already applied)."""
    before = st.session_state.pop(_BEFORE, None)
    if before is None or name not in before.node_names:
        before = design
    order = report_of(before).for_node(name)
    node_form(key=PANEL_KEY, data=panel_data(design, report_of(design), name, order))


def panel_data(
    design: Design, report: DesignReport, name: str, order: Sequence[Problem] | None = None
) -> dict[str, Any]:
    """Everything the panel of node `name` shows (components/node_form: types.ts). Fields
    are ordered by the problems `order` (those before the edit this run took: a field does
    not jump while it is edited)."""
    node = design.node(name)
    step_type = step_type_of(node)
    problems = report.for_node(name)
    status, label = node_status(report, name)
    form = form_view(
        step_type.config_class,
        node.values,
        settings=design.settings,
        exclude=bound_fields(design, name),  # drawn with the parameters
        choices=_branch_choices(design, name, step_type),
        problems=problems,
        order_problems=order,
    )
    return {
        "node": name,
        "title": step_type.display_name,
        "description": step_type.description,
        "badge": {"label": label.removeprefix("● "), "color": _BADGES[status]},
        "problems": [{"field": p.field or "", "message": p.message} for p in problems[:_LISTED]],
        "more": max(0, len(problems) - _LISTED),
        "messages": st.session_state.pop(_MESSAGES, {}),
        "ports": _ports(step_type, report, name),
        "form": form,
        "parameters": parameters_view(design, name),
        "preview": step_preview(design, name) if step_type.preview is not None else None,
    }


def _branch_choices(design: Design, name: str, step_type) -> dict[str, list[str]]:
    """A condition picks its "if" branch among the steps connected after it."""
    if step_type.branch_field is None:
        return {}
    return {step_type.branch_field: [target for source, target in design.edges if source == name]}


def _ports(step_type, report: DesignReport, name: str) -> list[dict[str, Any]]:
    wired = {w.consumer_port: w.source for w in report.wires if w.consumer == name}
    ports = []
    for port in step_type.inputs:
        source = wired.get(port.name) or ("not connected" if port.required else "optional, none")
        ports.append({"direction": "input", "name": port.name, "kind": port.kind.value,
                      "source": source})  # fmt: skip
    for port in step_type.outputs:
        ports.append({"direction": "output", "name": port.name, "kind": port.kind.value,
                      "source": None})  # fmt: skip
    return ports


def step_preview(design: Design, name: str) -> dict[str, Any]:
    """What the step type's preview hook shows for the node's current values (the Payload
    type's sample requests, for one)."""
    node = design.node(name)
    step_type = step_type_of(node)
    config, problems = validate_config(step_type.config_class, effective_values(design, node), name)
    if config is None:
        fields = ", ".join(sorted({p.field or "?" for p in problems}))
        return {"info": f"Complete this step to see its preview (check: {fields})."}
    preview = step_type.preview_hook()(config)
    blocks = [{"caption": c, "body": b, "language": lang} for c, b, lang in preview.blocks]
    return {"title": preview.title, "blocks": blocks}


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
