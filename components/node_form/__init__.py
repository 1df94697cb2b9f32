"""The node panel's component: a step's form drawn in the browser, one element per run.

A Streamlit custom component v2 (`st.components.v2`, no iframe: it is drawn in the page).
Its frontend (frontend/src, React and react-jsonschema-form) draws the whole panel from the
data Python sends (components/node_panel.py builds it: the node, its status and problems,
the form's JSON schema, uiSchema, values and problems under each field, its parameters and
preview) and sends back only the user's edits, as events (components/form_edits.py lists
them and applies them). The browser decides nothing: a value is sent as typed, and what
Python sends next is what the panel shows.

Reading events. Events come as a trigger value holding those Python has not acknowledged;
each carries a sequence number, and the numbers handled are kept in st.session_state, so an
event is returned once. Read them before drawing anything, so that the run that takes an
edit also draws its result::

    for event in form_events("panel"):
        ...  # apply it to the design
    node_form(key="panel", data=...)

Tests (AppTest draws no component) simulate the user by putting a FormEvent, or a list of
them, in ``st.session_state[event_key(key)]``; `shown_data` reads what a run drew.

The frontend is built into frontend/dist (committed, so users and CI need no Node). After
changing anything in frontend/, rebuild and commit dist:

    npm --prefix components/node_form/frontend ci
    npm --prefix components/node_form/frontend run build

tests/test_node_form_component.py fails while dist/stamp.json does not match the sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from components.v2_assets import v2_component

DIST = Path(__file__).parent / "frontend" / "dist"
NAME = "node_form"


@dataclass(frozen=True)
class FormEvent:
    """One edit the user made in the panel of `node` (see components/form_edits.py)."""

    kind: str
    node: str
    details: Mapping[str, Any] = field(default_factory=dict)  # field, value, on, name...
    seq: int = 0  # the panel's sequence number; 0 for an event a test injected

    def get(self, name: str, default: Any = None) -> Any:
        return self.details.get(name, default)

    def as_edit(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.details}


def event_key(key: str) -> str:
    """The session-state key a test puts simulated events in, for the panel `key`."""
    return f"{key}.injected_events"


def _handled_key(key: str) -> str:
    return f"{key}.handled_seq"


def _parse(raw: Mapping[str, Any]) -> FormEvent:
    details = {k: v for k, v in raw.items() if k not in ("kind", "node", "seq")}
    return FormEvent(str(raw["kind"]), str(raw.get("node", "")), details, int(raw["seq"]))


def form_events(key: str) -> list[FormEvent]:
    """The user's edits in the panel `key` not yet read, oldest first."""
    injected = st.session_state.pop(event_key(key), None)
    if injected is not None:
        return [injected] if isinstance(injected, FormEvent) else list(injected)
    state = st.session_state.get(key)
    return unread(key, state.get("events") if isinstance(state, Mapping) else None)


def unread(key: str, value: Any) -> list[FormEvent]:
    """The events in a value the panel sent that are newer than the last one handled."""
    if not isinstance(value, Mapping):
        return []
    handled = st.session_state.get(_handled_key(key), 0)
    events = [_parse(raw) for raw in value.get("events", []) if raw.get("seq", 0) > handled]
    if events:
        st.session_state[_handled_key(key)] = max(event.seq for event in events)
    return events


def node_form(*, key: str, data: Mapping[str, Any]) -> None:
    """Draw the panel from `data` (see frontend/src/types.ts, PanelData)."""
    mount = v2_component(f"{NAME}", DIST, js="assets/panel.js", css="assets/panel.css")
    # One key at the top: Streamlit looks for data frames among the data's first-level
    # values, which costs milliseconds per list.
    panel = {**data, "ack": st.session_state.get(_handled_key(key), 0)}
    mount(key=key, data={"panel": panel}, on_events_change=_nothing, height="content")


def _nothing() -> None:
    """Events are read with form_events before the page draws (a callback is required for
    the trigger to be kept)."""


def shown_data(at, key: str) -> dict[str, Any] | None:
    """What the panel `key` was drawn with in an AppTest run (tests), or None."""
    import json

    for element in at.get("bidi_component"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.json)["panel"]
    return None
