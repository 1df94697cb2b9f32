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

from builders.designs.design import Design, DesignReport, step_type_of
from builders.localrun.node_status import NodeStatus
from builders.registry import REGISTRY
from components.flow_canvas import CanvasEdge, CanvasNode, canvas_events, flow_canvas

CANVAS_KEY = "canvas"
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

    added_edges: list[tuple[str, str]] = field(default_factory=list)
    removed_edges: list[tuple[str, str]] = field(default_factory=list)
    removed_nodes: list[str] = field(default_factory=list)
    moved: dict[str, tuple[float, float]] = field(default_factory=dict)
    clicked: bool = False  # the selection changed to the two below (both None: nothing)
    selected: str | None = None
    selected_edge: tuple[str, str] | None = None


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
                **(run_chip(runs[node.name]) if node.name in runs else {}),
            )
        )
    return nodes


def edge_id(source: str, target: str) -> str:
    return f"{source}->{target}"


def canvas_edges(design: Design, report: DesignReport) -> list[CanvasEdge]:
    """The connections, labelled with the input ports they feed."""
    ports: dict[tuple[str, str], list[str]] = {}
    for wire in report.wires:
        if wire.producer is not None:
            ports.setdefault((wire.producer, wire.consumer), []).append(wire.consumer_port)
    edges = []
    for source, target in design.edges:
        label = ", ".join(ports.get((source, target), []))
        fed = f"feeds {label}" if label else "feeds nothing yet"
        branch = _branch(design, source, target)
        if branch:
            label = branch
            fed = f"runs when the condition {'holds' if branch == 'if' else 'does not hold'}"
        edges.append(
            CanvasEdge(
                id=edge_id(source, target),
                source=source,
                target=target,
                label=label,
                title=f"{source} → {target}: {fed}",
            )
        )
    return edges


def _branch(design: Design, source: str, target: str) -> str | None:
    """'if' or 'else' for an edge leaving a condition: the branch its target is on."""
    node = design.node(source)
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
        if event.kind == "node_click" and event.node in names:
            edit.clicked, edit.selected, edit.selected_edge = True, event.node, None
        elif event.kind == "edge_click" and event.edge in edges:
            edit.clicked, edit.selected, edit.selected_edge = True, None, edges[event.edge]
        elif event.kind == "pane_click":
            edit.clicked, edit.selected, edit.selected_edge = True, None, None
        elif event.kind == "connect" and {event.source, event.target} <= names:
            edit.added_edges.append((event.source, event.target))
        elif event.kind == "move":
            edit.moved.update({n: xy for n, xy in event.positions.items() if n in names})
        elif event.kind == "delete" and event.node in names:
            edit.removed_nodes.append(event.node)
        elif event.kind == "delete" and event.edge in edges:
            edit.removed_edges.append(edges[event.edge])
    return edit


def design_canvas(
    design: Design,
    report: DesignReport,
    selected: str | None,
    selected_edge: tuple[str, str] | None = None,
    *,
    fit_token: str | int | None = None,
    height: int = 620,
    runs: Mapping[str, NodeStatus] | None = None,
) -> None:
    """Draw the design with its selection (and each node's state in `runs`, the last run);
    the view is fitted again when `fit_token` changes (another design opened, the layout
    tidied)."""
    flow_canvas(
        key=CANVAS_KEY,
        nodes=canvas_nodes(design, report, runs),
        edges=canvas_edges(design, report),
        selected_node=selected,
        selected_edge=edge_id(*selected_edge) if selected_edge else None,
        height=height,
        fit_token=fit_token,
    )


def apply_edit(design: Design, edit: CanvasEdit) -> tuple[Design, list[str]]:
    """The design with the canvas edit applied, and why any new connection was refused."""
    from builders.designs.design import connect, disconnect, move_nodes, remove_nodes
    from builders.errors import PipelineDesignError

    refusals = []
    design = move_nodes(design, edit.moved)
    for source, target in edit.removed_edges:
        if (source, target) in design.edges:
            design = disconnect(design, source, target)
    design = remove_nodes(design, [n for n in edit.removed_nodes if n in design.node_names])
    for source, target in edit.added_edges:
        try:
            design = connect(design, source, target)
        except PipelineDesignError as error:
            refusals.append(f"Connection {source} → {target} refused: {error.message}")
    return design, refusals
