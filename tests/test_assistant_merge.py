"""Merging an assistant's proposal into the open design: existing steps that already produce
what the proposal needs are reused, the rest is added where no node covers another."""

from __future__ import annotations

import pytest
from layout_support import overlapping_nodes

from builders.assistant.planner import plan
from builders.assistant.topology import Proposal, merge_proposal
from builders.designs.design import Design, validate_design
from builders.starters import design_from_starter, starter_names


def scoring(design: Design) -> Proposal:
    """A proposal to score data with the design's model: the batch transform step with every
    step before it, as the design has them (what a planner proposes for that goal)."""
    dag = design.dag()
    keep, todo = {"BatchTransform"}, ["BatchTransform"]
    while todo:
        for parent in dag.parents(todo.pop()):
            if parent not in keep:
                keep.add(parent)
                todo.append(parent)
    return Proposal(
        {n: [p for p in dag.parents(n) if p in keep] for n in dag.nodes if n in keep},
        {n: design.node(n).step_type for n in keep},
    )


def positions(design: Design):
    return {n.name: (n.ui.x, n.ui.y) for n in design.nodes}


def count(design: Design, step_type: str) -> int:
    return sum(n.step_type == step_type for n in design.nodes)


def test_the_training_chain_of_the_design_is_reused():
    design = design_from_starter("xgboost_end_to_end", "fraud")
    merged, added = merge_proposal(design, scoring(design))
    assert added == {"BatchTransform": "BatchTransform-2"}  # only what the goal asked for
    assert count(merged, "XGBoostTraining") == 1 and count(merged, "DataLoading") == 2
    parents = {source for source, target in merged.edges if target == "BatchTransform"}
    assert {s for s, t in merged.edges if t == "BatchTransform-2"} == parents
    assert merged.nodes[: len(design.nodes)] == design.nodes  # nothing existing moved
    assert overlapping_nodes(positions(merged)) == []


def test_a_step_fed_differently_is_not_reused():
    """The pytorch registration chain starts from a PyTorch model: nothing in an xgboost
    design stands for it, so the whole chain is added under free names."""
    design = design_from_starter("xgboost_end_to_end", "fraud")
    proposal = plan("Package my existing PyTorch model and register it").proposal
    merged, added = merge_proposal(design, proposal)
    assert set(added.values()) == {
        "PyTorchModel",
        "Packaging-2",
        "Payload-2",
        "ModelRegistration-2",
    }
    assert ("Packaging-2", "ModelRegistration-2") in merged.edges
    assert ("Packaging", "ModelRegistration-2") not in merged.edges
    assert overlapping_nodes(positions(merged)) == []


def test_merging_a_design_into_itself_adds_only_the_final_steps():
    design = design_from_starter("xgboost_end_to_end", "fraud")
    proposal = plan("Train an XGBoost model on my S3 data and register it with sample payloads")
    merged, added = merge_proposal(design, proposal.proposal)
    assert list(added) == ["ModelRegistration"]  # the one step nothing follows
    assert {e for e in merged.edges if e[1] == added["ModelRegistration"]} == {
        ("Packaging", "ModelRegistration-2"),
        ("Payload", "ModelRegistration-2"),
    }
    assert validate_design(merged).for_node("Payload") == []


@pytest.mark.parametrize("starter", starter_names())
@pytest.mark.parametrize(
    "goal",
    [
        "Load my data, train a PyTorch model and run a batch transform on it",
        "Train an XGBoost model and register it with sample payloads",
        "Score new data with a batch transform of my XGBoost model",
        "Load CSV data from S3 and preprocess it",
    ],
)
def test_merged_steps_never_cover_another(starter, goal):
    design = design_from_starter(starter, "mine")
    merged, added = merge_proposal(design, plan(goal).proposal)
    assert overlapping_nodes(positions(merged)) == []
    assert set(added.values()) == set(merged.node_names) - set(design.node_names)
    proposal = plan(goal).proposal
    sinks = {n for n in proposal.dag if not any(n in ps for ps in proposal.dag.values())}
    assert sinks <= set(added)
