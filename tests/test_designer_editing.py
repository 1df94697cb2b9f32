"""The designer's editing from the canvas (AppTest, the canvas's events simulated): a step
added from the palette is selected, beside and connected to the step it follows, and one
undo takes both back; several steps deleted or copied together; a condition's branch
chosen by the handle a connection leaves from."""

from __future__ import annotations

from app_support import (
    add_step,
    canvas_edit,
    create_from_starter,
    design_of,
    panel_field,
    shown,
    texts,
)
from app_support import app as new_app

from components import session
from components.flow_canvas import CanvasEvent


def test_a_step_from_the_palette_follows_the_selection_and_one_undo_takes_it_back(space):
    at = create_from_starter(new_app(), "fraud")
    before = design_of(at)
    canvas_edit(at, selected="Packaging")
    add_step(at, "Payload")
    design = design_of(at)
    assert ("Packaging", "Payload-2") in design.edges
    assert at.session_state["selected_node"] == "Payload-2"  # its panel is open
    assert shown(at)["selected"] == {"node": "Payload-2"}
    assert "Payload-2" in texts(at)
    at.button(key="undo").click().run()
    assert design_of(at) == before  # the step and its connection, together


def test_a_dropped_step_lands_where_it_was_dropped(space):
    at = create_from_starter(new_app(), "fraud")
    add_step(at, "Payload", position=(40.0, 900.0))
    node = design_of(at).node("Payload-2")
    assert (node.ui.x, node.ui.y) == (40.0, 900.0)


def test_several_steps_are_selected_and_deleted_together(space):
    at = create_from_starter(new_app(), "fraud")
    before = design_of(at)
    canvas_edit(at, events=[CanvasEvent("select", nodes=("Payload", "ModelRegistration"))])
    assert shown(at)["selected"] == {"nodes": ["Payload", "ModelRegistration"]}
    assert "2 steps selected" in texts(at)
    canvas_edit(at, events=[CanvasEvent("delete", nodes=("Payload", "ModelRegistration"))])
    assert {"Payload", "ModelRegistration"}.isdisjoint(design_of(at).node_names)
    assert space.load("fraud") == design_of(at)
    at.button(key="undo").click().run()
    assert design_of(at) == before


def test_several_steps_are_moved_in_one_step_of_undo(space):
    at = create_from_starter(new_app(), "fraud")
    before = design_of(at)
    moves = {"Payload": (10.0, 20.0), "ModelRegistration": (30.0, 40.0)}
    canvas_edit(at, moves=moves)
    assert design_of(at).node("Payload").ui.x == 10.0
    at.button(key="undo").click().run()
    assert design_of(at) == before


def test_copy_and_paste_and_duplicate(space):
    at = create_from_starter(new_app(), "fraud")
    values = design_of(at).node("XGBoostTraining").values
    canvas_edit(at, events=[CanvasEvent("copy", nodes=("XGBoostTraining", "Packaging"))])
    canvas_edit(at, events=[CanvasEvent("paste", position=(500.0, 700.0))])
    design = design_of(at)
    assert design.node("XGBoostTraining-2").values == values
    assert ("XGBoostTraining-2", "Packaging-2") in design.edges
    assert (design.node("XGBoostTraining-2").ui.x, design.node("XGBoostTraining-2").ui.y) == (
        500.0,
        700.0,
    )
    assert shown(at)["selected"] == {"nodes": ["XGBoostTraining-2", "Packaging-2"]}
    canvas_edit(at, events=[CanvasEvent("duplicate", nodes=("Payload",))])
    assert "Payload-2" in design_of(at).node_names
    assert at.session_state["selected_node"] == "Payload-2"
    at.button(key="duplicate").click().run()  # the panel's button
    assert "Payload-3" in design_of(at).node_names


def test_a_connection_from_a_branch_handle_sets_the_branch(space):
    at = create_from_starter(new_app(), "gate", starter="xgboost_quality_gate")
    edge = next(e for e in shown(at)["edges"] if e["id"] == "QualityGate->Packaging")
    assert (edge["source_handle"], edge["label"]) == ("if", "if")
    gate = next(n for n in shown(at)["nodes"] if n["id"] == "QualityGate")
    assert gate["branches"] == ["if", "else"]
    connect = CanvasEvent("connect", source="QualityGate", target="Packaging", source_handle="else")
    canvas_edit(at, events=[connect])
    assert design_of(at).node("QualityGate").values["if_steps"] == []
    edge = next(e for e in shown(at)["edges"] if e["id"] == "QualityGate->Packaging")
    assert edge["source_handle"] == "else"
    at.button(key="undo").click().run()
    assert design_of(at).node("QualityGate").values["if_steps"] == ["Packaging"]


def test_the_run_that_takes_a_panel_edit_validates_only_the_edited_design(space):
    """The panel keeps its fields in the order of the problems before the edit: that
    report is the one the last run made, not made again (at 200 steps each costs ~7 ms)."""
    at = create_from_starter(new_app(), "fraud")
    canvas_edit(at, selected="Payload")
    before = design_of(at)
    made = {entry[1]: entry[2] for entry in at.session_state[session._REPORT]}
    panel_field(at, "model_registration_objective").set_value("Fraud").run()
    kept = {entry[1]: entry[2] for entry in at.session_state[session._REPORT]}
    assert design_of(at).node("Payload").values["model_registration_objective"] == "Fraud"
    assert kept[before.revision] is made[before.revision]
    assert design_of(at).revision in kept
