"""Helpers for AppTest page tests: run the app, read what it shows, act as a person would.

The canvas is a custom component that AppTest cannot drive: an edit of the canvas is
simulated the way the component reports one, a new state in st.session_state["flow_state"].
"""

from __future__ import annotations

import copy
import re

from streamlit.testing.v1 import AppTest
from streamlit_flow.elements import StreamlitFlowEdge
from streamlit_flow.state import StreamlitFlowState
from support import REPO

APP = str(REPO / "app.py")


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def raw_texts(at: AppTest) -> str:
    """The markdown of everything the page shows as text."""
    kinds = ("markdown", "caption", "title", "info", "warning", "error", "success")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def plain(markdown: str) -> str:
    """What a person reads of a markdown text: its escapes removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def texts(at: AppTest) -> str:
    return plain(raw_texts(at))


def create_from_starter(at: AppTest, name: str, starter: str = "xgboost_end_to_end") -> AppTest:
    at.switch_page("pages/designs.py").run()
    form_name = next(t for t in at.text_input if t.label == "Name")
    form_name.input(name)
    next(s for s in at.selectbox if s.label == "Start from").set_value(starter)
    button(at, "Create").click().run()
    # AppTest reruns the page it last switched to, not the one the app switched to.
    return at.switch_page("pages/designer.py").run()


def canvas_edit(
    at: AppTest, *, add_edges=(), remove_nodes=(), selected=None, moves=None
) -> AppTest:
    """Hand the page a canvas state as the component returns it after a user's edit."""
    shown: StreamlitFlowState = at.session_state["flow_state"]
    nodes = [_moved(n, (moves or {}).get(n.id)) for n in shown.nodes if n.id not in remove_nodes]
    edges = [
        e for e in shown.edges if e.source not in remove_nodes and e.target not in remove_nodes
    ]
    edges += [StreamlitFlowEdge(f"st-flow-edge_{s}-{t}", s, t) for s, t in add_edges]  # as drawn
    at.session_state["flow_state"] = StreamlitFlowState(
        nodes, edges, selected_id=selected, timestamp=shown.timestamp + 1000
    )
    return at.run()


def _moved(node, position):
    if position is None:
        return node
    moved = copy.copy(node)
    moved.position = {"x": position[0], "y": position[1]}
    return moved


def live(widgets, key: str):
    """The widget drawn for `key` this run: forms give a widget a new key (`key~1`...) when
    the value it shows changed outside it."""
    (widget,) = [w for w in widgets if w.key == key or w.key.startswith(f"{key}~")]
    return widget


def design_of(at: AppTest):
    return at.session_state["design"]


def button(at: AppTest, label: str):
    """The button a person reads as `label`."""
    return next(b for b in at.button if b.label == label)


def open_on(page: str, design, space=None) -> AppTest:
    """The app showing `page` with `design` open (saved to `space` when given)."""
    at = app()
    if space is not None:
        space.save(design)
    at.session_state["design"] = design
    return at.switch_page(page).run()


def as_recreated_by_the_browser(at: AppTest) -> AppTest:
    """Every input reports the default its element carries, as when the browser re-creates
    widgets whose state it dropped (a page switch, or a run cut short by the next one: the
    browser keeps no state for them, the server still does and sends no value)."""
    for widget in [*at.text_input, *at.text_area]:
        if not widget.disabled:
            widget.set_value(widget.proto.default if widget.proto.HasField("default") else "")
    for widget in at.number_input:
        widget.set_value(widget.proto.default if widget.proto.HasField("default") else None)
    for widget in at.selectbox:
        chosen = widget.proto.default if widget.proto.HasField("default") else None
        widget.set_value(None if chosen is None else widget.options[chosen])
    for widget in at.toggle:
        widget.set_value(widget.proto.default)
    for widget in at.multiselect:
        widget.set_value([widget.options[index] for index in widget.proto.default])
    return at
