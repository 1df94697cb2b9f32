"""The app's pages, run with Streamlit's AppTest as a person would use them.

The canvas is a custom component that AppTest cannot drive: the user's actions on it are
simulated as the events it sends (see app_support.canvas_edit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from app_support import (
    APP,
    add_step,
    app,
    as_recreated_by_the_browser,
    button,
    canvas_edit,
    create_from_starter,
    design_of,
    open_on,
    panel,
    panel_edit,
    panel_field,
    shown,
    texts,
)
from streamlit.testing.v1 import AppTest
from support import REPO

from builders.designs.design import add_node, new_design
from components.flow_canvas import CanvasEvent


def test_the_first_screen_offers_an_empty_design_and_each_starter(space):
    at = app()
    assert not at.exception
    assert "Start a design" in texts(at)
    assert "Train XGBoost on tabular data" in texts(at)  # the starter's about.txt
    assert "9 steps: DataLoadingTraining, TabularPreprocessing" in texts(at)
    assert "4 steps: PyTorchModel, Packaging, Payload, ModelRegistration" in texts(at)
    at.button(key="first:xgboost_end_to_end").click().run()
    assert "Give the design a name." in texts(at)
    assert space.names() == []
    at.text_input(key="first:name").input("fraud")
    at.button(key="first:xgboost_end_to_end").click().run()
    assert design_of(at).name == "fraud" and len(design_of(at).nodes) == 9
    assert "9 of 9 steps ready" in texts(at)  # the designer, in place
    assert space.load("fraud") == design_of(at)


def test_the_first_screen_creates_an_empty_design(space):
    at = app()
    at.text_input(key="first:name").input("blank")
    at.button(key="first:empty").click().run()
    assert design_of(at).nodes == () and space.names() == ["blank"]
    assert "Add a step from the palette to start" in texts(at)


def test_create_from_a_starter_and_see_the_canvas(space):
    at = create_from_starter(app(), "fraud")
    assert not at.exception
    design = design_of(at)
    assert design.name == "fraud" and len(design.nodes) == 9
    assert "#### fraud" in [m.value for m in at.markdown]  # the toolbar names the design
    # The design's state is in the canvas's top bar, not a caption of the page (whose
    # change on each edit cost the page more: docs/architecture.md).
    assert shown(at)["summary"] == "9 of 9 steps ready · 9 connections"
    assert not [c.value for c in at.caption if "ready" in c.value]
    assert space.load("fraud") == design  # saved at once


def test_add_from_the_palette_connect_and_refuse_a_cycle(space):
    at = create_from_starter(app(), "fraud")
    add_step(at, "BatchTransform")
    design = design_of(at)
    assert design.node_names[-1] == "BatchTransform-2"
    assert at.session_state["selected_node"] == "BatchTransform-2"

    canvas_edit(at, add_edges=[("XGBoostModel", "BatchTransform-2")])
    assert ("XGBoostModel", "BatchTransform-2") in design_of(at).edges

    canvas_edit(at, add_edges=[("BatchTransform", "DataLoadingCalibration")])
    assert ("BatchTransform", "DataLoadingCalibration") not in design_of(at).edges
    assert "would make a cycle" in texts(at)
    assert "BatchTransform->DataLoadingCalibration" not in {e["id"] for e in shown(at)["edges"]}


def test_a_connection_no_input_accepts_is_refused(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, add_edges=[("Payload", "BatchTransform")])
    assert ("Payload", "BatchTransform") not in design_of(at).edges
    assert "cannot use anything" in texts(at)


def test_delete_a_node_with_its_button(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="BatchTransform")
    panel_edit(at, "delete")
    design = design_of(at)
    assert "BatchTransform" not in design.node_names
    assert all("BatchTransform" not in edge for edge in design.edges)
    assert "BatchTransform" not in {n["id"] for n in shown(at)["nodes"]}
    assert space.load("fraud") == design


def test_delete_or_backspace_on_the_canvas_removes_the_selection(space):
    at = create_from_starter(app(), "fraud")
    delete = CanvasEvent("delete", node="BatchTransform")
    canvas_edit(at, selected="BatchTransform", events=[delete])
    assert "BatchTransform" not in space.load("fraud").node_names
    assert at.session_state["selected_node"] is None
    edge = "Packaging->Payload"
    canvas_edit(at, selected=edge, events=[CanvasEvent("delete", edge=edge)])
    assert ("Packaging", "Payload") not in space.load("fraud").edges
    assert edge not in {e["id"] for e in shown(at)["edges"]}


def test_a_click_on_the_empty_canvas_closes_the_panel(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="Payload")
    assert "Sample payloads" in texts(at)
    canvas_edit(at, events=[CanvasEvent("pane_click")])
    assert at.session_state["selected_node"] is None
    assert "Sample payloads" not in texts(at) and shown(at)["selected"] is None


def test_fill_a_form_and_see_validation_turn_green(space):
    at = create_from_starter(app(), "fraud")
    add_step(at, "Payload")
    assert "9 of 10 steps ready" in texts(at)
    assert "is required" in texts(at)
    assert panel(at)["node"] == "Payload-2"
    panel_field(at, "model_registration_objective").set_value("Fraud").run()
    node = design_of(at).node("Payload-2")
    assert node.values["model_registration_objective"] == "Fraud"
    canvas_edit(at, add_edges=[("Packaging", "Payload-2")])
    design = design_of(at)
    design = design.model_copy(
        update={
            "nodes": tuple(
                n.model_copy(update={"values": {**n.values, **_variables()}})
                if n.name == "Payload-2"
                else n
                for n in design.nodes
            )
        }
    )
    at.session_state["design"] = design  # the variable lists, as the key-value editor sets them
    at.run()
    assert "10 of 10 steps ready" in texts(at)


def _variables() -> dict:
    return {
        # The trained model's features, in its order (a cross-node check compares them).
        "source_model_inference_input_variable_list": {
            "account_age": "NUMERIC",
            "transaction_count": "NUMERIC",
            "amount": "NUMERIC",
        },
        "source_model_inference_output_variable_list": {"score": "NUMERIC"},
    }


def test_click_a_node_opens_its_form(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="Payload")
    assert at.session_state["selected_node"] == "Payload"
    assert "Sample payloads" in texts(at)
    assert any("0.0,0.0,0.0" in block["body"] for block in panel(at)["preview"]["blocks"])


def test_rename_a_node(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="Packaging")
    panel_edit(at, "rename", name="Pack")
    design = design_of(at)
    assert "Pack" in design.node_names and ("Pack", "Payload") in design.edges
    assert at.session_state["selected_node"] == "Pack"


def test_pipeline_settings_are_inherited_and_derived_values_live(space):
    at = create_from_starter(app(), "fraud")
    at.switch_page("pages/settings.py").run()
    at.text_input(key=f"settings:{at.session_state['design_epoch']}:author").input("alice").run()
    design = design_of(at)
    assert design.settings["author"] == "alice"
    assert "alice-fraud-xgboost-us-east-1" in json.dumps([t.value for t in at.text_input]) + texts(
        at
    )


def test_export_offers_pipeline_json_only_when_valid(space):
    at = create_from_starter(app(), "fraud")
    at.switch_page("pages/export.py").run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download config JSON", "Download DAG JSON", "Download pipeline JSON"]
    assert "The design is complete and valid" in texts(at)

    at.switch_page("pages/designer.py").run()
    add_step(at, "Payload")
    at.switch_page("pages/export.py").run()
    labels = [b.label for b in at.get("download_button")]
    assert "Download pipeline JSON" not in labels
    assert "offered once the design is valid" in texts(at)
    assert "3 problems to fix" in texts(at)  # counted in words, not "problem(s)"


def test_a_refresh_reopens_the_design(space):
    at = create_from_starter(app(), "fraud")
    add_step(at, "Payload")
    again = app()  # a new session: a browser refresh or a server restart
    assert design_of(again) == design_of(at)


def designs_page(at: AppTest) -> AppTest:
    return at.switch_page("pages/designs.py").run()


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return at.run()


def test_designs_page_creates_an_empty_design(space):
    at = designs_page(app())
    next(t for t in at.text_input if t.label == "Name").input("blank")
    button(at, "Create").click().run()
    assert design_of(at).name == "blank" and design_of(at).nodes == ()
    assert space.names() == ["blank"]


def test_designs_page_refuses_a_taken_name(space):
    space.create(new_design("taken"))
    at = designs_page(app())
    next(t for t in at.text_input if t.label == "Name").input("taken")
    button(at, "Create").click().run()
    assert "already a design named 'taken'" in texts(at)


def test_designs_page_rename_duplicate_delete(space):
    space.create(add_node(new_design("first"), "Payload"))
    at = designs_page(app())
    key = space.path("first").name
    at.text_input(key=f"copyname:{key}").input("second")
    click(at, f"copy:{key}")
    assert sorted(space.names()) == ["first", "second"]
    assert space.load("second").nodes == space.load("first").nodes

    at.text_input(key=f"newname:{key}").input("renamed")
    click(at, f"rename:{key}")
    assert sorted(space.names()) == ["renamed", "second"]
    assert design_of(at).name == "renamed"  # it was the open design

    click(at, f"delete:{space.path('second').name}")
    assert space.names() == ["renamed"]

    click(at, f"open:{space.path('renamed').name}")
    assert design_of(at).name == "renamed"


def test_node_names_are_data_not_markup(space):
    name = "<img src=x onerror=alert(1)>"
    design = add_node(new_design("xss"), "Payload", name=name)
    space.create(design)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["selected_node"] = name
    at.run()
    assert not at.exception
    assert all(not m.proto.allow_html for m in at.markdown)
    assert panel(at)["node"] == name  # the panel draws it as text (test_node_form_in_browser)
    (node,) = shown(at)["nodes"]
    assert node["title"] == name  # the canvas draws it as text (tests/browser: test_designer)


def test_the_sagemaker_sdk_is_imported_after_the_first_page_in_the_background(space):
    """No page run imports the SDK (these pages compile nothing): the app's own thread does,
    once, after the first page; Preview and Deploy then find it loaded."""
    script = (
        "import sys, threading\n"
        "importers = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sagemaker':\n"
        "            importers.append(threading.current_thread().name)\n"
        "sys.meta_path.insert(0, Spy())\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=60); at.run()\n"
        "at.switch_page('pages/export.py').run()\n"
        "assert not at.exception, at.exception\n"
        "for thread in threading.enumerate():\n"
        "    if thread.name == 'warm-sagemaker-sdk':\n"
        "        thread.join(120)\n"
        "print(importers, 'sagemaker' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=os.environ
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("['warm-sagemaker-sdk'] True")


# --- issue 8: every edit lands where the user meant it ------------------------------------


def saved_node(space, design: str, node: str) -> dict:
    return space.load(design).node(node).values


def test_a_typed_override_keeps_the_other_values_when_the_browser_re_creates_widgets(space):
    """The browser re-creates widgets whose state it dropped (a page switch, a run cut short
    by the next, as typing into a select box can cause) from what the server last sent: the
    node's other values and its overrides must not turn empty."""
    at = create_from_starter(app(), "pt", "pytorch_model_registration")
    canvas_edit(at, selected="PyTorchModel")
    panel_edit(at, "override", field="author", on=True)
    panel_field(at, "author").set_value("solo").run()
    panel_edit(at, "override", field="region", on=True)
    panel_field(at, "region").set_value("eu-west-1").run()
    before = saved_node(space, "pt", "PyTorchModel")
    assert before["region"] == "eu-west-1" and before["author"] == "solo"
    assert before["model_data"].startswith("s3://")
    as_recreated_by_the_browser(at).run()
    at.run()
    assert saved_node(space, "pt", "PyTorchModel") == before
    assert not at.exception


def test_a_clicked_connection_is_highlighted_and_removed_at_once(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="Packaging->XGBoostModel")
    assert at.session_state["selected_edge"] == ("Packaging", "XGBoostModel")
    assert shown(at)["selected"] == {"edge": "Packaging->XGBoostModel"}
    assert "Packaging → XGBoostModel" in texts(at)
    button(at, "Remove connection").click().run()
    assert ("Packaging", "XGBoostModel") not in space.load("fraud").edges
    summary = shown(at)["summary"]
    assert summary == "8 of 9 steps ready · 8 connections"  # XGBoostModel lost its model
    assert "Packaging->XGBoostModel" not in {e["id"] for e in shown(at)["edges"]}
    again = app()  # a reload keeps it removed
    assert ("Packaging", "XGBoostModel") not in design_of(again).edges


def test_of_two_connections_leaving_one_handle_the_clicked_one_is_removed(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="Packaging->Payload")  # Packaging's handle has three
    button(at, "Remove connection").click().run()
    edges = space.load("fraud").edges
    assert ("Packaging", "Payload") not in edges
    assert ("Packaging", "XGBoostModel") in edges and ("Packaging", "ModelRegistration") in edges


def test_a_new_design_holds_the_settings_its_forms_show(space):
    at = designs_page(app())
    next(t for t in at.text_input if t.label == "Name").input("blank")
    button(at, "Create").click().run()
    at.switch_page("pages/settings.py").run()
    region = next(s for s in at.selectbox if s.key.endswith(":region"))
    assert region.value == "us-east-1" and space.load("blank").settings["region"] == "us-east-1"


def test_a_shared_setting_typed_in_a_node_form_is_the_pipelines(space):
    design = add_node(add_node(new_design("shared"), "Payload"), "Packaging")
    at = open_on("pages/designer.py", design, space)
    canvas_edit(at, selected="Payload")
    author = panel_field(at, "author")
    assert author.options["shared"] and not author.options["overridden"]
    author.set_value("me").run()
    saved = space.load("shared")
    assert saved.settings["author"] == "me"
    assert "author" not in saved.node("Payload").values
    problems = {p.field for p in session_report(at).for_node("Packaging")}
    assert "author" not in problems  # the other node has it too


def session_report(at: AppTest):
    from builders.designs.design import validate_design

    return validate_design(design_of(at))


def test_an_out_of_range_number_is_kept_and_explained_under_its_field(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, selected="Payload")
    panel_field(at, "expected_tps").set_value(-2).run()
    assert saved_node(space, "fraud", "Payload")["expected_tps"] == -2
    assert "must be at least 1" in texts(at)
    (message,) = panel(at)["form"]["errors"]["expected_tps"]["__errors"]  # under its field
    assert "must be at least 1" in message
    assert panel_field(at, "expected_tps").value == -2  # shown as typed


def test_notices_are_not_repeated_on_the_next_page(space):
    at = create_from_starter(app(), "fraud")
    canvas_edit(at, add_edges=[("BatchTransform", "DataLoadingCalibration")])
    assert "would make a cycle" in texts(at)
    at.run()  # a rerun the user did not cause keeps it
    assert "would make a cycle" in texts(at)
    at.switch_page("pages/settings.py").run()
    assert "would make a cycle" not in texts(at)
    at.switch_page("pages/designer.py").run()
    assert "would make a cycle" not in texts(at)
