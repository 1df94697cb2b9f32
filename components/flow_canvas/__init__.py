"""The designer's canvas: a Streamlit component around React Flow that never echoes.

Python owns the graph and the selection and pushes them as plain nodes and edges; the
canvas sends back only what the user did, as small events, and only when the user acts
(a push from Python never causes a value to be sent back, so it never causes a rerun):

- ``node_click`` (``node``), ``node_double_click`` (``node``), ``edge_click`` (``edge``),
  ``pane_click`` (a click on the empty canvas, or Escape, while something was selected);
- ``select`` (``nodes``): several nodes selected (Shift+click, Shift+drag a box, Ctrl+A);
- ``connect`` (``source``, ``target``, ``source_handle``): a drag from a node's right handle
  to another's left; ``source_handle`` names the branch handle it left from, if any;
- ``move`` (``positions``: node id -> (x, y)): the new positions of the nodes a drag moved
  (all the selected ones when several are dragged together);
- ``delete`` (``node``, ``edge`` or ``nodes``): Delete or Backspace with that selected.
  Nothing is removed on the canvas: Python decides and pushes the graph it keeps;
- ``add`` (``step_type``, ``position`` or None): a palette item clicked (Python picks the
  place) or dropped on the canvas (``position``: the new node's top-left corner);
- ``copy`` (``nodes``), ``duplicate`` (``nodes``): Ctrl+C and Ctrl+D on selected nodes;
  ``paste`` (``position``: where the first pasted node goes): Ctrl+V.

Locally the canvas shows a click's selection and a drag's position at once; what Python
pushes next wins. The view is automatic until the user zooms or pans: the whole graph at up
to zoom 1, fitted again when the canvas's size changes or ``inset_right`` drops (the page's
panel closed); a graph too big to be read that way is shown from its start at the smallest
readable zoom (node text 11 px on screen), with a minimap from ``minimap_from`` nodes on.
``fit_token`` changing makes the view automatic again and fits it. With ``view_key`` the
view is kept for the browser tab under that key (a design's name) across page switches.
The nodes Python selects are brought into sight by the least pan, clear of the
``inset_right`` pixels a panel of the page covers.

Reading events. Streamlit returns a component's last value on every rerun, so each event
carries a sequence number and the numbers handled are kept in st.session_state: an event
is returned once. To draw the result of an event in the same run (one run per click), read
the events before drawing::

    for event in canvas_events("canvas"):
        ...  # apply it to the design and the selection
    flow_canvas(key="canvas", nodes=..., edges=..., selected_node=...)

``flow_canvas`` itself returns the events not yet read, so a page that does not need that
can use its return value. Tests (AppTest, which cannot run the component) simulate the
user by putting a CanvasEvent, or a list of them, in ``st.session_state[event_key(key)]``:
the next ``canvas_events`` or ``flow_canvas`` call returns them as if the user had acted.

The frontend is TypeScript in frontend/src, built into frontend/dist (committed, so users
and CI need no Node). After changing anything in frontend/, rebuild and commit dist:

    npm --prefix components/flow_canvas/frontend ci
    npm --prefix components/flow_canvas/frontend run build

tests/test_flow_canvas_component.py fails while dist/stamp.json does not match the sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from builders.graph.layout import NODE_HEIGHT, NODE_WIDTH

DIST = Path(__file__).parent / "frontend" / "dist"
KINDS = (
    "node_click",
    "node_double_click",
    "edge_click",
    "pane_click",
    "select",
    "connect",
    "move",
    "delete",
    "add",
    "copy",
    "paste",
    "duplicate",
)

_component = components.declare_component("flow_canvas", path=str(DIST))
# The component's iframe has this title (Streamlit prefixes the declaring module's name).
IFRAME_TITLE = f"{__name__}.flow_canvas"


@dataclass(frozen=True)
class CanvasNode:
    """A step box: `title` is cut to two lines (in full on hover); `color` is the border's
    and the status line's (any CSS colour; grey when empty). `run`, when not empty, is drawn
    as a chip of `run_color` below the status (`run_title` on hover; up to two lines); with
    `run_elapsed` (seconds) the chip counts the time on, once a second, until the next push.
    `branches` replaces the one output handle by one labelled handle per name (a
    condition's "if" and "else"); a connection from one names it as its `source_handle`."""

    id: str
    x: float
    y: float
    title: str
    subtitle: str = ""
    status: str = ""
    color: str = ""
    has_input: bool = True
    has_output: bool = True
    run: str = ""
    run_color: str = ""
    run_title: str = ""
    run_elapsed: float | None = None
    branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class CanvasEdge:
    """A connection from `source`'s output (or its branch handle `source_handle`); `label`
    is drawn at its middle, `title` (or the label) shown on hover."""

    id: str
    source: str
    target: str
    label: str = ""
    title: str = ""
    source_handle: str = ""


@dataclass(frozen=True)
class PaletteItem:
    """A step the palette offers: `name` is what an ``add`` event names; `description` is
    shown on hover."""

    name: str
    label: str
    category: str
    description: str = ""


@dataclass(frozen=True)
class CanvasEvent:
    """One thing the user did on the canvas (see the module's docstring for the kinds)."""

    kind: str
    node: str | None = None
    edge: str | None = None
    source: str | None = None
    target: str | None = None
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    nodes: tuple[str, ...] = ()
    source_handle: str | None = None
    step_type: str | None = None
    position: tuple[float, float] | None = None
    seq: int = 0  # the canvas's sequence number; 0 for an event a test injected


def event_key(key: str) -> str:
    """The session-state key a test puts simulated events in, for the canvas `key`."""
    return f"{key}.injected_events"


def _handled_key(key: str) -> str:
    return f"{key}.handled_seq"


def _parse(raw: Mapping[str, Any]) -> CanvasEvent:
    positions = {name: (float(x), float(y)) for name, (x, y) in raw.get("positions", {}).items()}
    position = raw.get("position")
    return CanvasEvent(
        kind=raw["kind"],
        node=raw.get("node"),
        edge=raw.get("edge"),
        source=raw.get("source"),
        target=raw.get("target"),
        positions=positions,
        nodes=tuple(raw.get("nodes", ())),
        source_handle=raw.get("source_handle"),
        step_type=raw.get("step_type"),
        position=(float(position[0]), float(position[1])) if position else None,
        seq=int(raw["seq"]),
    )


def _unread(key: str, value: Any) -> list[CanvasEvent]:
    """The events in a value the canvas sent that are newer than the last one handled."""
    if not isinstance(value, Mapping):
        return []
    handled = st.session_state.get(_handled_key(key), 0)
    events = [_parse(raw) for raw in value.get("events", []) if raw.get("seq", 0) > handled]
    if events:
        st.session_state[_handled_key(key)] = max(event.seq for event in events)
    return events


def canvas_events(key: str) -> list[CanvasEvent]:
    """The user's events on the canvas `key` not yet read, oldest first (usually none or
    one; more when the user acted again before a run could read the first)."""
    injected = st.session_state.pop(event_key(key), None)
    if injected is not None:
        return [injected] if isinstance(injected, CanvasEvent) else list(injected)
    return _unread(key, st.session_state.get(key))


def flow_canvas(
    *,
    key: str,
    nodes: Iterable[CanvasNode],
    edges: Iterable[CanvasEdge],
    selected_node: str | None = None,
    selected_edge: str | None = None,
    selected_nodes: Iterable[str] = (),
    height: int | None = 560,
    fit_token: str | int | None = None,
    min_zoom: float = 0.2,
    minimap_from: int = 13,
    node_size: tuple[float, float] = (NODE_WIDTH, NODE_HEIGHT),
    view_key: str | None = None,
    palette: Iterable[PaletteItem] = (),
    inset_right: int = 0,
    summary: str = "",
) -> list[CanvasEvent]:
    """Draw the canvas; return the user's events not yet read (see canvas_events).

    Nodes are drawn `node_size` pixels big at zoom 1 (the size builders/graph/layout.py lays
    them out with); a minimap is shown from `minimap_from` nodes on; the user zooms out to
    `min_zoom` at most. `height` None: down to the bottom of the browser's window. Selected
    are `selected_nodes` when they are several, else the node, else the edge. `palette`:
    the steps offered in a panel at the canvas's left (none: no palette). `summary`: a
    line of plain text in the canvas's top bar (the design's state, say).
    """
    if not (DIST / "index.html").exists():
        raise RuntimeError(f"{DIST} is missing: build it (see components/flow_canvas/README.md)")
    events = canvas_events(key)
    several = list(selected_nodes)
    selected: dict[str, Any] | None = None
    if len(several) > 1:
        selected = {"nodes": several}
    elif selected_node is not None:
        selected = {"node": selected_node}
    elif selected_edge is not None:
        selected = {"edge": selected_edge}
    value = _component(
        key=key,
        default=None,
        nodes=[dict(vars(node)) for node in nodes],  # flat fields: asdict's deep copy is
        edges=[dict(vars(edge)) for edge in edges],  # slow at a few hundred nodes
        selected=selected,
        height=height,
        fit_token=fit_token,
        ack=st.session_state.get(_handled_key(key), 0),
        min_zoom=min_zoom,
        minimap_from=minimap_from,
        node_width=node_size[0],
        node_height=node_size[1],
        view_key=view_key,
        palette=[dict(vars(item)) for item in palette],
        inset_right=inset_right,
        summary=summary,
    )
    return events + _unread(key, value)
