"""Steps land where the user looks (builders/designs/placing.py): a new step beside the step
it follows and connected from it when the choice is plain; copies with their values; a
condition's branch chosen by the handle a connection leaves from."""

from __future__ import annotations

from layout_support import overlapping_nodes

from builders.designs.design import add_node, connect, move_nodes, new_design, validate_design
from builders.designs.placing import add_step, clip, feeder, paste
from builders.starters import design_from_starter


def positions(design) -> dict:
    return {n.name: (n.ui.x, n.ui.y) for n in design.nodes}


def test_a_step_after_the_selected_one_is_beside_it_and_connected():
    design = design_from_starter("xgboost_end_to_end", "x")
    added, name = add_step(design, "Payload", selected="XGBoostModel")
    assert ("XGBoostModel", name) not in added.edges  # a model makes no packaged model
    added, name = add_step(design, "Payload", selected="Packaging")
    assert name == "Payload-2" and ("Packaging", name) in added.edges
    packaging = added.node("Packaging").ui
    assert added.node(name).ui.x > packaging.x  # the next layer, to its right
    assert overlapping_nodes(positions(added)) == []


def test_without_a_selection_it_follows_the_last_step_making_what_it_takes():
    design = new_design("x")
    design, first = add_step(design, "ScriptProcessing")
    design, second = add_step(design, "XGBoostTraining")
    assert (first, second) in design.edges
    assert design.node(second).ui.x > design.node(first).ui.x  # beside, not below
    design, third = add_step(design, "Packaging")
    assert (second, third) in design.edges
    unconnected = {p.node for p in validate_design(design).problems if p.code == "unconnected"}
    assert unconnected == {first}  # only the first step lacks what it reads


def test_two_steps_equally_last_leave_the_choice_to_the_user():
    design = add_node(new_design("x"), "DataLoading", position=(0.0, 0.0))
    design = add_node(design, "DataLoading", position=(0.0, 300.0))
    assert feeder(design, "TabularPreprocessing", None) is None
    added, name = add_step(design, "TabularPreprocessing")
    assert not [edge for edge in added.edges if name in edge]
    design = move_nodes(design, {"DataLoading-2": (10.0, 300.0)})
    assert feeder(design, "TabularPreprocessing", None) == "DataLoading-2"


def test_a_fail_step_follows_a_selected_condition_on_its_else_branch():
    design = design_from_starter("xgboost_quality_gate", "g")
    added, name = add_step(design, "Fail", selected="QualityGate")
    assert ("QualityGate", name) in added.edges
    assert name not in added.node("QualityGate").values["if_steps"]
    assert feeder(design, "Packaging", "QualityGate") is None  # it makes nothing to package


def test_a_dropped_step_goes_where_it_was_dropped():
    design = design_from_starter("xgboost_end_to_end", "x")
    added, name = add_step(design, "Payload", position=(-500.0, 900.0))
    assert (added.node(name).ui.x, added.node(name).ui.y) == (-500.0, 900.0)


def test_copies_keep_values_connections_among_them_and_free_names():
    design = design_from_starter("xgboost_end_to_end", "x")
    copied = clip(design, ["Packaging", "Payload", "ModelRegistration"])
    pasted, names = paste(design, copied, position=(1000.0, 800.0))
    assert names == ["Packaging-2", "Payload-2", "ModelRegistration-2"]
    for original, copy in zip(copied.node_names, names, strict=True):
        assert pasted.node(copy).values == design.node(original).values
        assert pasted.node(copy).step_type == design.node(original).step_type
    assert ("Packaging-2", "Payload-2") in pasted.edges
    assert ("Packaging-2", "ModelRegistration-2") in pasted.edges
    assert ("XGBoostTraining", "Packaging-2") not in pasted.edges  # only the copied ones
    assert (pasted.node("Packaging-2").ui.x, pasted.node("Packaging-2").ui.y) == (1000.0, 800.0)
    dx = pasted.node("Payload-2").ui.x - pasted.node("Packaging-2").ui.x
    assert dx == design.node("Payload").ui.x - design.node("Packaging").ui.x  # arrangement kept
    assert pasted.node_names[: len(design.nodes)] == design.node_names  # originals untouched
    again, names = paste(pasted, copied)  # no place given: below, on no other step
    assert names == ["Packaging-3", "Payload-3", "ModelRegistration-3"]
    assert overlapping_nodes(positions(again)) == []
    packaging, moved = design.node("Packaging").ui, again.node("Packaging-3").ui
    assert moved.x == packaging.x and moved.y > packaging.y


def test_a_copy_has_its_own_values():
    design = design_from_starter("xgboost_end_to_end", "x")
    pasted, [name] = paste(design, clip(design, ["XGBoostTraining"]))
    pasted.node(name).values["hyperparameters"]["num_round"] = 1  # a nested value
    assert design.node("XGBoostTraining").values != pasted.node(name).values


def test_a_copied_condition_branches_to_the_copies_of_its_children():
    design = design_from_starter("xgboost_quality_gate", "g")
    names = ["QualityGate", "Packaging", "FailBelowThreshold"]
    pasted, copies = paste(design, clip(design, names))
    gate = pasted.node(copies[0])
    assert gate.values["if_steps"] == [copies[1]]
    alone, [gate_copy] = paste(design, clip(design, ["QualityGate"]))
    assert alone.node(gate_copy).values["if_steps"] == []  # its children were not copied


def test_connecting_from_a_branch_handle_puts_the_child_on_that_branch():
    design = design_from_starter("xgboost_quality_gate", "g")
    assert design.node("QualityGate").values["if_steps"] == ["Packaging"]
    moved = connect(design, "QualityGate", "Packaging", branch="else")  # the edge exists
    assert moved.node("QualityGate").values["if_steps"] == []
    assert moved.edges.count(("QualityGate", "Packaging")) == 1
    back = connect(moved, "QualityGate", "Packaging", branch="if")
    assert back.node("QualityGate").values["if_steps"] == ["Packaging"]
    design, name = add_step(design, "Fail", position=(0.0, 900.0))
    on_if = connect(design, "QualityGate", name, branch="if")
    assert on_if.node("QualityGate").values["if_steps"] == ["Packaging", name]
    assert connect(on_if, "QualityGate", name, branch="if") == on_if  # nothing new
    plain = connect(design, "QualityGate", name)  # no handle named: the field decides
    assert plain.node("QualityGate").values == design.node("QualityGate").values
