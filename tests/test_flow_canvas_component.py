"""The flow canvas component without a browser: its committed build matches its sources, it
ships in the wheel's package data, and its Python side passes events and arguments as
documented (AppTest; the browser tests are tests/browser/test_flow_canvas.py)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from builders.graph.layout import NODE_HEIGHT, NODE_WIDTH
from components.flow_canvas import DIST

FRONTEND = DIST.parent
REPO = Path(__file__).resolve().parents[1]
REBUILD = (
    "npm --prefix components/flow_canvas/frontend ci && "
    "npm --prefix components/flow_canvas/frontend run build"
)


def sources_hash() -> str:
    """The hash frontend/stamp.mjs writes after a build, computed here independently."""
    top = ["index.html", "package-lock.json", "package.json", "stamp.mjs", "tsconfig.json",
           "vite.config.ts"]  # fmt: skip
    src = [p.relative_to(FRONTEND).as_posix() for p in (FRONTEND / "src").rglob("*") if p.is_file()]
    total = hashlib.sha256()
    for path in sorted(top + src):
        digest = hashlib.sha256((FRONTEND / path).read_bytes()).hexdigest()
        total.update(f"{path}\n{digest}\n".encode())
    return total.hexdigest()


def test_the_committed_build_matches_the_frontend_sources():
    stamp = json.loads((DIST / "stamp.json").read_text())
    assert stamp["sources"] == sources_hash(), f"dist/ is older than its sources: {REBUILD}"


def test_the_build_is_minified_without_source_maps_and_complete():
    files = [p for p in DIST.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix == ".map"]
    script = (DIST / "assets" / "canvas.js").read_text()
    assert "sourceMappingURL" not in script
    assert script.count("\n") < 50 and len(script) < 600_000  # one minified bundle
    page = (DIST / "index.html").read_text()
    for asset in re.findall(r'(?:src|href)="\./([^"]+)"', page):
        assert (DIST / asset).is_file(), asset


@pytest.mark.filterwarnings("ignore:Support for `\\[tool.setuptools\\]`")
def test_the_package_data_ships_the_build():
    from setuptools.config.pyprojecttoml import read_configuration  # what the build reads

    config = read_configuration(REPO / "pyproject.toml")
    patterns = config["tool"]["setuptools"]["package-data"]["components"]
    shipped = {p for pattern in patterns for p in (REPO / "components").glob(pattern)}
    ours = {p for p in shipped if p.is_file() and DIST in p.parents}  # other components' too
    assert ours == {p for p in DIST.rglob("*") if p.is_file()}


APP = """
import streamlit as st
from components.flow_canvas import CanvasEdge, CanvasNode, canvas_events, flow_canvas

early = canvas_events("canvas") if st.session_state.get("read_early") else []
late = flow_canvas(
    key="canvas",
    nodes=[CanvasNode("A", 0, 0, "A", status="ready", color="green", has_input=False),
           CanvasNode("B", 320, 0, "B")],
    edges=[CanvasEdge("A->B", "A", "B", label="data")],
    selected_node=st.session_state.get("selected"),
    fit_token=3,
)
st.session_state.setdefault("log", []).append(
    ([e.kind for e in early], [(e.kind, e.node) for e in late])
)
"""


def canvas_args(at: AppTest) -> dict:
    [element] = at.get("component_instance")
    return json.loads(element.proto.json_args)


def test_injected_events_are_returned_once_and_the_arguments_are_as_documented():
    from components.flow_canvas import CanvasEvent, event_key

    at = AppTest.from_string(APP).run()
    assert at.session_state.log == [([], [])]
    args = canvas_args(at)
    assert args["nodes"][0] == {
        "id": "A", "x": 0, "y": 0, "title": "A", "subtitle": "", "status": "ready",
        "color": "green", "has_input": False, "has_output": True,
        "run": "", "run_color": "", "run_title": "", "run_elapsed": None, "branches": [],
    }  # fmt: skip
    assert args["edges"] == [
        {"id": "A->B", "source": "A", "target": "B", "label": "data", "title": "",
         "source_handle": ""}
    ]  # fmt: skip
    assert args["selected"] is None and args["fit_token"] == 3 and args["ack"] == 0
    assert (args["node_width"], args["node_height"]) == (NODE_WIDTH, NODE_HEIGHT)
    assert args["height"] == 560 and args["view_key"] is None
    assert args["palette"] == [] and args["inset_right"] == 0

    # flow_canvas returns what the user did since the last run, once.
    at.session_state[event_key("canvas")] = CanvasEvent("node_click", node="B")
    at.run()
    at.run()
    assert at.session_state.log[1:] == [([], [("node_click", "B")]), ([], [])]

    # Read before drawing, events are not returned again by flow_canvas; several in order.
    at.session_state.read_early = True
    at.session_state.selected = "B"
    at.session_state[event_key("canvas")] = [
        CanvasEvent("move", positions={"B": (400.0, 20.0)}),
        CanvasEvent("pane_click"),
    ]
    at.run()
    assert at.session_state.log[-1] == (["move", "pane_click"], [])
    assert canvas_args(at)["selected"] == {"node": "B"}


def test_the_events_the_canvas_sends_are_read_with_all_their_fields():
    """The value the frontend sends (src/types.ts's Event), as Streamlit hands it over."""
    from components.flow_canvas import _parse

    sent = [
        {"kind": "select", "nodes": ["A", "B"], "seq": 1},
        {"kind": "connect", "source": "G", "target": "F", "source_handle": "else", "seq": 2},
        {"kind": "add", "step_type": "Payload", "position": [12.5, -3], "seq": 3},
        {"kind": "add", "step_type": "Payload", "seq": 4},
        {"kind": "paste", "position": [1, 2], "seq": 5},
        {"kind": "delete", "nodes": ["A", "B"], "seq": 6},
    ]
    read = [_parse(raw) for raw in sent]
    assert read[0].nodes == ("A", "B")
    assert (read[1].source, read[1].target, read[1].source_handle) == ("G", "F", "else")
    assert (read[2].step_type, read[2].position) == ("Payload", (12.5, -3.0))
    assert read[3].position is None and read[4].position == (1.0, 2.0)
    assert read[5].kind == "delete" and read[5].nodes == ("A", "B")
