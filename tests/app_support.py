"""Helpers for AppTest page tests: run the app, read what it shows, act as a person would.

The canvas is a custom component that AppTest cannot drive: the user's actions on it are
simulated as the events the component sends (components.flow_canvas.event_key), and what it
shows is read from the arguments the page drew it with (`shown`).
"""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest
from support import REPO

from components.canvas import CANVAS_KEY
from components.flow_canvas import CanvasEvent, event_key

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
    """What a person reads of a markdown text: its escapes and word joiners (invisible, they
    keep a URL in a name from becoming a link) removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


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


def canvas_edit(at: AppTest, *, add_edges=(), selected=None, moves=None, events=()) -> AppTest:
    """Run the page after the user's actions on the canvas, sent as the component sends
    them: a click on `selected` (a node, or a connection's id "source->target"), drags
    from handle to handle (`add_edges`), a drop (`moves`), then any other `events`."""
    sent = []
    if selected is not None:
        edges = {edge["id"] for edge in shown(at)["edges"]}
        kind, what = ("edge_click", "edge") if selected in edges else ("node_click", "node")
        sent.append(CanvasEvent(kind, **{what: selected}))
    sent += [CanvasEvent("connect", source=s, target=t) for s, t in add_edges]
    if moves:
        sent.append(CanvasEvent("move", positions=moves))
    at.session_state[event_key(CANVAS_KEY)] = [*sent, *events]
    return at.run()


def add_step(at: AppTest, step_type: str, position=None) -> AppTest:
    """Run the page after the user clicked `step_type` in the canvas's palette (or dropped
    it at `position`)."""
    return canvas_edit(at, events=[CanvasEvent("add", step_type=step_type, position=position)])


def open_sections(at: AppTest) -> AppTest:
    """Switch on the open form's sections (Pipeline settings, Advanced settings): their
    fields are drawn only then."""
    closed = [t for t in at.toggle if ":section:" in t.key and not t.value]
    for switch in closed:
        switch.set_value(True)
    return at.run() if closed else at


def shown(at: AppTest) -> dict:
    """What the canvas was last drawn with: its nodes, edges and selection."""
    (canvas,) = [c for c in at.get("component_instance") if c.key == CANVAS_KEY]
    return json.loads(canvas.proto.json_args)


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


def default_box(at: AppTest, key: str):
    """A parameter's default box: its key ends with a digest of the value it was made with."""
    (box,) = [w for w in at.text_input if w.key.rsplit(":", 1)[0] == key]
    return box
