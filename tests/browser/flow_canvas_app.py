"""A minimal app around components.flow_canvas for its browser tests and benchmark.

It applies each canvas event to a small graph kept in session state (select, connect, move,
remove) before drawing the canvas, so one run shows the result (the selected node's status
line says so: every click is also a push), and writes the run count and every event it
received to the page. Buttons push changes from Python. `?nodes=N` draws a grid of N nodes
instead of the test graph, without the buttons and the event log (for
benchmarks/canvas_component.py); `?slow=1` makes each run wait a second before it reads
the canvas (a busy page).
"""

from __future__ import annotations

import json
import time

import streamlit as st

from components.flow_canvas import CanvasEdge, CanvasNode, canvas_events, flow_canvas

KEY = "canvas"
LONG_NAME = "AStepWhoseNameIsFarTooLongToFitOnTwoLinesOfItsBoxOnTheCanvas"
COLORS = {"ready": "#2e7d32", "invalid": "#c62828"}


def test_graph() -> tuple[dict, list]:
    """Load feeds Train and Evaluate (two edges leave one handle); a long-named step."""
    nodes = {
        "Load": {"x": 0, "y": 0, "input": False},
        "Train": {"x": 320, "y": 0, "input": True},
        "Evaluate": {"x": 320, "y": 220, "input": True},
        LONG_NAME: {"x": 640, "y": 0, "input": True},
    }
    edges = [("Load", "Train", "training data"), ("Load", "Evaluate", "model_artifacts, metrics")]
    return nodes, edges


def grid_graph(count: int) -> tuple[dict, list]:
    """`count` nodes in columns of five, each feeding the node beside it."""
    nodes = {
        f"Step-{i}": {"x": (i // 5) * 320, "y": (i % 5) * 160, "input": i >= 5}
        for i in range(count)
    }
    edges = [(f"Step-{i}", f"Step-{i + 5}", "data") for i in range(count - 5)]
    return nodes, edges


def start() -> None:
    count = st.query_params.get("nodes")
    nodes, edges = grid_graph(int(count)) if count else test_graph()
    for node in nodes.values():
        node["status"] = "ready"
    st.session_state.update(
        nodes=nodes, edges=edges, selected=(None, None), events=[], runs=0, fit=0
    )


def apply(event) -> None:
    """What a designer would do with the event."""
    nodes, edges = st.session_state.nodes, st.session_state.edges
    if event.kind == "node_click":
        st.session_state.selected = (event.node, None)
    elif event.kind == "edge_click":
        st.session_state.selected = (None, event.edge)
    elif event.kind == "pane_click":
        st.session_state.selected = (None, None)
    elif event.kind == "connect":
        if not any((s, t) == (event.source, event.target) for s, t, _ in edges):
            edges.append((event.source, event.target, "data"))
    elif event.kind == "move":
        for name, (x, y) in event.positions.items():
            nodes[name].update(x=x, y=y)
    elif event.kind == "delete":
        if event.node:
            nodes.pop(event.node)
        st.session_state.edges = [
            (s, t, label)
            for s, t, label in edges
            if f"{s}->{t}" != event.edge and event.node not in (s, t)
        ]
        st.session_state.selected = (None, None)


if "nodes" not in st.session_state:
    start()
elif st.query_params.get("slow"):
    time.sleep(1.0)
st.session_state.runs += 1

testing = not st.query_params.get("nodes")
if testing:
    one, two, three = st.columns(3)
    if one.button("Mark Train invalid"):
        st.session_state.nodes["Train"]["status"] = "invalid"
    if two.button("Add a node"):
        st.session_state.nodes["Added"] = {"x": 640, "y": 220, "input": True, "status": "ready"}
    if three.button("Fit view"):
        st.session_state.fit += 1

for event in canvas_events(KEY):
    st.session_state.events.append(
        {k: v for k, v in vars(event).items() if v or k == "kind"} | {"run": st.session_state.runs}
    )
    apply(event)

node, edge = st.session_state.selected
flow_canvas(
    key=KEY,
    nodes=[
        CanvasNode(
            id=name,
            x=spec["x"],
            y=spec["y"],
            title=name,
            subtitle="Test step",
            status=f"● {'selected' if name == node else spec['status']}",
            color=COLORS[spec["status"]],
            has_input=spec["input"],
        )
        for name, spec in st.session_state.nodes.items()
    ],
    edges=[
        CanvasEdge(id=f"{s}->{t}", source=s, target=t, label=label, title=f"{s} → {t}: {label}")
        for s, t, label in st.session_state.edges
    ],
    selected_node=node,
    selected_edge=edge,
    fit_token=st.session_state.fit,
    height=520,
)
st.text(f"runs: {st.session_state.runs}")
st.text(f"selected: {node or edge or '-'}")
if testing:
    st.code("\n".join(json.dumps(event) for event in st.session_state.events) or "no events")
