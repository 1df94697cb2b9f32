"""The canvas: a design drawn with streamlit-flow, and the user's edits read back from it.

The component returns its whole state (nodes, edges, selection) with a timestamp. It keeps
returning the last state it sent until the user acts again, so a returned state is a new
edit only when its timestamp is neither one we pushed nor one we already handled. A state
pushed from Python carries a timestamp above every one seen, so the frontend takes it.
Tests (AppTest) simulate an edit by putting a new state in st.session_state[FLOW_STATE].

A click on a connection selects it at once (get_edge_on_click); the panel then offers to
remove it. The component reports a Backspace deletion only with the user's next event, so
the canvas could show a connection gone that the design (and a reload) still has: nothing is
deletable on the canvas itself, and a deletion the component does report is applied.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import streamlit as st
from streamlit_flow import streamlit_flow
from streamlit_flow.elements import StreamlitFlowEdge, StreamlitFlowNode
from streamlit_flow.state import StreamlitFlowState

from builders.designs.design import Design, DesignReport, step_type_of
from builders.registry import REGISTRY
from components.text import md

FLOW_STATE = "flow_state"
CANVAS_KEY = "canvas"
_SEEN = "flow_seen_timestamps"  # timestamps pushed or handled
_PUSHED = "flow_pushed_pictures"  # signatures of the states pushed lately, oldest first
_COLORS = {"ready": "#2e7d32", "incomplete": "#ef6c00", "invalid": "#c62828"}


@dataclass
class CanvasEdit:
    """What the user changed on the canvas, relative to the design."""

    added_edges: list[tuple[str, str]] = field(default_factory=list)
    removed_edges: list[tuple[str, str]] = field(default_factory=list)
    moved: dict[str, tuple[float, float]] = field(default_factory=dict)
    selected: str | None = None  # a node the user clicked
    selected_edge: tuple[str, str] | None = None  # a connection the user clicked
    stale: bool = False  # the canvas showed an old picture: it must be drawn again


def node_status(report: DesignReport, name: str) -> tuple[str, str]:
    """(status, label): ready, incomplete (only required values missing) or invalid."""
    problems = report.for_node(name)
    if not problems:
        return "ready", "● ready"
    missing = all(p.code == "missing" for p in problems)
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    return ("incomplete", f"● {count} to fill in") if missing else ("invalid", f"● {count}")


def flow_nodes(design: Design, report: DesignReport, selected: str | None):
    nodes = []
    for node in design.nodes:
        step_type = step_type_of(node) if node.step_type in REGISTRY else None
        status, label = node_status(report, node.name)
        title = step_type.display_name if step_type else f"unknown type {node.step_type}"
        nodes.append(
            StreamlitFlowNode(
                id=node.name,
                pos=(node.ui.x, node.ui.y),
                data={"content": f"**{md(node.name)}**  \n{md(title)}  \n{label}"},
                node_type=_handles(step_type),
                source_position="right",
                target_position="left",
                selected=node.name == selected,
                selectable=True,
                connectable=True,
                deletable=False,  # the panel's Delete button: see read_edit
                style={
                    "border": f"2px solid {_COLORS[status]}",
                    "borderRadius": "8px",
                    "width": "190px",
                    "fontSize": "13px",
                },
            )
        )
    return nodes


def _handles(step_type) -> str:
    """A step that takes no input has no input handle; one that gives nothing, no output."""
    if step_type is None or (step_type.inputs and step_type.outputs):
        return "default"
    return "input" if not step_type.inputs else "output"


_SELECTED_EDGE = {"stroke": "#1565c0", "strokeWidth": 3}


def edge_id(source: str, target: str) -> str:
    return f"{source}->{target}"


def flow_edges(design: Design, report: DesignReport, selected: tuple[str, str] | None = None):
    """The connections, labelled with the input ports they feed; the selected one drawn
    thick, blue and moving, so the user sees which one the panel is about."""
    kinds: dict[tuple[str, str], list[str]] = {}
    for wire in report.wires:
        if wire.producer is not None:
            kinds.setdefault((wire.producer, wire.consumer), []).append(wire.consumer_port)
    return [
        StreamlitFlowEdge(
            id=edge_id(source, target),
            source=source,
            target=target,
            label=", ".join(kinds.get((source, target), [])),
            deletable=False,  # the panel's Remove connection: see the module docstring
            selected=(source, target) == selected,
            animated=(source, target) == selected,
            style=_SELECTED_EDGE if (source, target) == selected else {},
            marker_end={"type": "arrowclosed"},
        )
        for source, target in design.edges
    ]


def _picture(state: StreamlitFlowState) -> tuple:
    """What the canvas shows, for comparing states (timestamps and selection left out).
    Connection ids count: one the user drew keeps the component's id until we push ours."""
    nodes = tuple(
        (n.id, round(n.position["x"], 1), round(n.position["y"], 1), n.data.get("content"),
         n.type, str(n.style))
        for n in state.nodes
    )  # fmt: skip
    edges = tuple(sorted((e.id, e.source, e.target, e.label, str(e.style)) for e in state.edges))
    return nodes, edges


def read_edit(
    state: StreamlitFlowState, design: Design, shown_selection: str | None = None
) -> CanvasEdit:
    """The differences between what the canvas returned and the design.

    A selection counts only when it differs from the one the canvas was shown with: the
    component repeats its own last selection, which may be older than one set in Python.
    A new connection is one the user drew: its id is the component's, not ours. A state
    whose nodes are not the design's, or that holds a connection we drew that the design no
    longer has, is stale: the component finished a layout it began before our last push
    (nodes cannot be added or deleted on the canvas). Only its drawn connections and
    clicks are taken from it, and the canvas is drawn again.
    """
    names = set(design.node_names)
    on_canvas = {n.id: n for n in state.nodes}
    edges = {(e.source, e.target) for e in state.edges}
    clicked = state.selected_id if state.selected_id != shown_selection else None
    clicked_edge = next(((e.source, e.target) for e in state.edges if e.id == clicked), None)
    edit = CanvasEdit(
        selected=clicked if clicked in names else None,
        selected_edge=clicked_edge if clicked_edge in design.edges else None,
    )
    drawn = {(e.source, e.target) for e in state.edges if e.id != edge_id(e.source, e.target)}
    edit.added_edges = [
        e for e in sorted(drawn - set(design.edges)) if e[0] in names and e[1] in names
    ]
    edit.stale = set(on_canvas) != names or any(
        e.id == edge_id(e.source, e.target) and (e.source, e.target) not in design.edges
        for e in state.edges
    )
    if edit.stale:
        return edit
    edit.removed_edges = [e for e in design.edges if e not in edges]
    for node in design.nodes:
        shown = on_canvas[node.name]
        x, y = shown.position["x"], shown.position["y"]
        if abs(x - node.ui.x) > 0.5 or abs(y - node.ui.y) > 0.5:
            edit.moved[node.name] = (x, y)
    return edit


def design_canvas(
    design: Design,
    report: DesignReport,
    selected: str | None,
    selected_edge: tuple[str, str] | None = None,
    height: int = 560,
) -> CanvasEdit | None:
    """Draw the design; return the user's edit since the last run, or None."""
    seen: set[int] = st.session_state.setdefault(_SEEN, set())
    shown: StreamlitFlowState | None = st.session_state.get(FLOW_STATE)
    selection = edge_id(*selected_edge) if selected_edge else selected
    if shown is not None and shown.timestamp not in seen:  # set by a test, not yet handled
        seen.add(shown.timestamp)
        return _edit_of(shown, design, selection)
    wanted = StreamlitFlowState(
        flow_nodes(design, report, selected),
        flow_edges(design, report, selected_edge),
        selection,
    )
    if shown is None or _picture(shown) != _picture(wanted):
        wanted.timestamp = max(int(time.time() * 1000), max(seen, default=0) + 1)
        seen.add(wanted.timestamp)
        shown = st.session_state[FLOW_STATE] = wanted
        pushed = st.session_state.setdefault(_PUSHED, [])
        pushed.append(_signature(wanted))
        del pushed[:-16]
    returned = streamlit_flow(
        CANVAS_KEY,
        shown,
        height=height,
        fit_view=True,
        min_zoom=0.2,  # the default 0.5 cannot fit a starter design: nodes got clipped
        allow_new_edges=True,
        get_node_on_click=True,
        get_edge_on_click=True,
        show_minimap=len(design.nodes) > 12,
        hide_watermark=True,
    )
    if returned.timestamp in seen:
        return None  # nothing new: our own push, or an event already handled
    seen.add(returned.timestamp)
    st.session_state[FLOW_STATE] = returned
    return _edit_of(returned, design, shown.selected_id)


def _edit_of(state: StreamlitFlowState, design: Design, selection: str | None) -> CanvasEdit:
    """The user's edit in a returned state; none in an older picture we pushed, which a
    layout begun before the latest push reports when it ends (it would move nodes back)."""
    pushed = st.session_state.get(_PUSHED, [])
    if _signature(state) in pushed[:-1] and _signature(state) != pushed[-1]:
        return CanvasEdit(stale=True)
    return read_edit(state, design, selection)


def _signature(state: StreamlitFlowState) -> tuple:
    """Nodes with their positions, connections with their ids: what a layout reports back."""
    nodes = frozenset((n.id, n.position["x"], n.position["y"]) for n in state.nodes)
    return nodes, frozenset((e.id, e.source, e.target) for e in state.edges)


def reset_canvas() -> None:
    """Forget what the canvas showed: the next run draws the design afresh."""
    st.session_state.pop(FLOW_STATE, None)


def apply_edit(design: Design, edit: CanvasEdit) -> tuple[Design, list[str]]:
    """The design with the canvas edit applied, and why any new connection was refused."""
    from builders.designs.design import connect, disconnect, move_nodes
    from builders.errors import PipelineDesignError

    refusals = []
    design = move_nodes(design, edit.moved)
    for source, target in edit.removed_edges:
        design = disconnect(design, source, target)
    for source, target in edit.added_edges:
        try:
            design = connect(design, source, target)
        except PipelineDesignError as error:
            refusals.append(f"Connection {source} → {target} removed: {error.message}")
    return design, refusals
