"""The designer's canvas: a design drawn with components.flow_canvas, and the user's events
read back as one edit of the design.

The page reads the events first (`read_edit`), applies them, and then draws the canvas
with the result (`design_canvas`): a click shows its node's panel in the same run. The
canvas sends only what the user did and never echoes what Python pushes, so there is no
state to compare or timestamp here. Tests (AppTest) simulate the user by putting a
CanvasEvent in st.session_state[event_key(CANVAS_KEY)].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

import streamlit as st

from builders.designs.design import Design, DesignNode, DesignReport, step_type_of
from builders.localrun.node_status import NodeStatus
from builders.registry import REGISTRY, StepRegistry
from components.flow_canvas import (
    CanvasEdge,
    CanvasNode,
    PaletteItem,
    canvas_events,
    flow_canvas,
)

CANVAS_KEY = "canvas"
_DRAWN = "canvas_drawn"  # (design, report, runs, nodes, edges): what the last run drew
BRANCHES = ("if", "else")  # a condition's handles, in the order drawn
_COLORS = {"ready": "#2e7d32", "incomplete": "#ef6c00", "invalid": "#c62828"}
# A run state's chip: its sign and colour (white text on it).
RUN_LOOK = {
    "waiting": ("○", "#757575"),
    "running": ("◔", "#1565c0"),
    "succeeded": ("✓", "#2e7d32"),
    "failed": ("✕", "#c62828"),
    "cached": ("↺", "#00796b"),
    "skipped": ("⤼", "#6d4c41"),
    "stopped": ("■", "#ad1457"),
}


@dataclass
class CanvasEdit:
    """What the user did on the canvas since the last run."""

    added_edges: list[tuple[str, str, str | None]] = field(default_factory=list)  # branch
    removed_edges: list[tuple[str, str]] = field(default_factory=list)
    removed_nodes: list[str] = field(default_factory=list)
    moved: dict[str, tuple[float, float]] = field(default_factory=dict)
    clicked: bool = False  # the selection changed to the three below (all empty: nothing)
    selected: str | None = None
    selected_edge: tuple[str, str] | None = None
    selected_nodes: tuple[str, ...] = ()  # several nodes
    added: list[tuple[str, tuple[float, float] | None]] = field(default_factory=list)
    copied: list[str] | None = None
    pasted: list[tuple[float, float]] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)


@dataclass
class Applied:
    """A canvas edit applied: the design, why a connection was refused, the nodes to select
    (new steps or copies; None: the selection stays) and what Copy keeps."""

    design: Design
    refusals: list[str]
    select: list[str] | None
    clipboard: Design | None


def node_status(report: DesignReport, name: str) -> tuple[str, str]:
    """(status, label): ready, incomplete (only required values missing) or invalid."""
    problems = report.for_node(name)
    if not problems:
        return "ready", "● ready"
    missing = all(p.code == "missing" for p in problems)
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    return ("incomplete", f"● {count} to fill in") if missing else ("invalid", f"● {count}")


def duration_text(seconds: float) -> str:
    """'3.2 s', '2 min 5 s': how long a step took, as the canvas and the panel say it."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds) // 60} min {int(seconds) % 60} s"


def run_chip(status: NodeStatus) -> dict:
    """The CanvasNode fields that draw a node's run state: 'succeeded · 3.2 s'; a running
    node's time so far is counted on by the canvas."""
    sign, color = RUN_LOOK.get(status.state, ("?", ""))
    text = f"{sign} {status.state}"
    elapsed = None
    if status.outcome:  # a condition: its metric against the threshold, and the branch
        text = f"{sign} {status.outcome}"
    elif status.state == "running" and status.started:
        started = datetime.fromisoformat(status.started)
        elapsed = max(0.0, (datetime.now(timezone.utc) - started).total_seconds())
    elif status.duration is not None:
        text += f" · {duration_text(status.duration)}"
    title = f"Last run: {status.state}" + (f": {status.reason}" if status.reason else "")
    return {"run": text, "run_color": color, "run_title": title, "run_elapsed": elapsed}


def canvas_nodes(
    design: Design, report: DesignReport, runs: Mapping[str, NodeStatus] | None = None
) -> list[CanvasNode]:
    """The step boxes: name, type and status (the canvas draws them as plain text), and
    each node's state in `runs` (the last run shown) when given."""
    runs = runs or {}
    nodes = []
    for node in design.nodes:
        step_type = step_type_of(node) if node.step_type in REGISTRY else None
        status, label = node_status(report, node.name)
        nodes.append(
            CanvasNode(
                id=node.name,
                x=node.ui.x,
                y=node.ui.y,
                title=node.name,
                subtitle=step_type.display_name if step_type else f"unknown type {node.step_type}",
                status=label,
                color=_COLORS[status],
                # A step that takes and makes nothing (Fail) exists to follow a condition.
                has_input=step_type is None or bool(step_type.inputs) or not step_type.outputs,
                has_output=step_type is None
                or bool(step_type.outputs)
                or step_type.branch_field is not None,
                branches=BRANCHES if step_type and step_type.branch_field else (),
                **(run_chip(runs[node.name]) if node.name in runs else {}),
            )
        )
    return nodes


def edge_id(source: str, target: str) -> str:
    return f"{source}->{target}"


def canvas_edges(design: Design, report: DesignReport) -> list[CanvasEdge]:
    """The connections: a condition's leave its "if" or "else" handle, labelled so; the
    others say on hover which input ports they feed (no label: the gaps between layers are
    narrow, and the connection's panel says it too)."""
    ports: dict[tuple[str, str], list[str]] = {}
    for wire in report.wires:
        if wire.producer is not None:
            ports.setdefault((wire.producer, wire.consumer), []).append(wire.consumer_port)
    edges = []
    nodes = {node.name: node for node in design.nodes}
    for source, target in design.edges:
        fed = ", ".join(ports.get((source, target), []))
        fed = f"feeds {fed}" if fed else "feeds nothing yet"
        branch = _branch(nodes[source], target) or ""
        if branch:
            fed = f"runs when the condition {'holds' if branch == 'if' else 'does not hold'}"
        edges.append(
            CanvasEdge(
                id=edge_id(source, target),
                source=source,
                target=target,
                label=branch,
                title=f"{source} → {target}: {fed}",
                source_handle=branch,
            )
        )
    return edges


def _branch(node: DesignNode, target: str) -> str | None:
    """'if' or 'else' for an edge leaving a condition (`node`): the branch its target is on."""
    if node.step_type not in REGISTRY:
        return None
    field = step_type_of(node).branch_field
    if field is None:
        return None
    chosen = node.values.get(field)
    return "if" if isinstance(chosen, list) and target in chosen else "else"


def read_edit(design: Design) -> CanvasEdit | None:
    """The user's events on the canvas since the last run, as one edit; None when none."""
    events = canvas_events(CANVAS_KEY)
    if not events:
        return None
    names = set(design.node_names)
    edges = {edge_id(*edge): edge for edge in design.edges}
    edit = CanvasEdit()
    for event in events:
        known = [n for n in event.nodes if n in names]
        if event.kind == "node_click" and event.node in names:
            edit.clicked, edit.selected, edit.selected_edge = True, event.node, None
            edit.selected_nodes = ()
        elif event.kind == "select" and known:
            edit.clicked, edit.selected, edit.selected_edge = True, None, None
            edit.selected_nodes = tuple(known)
        elif event.kind == "edge_click" and event.edge in edges:
            edit.clicked, edit.selected, edit.selected_edge = True, None, edges[event.edge]
            edit.selected_nodes = ()
        elif event.kind == "pane_click":
            edit.clicked, edit.selected, edit.selected_edge = True, None, None
            edit.selected_nodes = ()
        elif event.kind == "connect" and {event.source, event.target} <= names:
            branch = event.source_handle if event.source_handle in BRANCHES else None
            edit.added_edges.append((event.source, event.target, branch))
        elif event.kind == "move":
            edit.moved.update({n: xy for n, xy in event.positions.items() if n in names})
        elif event.kind == "delete" and (event.node in names or known):
            edit.removed_nodes += [event.node] if event.node in names else known
        elif event.kind == "delete" and event.edge in edges:
            edit.removed_edges.append(edges[event.edge])
        elif event.kind == "add" and event.step_type:
            edit.added.append((event.step_type, event.position))
        elif event.kind == "copy" and known:
            edit.copied = known
        elif event.kind == "paste" and event.position is not None:
            edit.pasted.append(event.position)
        elif event.kind == "duplicate" and known:
            edit.duplicated = known
    return edit


def palette_items(registry: StepRegistry = REGISTRY) -> list[PaletteItem]:
    """The registered step types, by category, as the canvas's palette offers them."""
    return [
        PaletteItem(step_type.name, step_type.display_name, category, step_type.description)
        for category, step_types in registry.by_category().items()
        for step_type in step_types
    ]


def design_canvas(
    design: Design,
    report: DesignReport,
    selected: str | None,
    selected_edge: tuple[str, str] | None = None,
    *,
    selected_nodes: tuple[str, ...] = (),
    fit_token: str | int | None = None,
    height: int | None = 620,
    runs: Mapping[str, NodeStatus] | None = None,
    inset_right: int = 0,
) -> None:
    """Draw the design with its selection (and each node's state in `runs`, the last run),
    the palette, and its summary in the top bar; the view is kept per design, and fitted
    again when `fit_token` changes (another design opened, the layout tidied)."""
    nodes, edges = _boxes(design, report, runs or {})
    flow_canvas(
        key=CANVAS_KEY,
        nodes=nodes,
        edges=edges,
        selected_node=selected,
        selected_edge=edge_id(*selected_edge) if selected_edge else None,
        selected_nodes=selected_nodes,
        height=height,
        fit_token=fit_token,
        min_zoom=0.5,
        view_key=design.name,
        palette=palette_items(),
        inset_right=inset_right,
        summary=summary_line(design, report),
    )


def _boxes(
    design: Design, report: DesignReport, runs: Mapping[str, NodeStatus]
) -> tuple[list[CanvasNode], list[CanvasEdge]]:
    """canvas_nodes and canvas_edges, made again only when the design (the same object:
    the session keeps it), its report or the last run's states changed: a run that only
    selects spent ~3 ms on them at 200 steps. A running step's elapsed time is not kept."""
    last = st.session_state.get(_DRAWN)
    ticking = any(status.state == "running" for status in runs.values())
    if last and last[0] is design and last[1] is report and last[2] == runs and not ticking:
        return last[3], last[4]
    nodes, edges = canvas_nodes(design, report, runs), canvas_edges(design, report)
    st.session_state[_DRAWN] = (design, report, runs, nodes, edges)
    return nodes, edges


def summary_line(design: Design, report: DesignReport) -> str:
    """'8 of 9 steps ready · 12 connections'. The canvas shows it: as a caption of the page,
    its change on an edit cost the page 10-20 ms more at 200 steps (benchmarks/ui_browser.py)."""
    ready = sum(1 for n in design.node_names if not report.for_node(n))
    steps = len(design.nodes)
    connections = len(design.edges)
    return (
        f"{ready} of {steps} step{'s' if steps != 1 else ''} ready · "
        f"{connections} connection{'s' if connections != 1 else ''}"
    )


def apply_edit(
    design: Design,
    edit: CanvasEdit,
    selected: str | None = None,
    clipboard: Design | None = None,
) -> Applied:
    """The canvas edit applied to the design (`selected`: the node selected before it, which
    a new step follows; `clipboard`: what was copied last)."""
    from builders.designs.design import connect, disconnect, move_nodes, remove_nodes
    from builders.designs.placing import add_step, clip, paste
    from builders.errors import PipelineDesignError

    refusals = []
    design = move_nodes(design, edit.moved)
    for source, target in edit.removed_edges:
        if (source, target) in design.edges:
            design = disconnect(design, source, target)
    design = remove_nodes(design, [n for n in edit.removed_nodes if n in design.node_names])
    for source, target, branch in edit.added_edges:
        try:
            design = connect(design, source, target, branch=branch)
        except PipelineDesignError as error:
            refusals.append(f"Connection {source} → {target} refused: {error.message}")
    select = None
    if edit.clicked:
        selected = edit.selected
    for step_type, position in edit.added:
        if step_type not in REGISTRY:
            refusals.append(f"There is no step type {step_type!r} to add.")
            continue
        after = selected if selected in design.node_names else None
        design, name = add_step(design, step_type, selected=after, position=position)
        selected, select = name, [name]
    if edit.copied:
        clipboard = clip(design, edit.copied)
    for position in edit.pasted:
        if clipboard is not None:
            design, select = paste(design, clipboard, position)
    if edit.duplicated:
        design, select = paste(design, clip(design, edit.duplicated))
    return Applied(design, refusals, select, clipboard)
