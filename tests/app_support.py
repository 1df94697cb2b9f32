"""Helpers for AppTest page tests: run the app, read what it shows, act as a person would.

The canvas and the node panel are custom components that AppTest cannot drive: the user's
actions on them are simulated as the events the components send
(components.flow_canvas.event_key, components.node_form.event_key), and what they show is
read from the data the page drew them with (`shown`, `panel`, `panel_field`).
"""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest
from support import REPO

from builders.configs.form_schema import properties_of, shown_fields
from components.canvas import CANVAS_KEY
from components.flow_canvas import CanvasEvent, event_key
from components.node_form import FormEvent, shown_data
from components.node_form import event_key as panel_event_key
from components.node_panel import PANEL_KEY

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
    """What a person reads on the page: its texts, the node panel's and the canvas's."""
    return plain(raw_texts(at)) + "\n" + panel_text(at) + "\n" + canvas_text(at)


def canvas_text(at: AppTest) -> str:
    """The text the canvas shows in its top bar (its summary), if a canvas is drawn."""
    return "\n".join(canvas.get("summary", "") for canvas in _canvases(at))


def _canvases(at: AppTest) -> list[dict]:
    """The arguments of each canvas the run drew (none or one)."""
    drawn = [c for c in at.get("component_instance") if c.key == CANVAS_KEY]
    return [json.loads(c.proto.json_args) for c in drawn]


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
    (canvas,) = _canvases(at)
    return canvas


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


# -- the node panel (components/node_form) ------------------------------------------------------
def panel(at: AppTest) -> dict | None:
    """What the node panel was last drawn with (see node_form's types.ts), or None."""
    return shown_data(at, PANEL_KEY)


def panel_edit(at: AppTest, kind: str, node: str | None = None, **details) -> AppTest:
    """Run the page after the user's edit in the node panel, sent as the panel sends it
    (components/form_edits.py lists the kinds): on the node it shows unless `node`."""
    node = node if node is not None else panel(at)["node"]
    at.session_state[panel_event_key(PANEL_KEY)] = [FormEvent(kind, node, details)]
    return at.run()


class PanelField:
    """A field as the node panel draws it: its schema, uiSchema and the value it shows."""

    def __init__(self, at: AppTest, path: str, schema: dict, ui: dict, value):
        self.at, self.path, self.schema, self.ui, self.value = at, path, schema, ui, value

    @property
    def options(self) -> dict:
        return self.ui.get("ui:options", {})

    @property
    def widget(self) -> str:
        """The widget the browser draws: switch, number, text, select, checkboxes,
        textarea, table or nested (a field shown as typed text is "text")."""
        if self.options.get("asText"):
            return "text"
        if "ui:widget" in self.ui:
            return {"textarea": "textarea", "checkboxes": "checkboxes"}.get(
                self.ui["ui:widget"], self.ui["ui:widget"]
            )
        kind = self.schema.get("type")
        if "enum" in self.schema:
            return "select"
        if kind == "object":
            return "nested" if "properties" in self.schema else "table"
        return {"boolean": "switch", "integer": "number", "number": "number"}.get(kind, "text")

    def set_value(self, value) -> AppTest:
        """The user puts `value` in the widget (the text typed, the number, the choice...):
        the panel sends it as JSON, where a whole float is a whole number (3.0 is 3)."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        node = panel(self.at)["node"]
        self.at.session_state[panel_event_key(PANEL_KEY)] = [
            FormEvent("set", node, {"field": self.path, "value": value})
        ]
        return self.at


def panel_field(at: AppTest, path: str) -> PanelField | None:
    """The field at `path` (`hyperparameters.eta` in a nested config) in the node panel, or
    None when the panel does not draw it (a field bound to a parameter, another node)."""
    data = panel(at)
    if data is None:
        return None
    schema, ui, value = data["form"]["schema"], data["form"]["uiSchema"], data["form"]["formData"]
    for part in path.split("."):
        if part not in shown_fields(schema, value):  # a field of another mode is not drawn
            return None
        schema, ui = properties_of(schema)[part], ui.get(part, {})
        value = value.get(part) if isinstance(value, dict) else None
    return PanelField(at, path, schema, ui, value)


def panel_text(at: AppTest) -> str:
    """The node panel's texts as a person reads them: its heading, status, problems, labels,
    messages under the fields, derived values, parameters and preview."""
    data = panel(at)
    if data is None:
        return ""
    lines = [data["node"], f"{data['title']}: {data['description']}", data["badge"]["label"]]
    lines += [f"{p['field'] or 'step'}: {p['message']}" for p in data["problems"]]
    lines += list(data["messages"].values()) + list(data["form"]["general"])
    lines += _schema_texts(data["form"]["schema"], data["form"]["errors"])
    lines += [f"{d['label']}: {d['value']}" for d in data["form"]["derived"]]
    for bound in (data["parameters"] or {}).get("bound", []):
        lines.append(f"{bound['label']} takes its value from parameter {bound['parameter']}")
    preview = data["preview"] or {}
    lines += [preview.get("info", ""), preview.get("title", "")]
    for block in preview.get("blocks", []):
        lines += [block["caption"], block["body"]]
    return "\n".join(line for line in lines if line)


def _schema_texts(schema: dict, errors: dict) -> list[str]:
    lines = [schema.get("title", ""), *errors.get("__errors", [])]
    fields = properties_of(schema)
    for name, sub in fields.items():
        lines += _schema_texts(sub, errors.get(name, {}))
    for name, sub in errors.items():  # a table's rows
        if name != "__errors" and name not in fields:
            lines += sub.get("__errors", [])
    return lines


def panel_labels(at: AppTest) -> list[str]:
    """The labels of the panel's form fields as drawn: a required field's ends with " *"."""
    form = (panel(at) or {"form": {"schema": {}, "uiSchema": {}, "formData": {}}})["form"]
    schema, fields = form["schema"], properties_of(form["schema"])
    required = set(schema.get("required", []))
    shown = shown_fields(schema, form["formData"])  # in the order drawn
    return [
        fields[name].get("title", name) + (" *" if name in required else "")
        for name in form["uiSchema"].get("ui:order", shown)
        if name in shown
    ]


def panel_message(at: AppTest, action: str) -> str:
    """The panel's message about a refused `action` (rename, promote) this run, or ""."""
    data = panel(at)
    return (data or {}).get("messages", {}).get(action, "")
