"""The node panel component without a browser: its committed build matches its sources, it
ships in the wheel's package data, and its Python side reads events once and draws the data
as documented (AppTest; in Chromium: tests/browser/test_node_form_in_browser.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.node_form import DIST

FRONTEND = DIST.parent
REPO = Path(__file__).resolve().parents[1]
REBUILD = (
    "npm --prefix components/node_form/frontend ci && "
    "npm --prefix components/node_form/frontend run build"
)


def sources_hash() -> str:
    """The hash frontend/stamp.mjs writes after a build, computed here independently."""
    top = ["package-lock.json", "package.json", "stamp.mjs", "tsconfig.json", "vite.config.ts"]
    src = [p.relative_to(FRONTEND).as_posix() for p in (FRONTEND / "src").rglob("*") if p.is_file()]
    total = hashlib.sha256()
    for path in sorted(top + src):
        digest = hashlib.sha256((FRONTEND / path).read_bytes()).hexdigest()
        total.update(f"{path}\n{digest}\n".encode())
    return total.hexdigest()


def test_the_committed_build_matches_the_frontend_sources():
    stamp = json.loads((DIST / "stamp.json").read_text())
    assert stamp["sources"] == sources_hash(), f"dist/ is older than its sources: {REBUILD}"


def test_the_build_is_one_minified_module_and_its_styles_without_source_maps():
    files = sorted(p.relative_to(DIST).as_posix() for p in DIST.rglob("*") if p.is_file())
    assert files == ["assets/panel.css", "assets/panel.js", "stamp.json"]
    script = (DIST / "assets" / "panel.js").read_text()
    assert "sourceMappingURL" not in script
    assert script.count("\n") < 200 and len(script) < 800_000  # one minified bundle
    assert script.rstrip().endswith("as default};")  # the function Streamlit calls


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
from components.node_form import form_events, node_form, unread

if "sent" in st.session_state:  # what the browser's trigger holds: unacknowledged events
    read = unread("panel", st.session_state.pop("sent"))
else:
    read = form_events("panel")
st.session_state.setdefault("log", []).append([(e.kind, e.node, e.seq) for e in read])
node_form(key="panel", data={"node": "A", "form": {"formData": {"x": 1}}})
"""


def drawn(at: AppTest) -> dict:
    [element] = at.get("bidi_component")
    return element.proto


def test_events_are_returned_once_and_acknowledged_in_the_data():
    from components.node_form import FormEvent, event_key

    at = AppTest.from_string(APP).run()
    proto = drawn(at)
    assert proto.component_name == "sagemaker-pipeline-designer.node_form"
    assert (proto.js_source_path, proto.css_source_path) == ("assets/panel.js", "assets/panel.css")
    assert not proto.js_content  # the module is loaded by URL once, not sent with every run
    shown = {"node": "A", "form": {"formData": {"x": 1}}, "ack": 0}
    assert json.loads(proto.json) == {"panel": shown}  # one key: no data frames looked for

    sent = {"events": [{"kind": "set", "node": "A", "field": "x", "value": 2, "seq": 1}]}
    at.session_state.sent = sent
    at.run()
    assert json.loads(drawn(at).json)["panel"]["ack"] == 1
    # The next value still holds event 1 (the panel had no acknowledgement yet) and a new 2.
    at.session_state.sent = {"events": [*sent["events"], {"kind": "delete", "node": "A", "seq": 2}]}
    at.run()
    assert at.session_state.log[1:] == [[("set", "A", 1)], [("delete", "A", 2)]]
    assert json.loads(drawn(at).json)["panel"]["ack"] == 2

    # Tests put events in st.session_state[event_key(key)]: returned once.
    at.session_state[event_key("panel")] = FormEvent("rename", "A", {"name": "B"})
    at.run()
    at.run()
    assert at.session_state.log[3:] == [[("rename", "A", 0)], []]
