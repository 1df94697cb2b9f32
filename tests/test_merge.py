"""Three-way merge of two edits of one design: what each side changed is kept; where both
changed one thing differently, a conflict names both values and the preferred side wins."""

from __future__ import annotations

import pytest

from builders.designs.design import (
    add_node,
    connect,
    disconnect,
    move_nodes,
    new_design,
    remove_nodes,
    rename_node,
    set_node_values,
    set_settings,
)
from builders.designs.merge import merge_designs, renames
from builders.starters import design_from_starter


@pytest.fixture(scope="module")
def base():
    return design_from_starter("xgboost_end_to_end", "fraud")


def with_value(design, node, field, value):
    return set_node_values(design, node, {**design.node(node).values, field: value})


def with_setting(design, key, value):
    return set_settings(design, {**design.settings, key: value})


def test_one_side_unchanged_gives_the_other_side(base):
    edited = with_value(add_node(base, "Payload"), "Payload", "expected_tps", 7)
    assert merge_designs(base, base, edited).design == edited
    assert merge_designs(base, edited, base).design == edited


def test_the_same_value_set_on_both_sides_is_no_conflict(base):
    edited = with_setting(with_value(base, "Payload", "expected_tps", 7), "author", "alice")
    merged = merge_designs(base, edited, edited)
    assert merged.design == edited and not merged.conflicts


def test_settings_merge_by_key(base):
    mine = with_setting(base, "author", "alice")
    theirs = with_setting(base, "bucket", "other-bucket")
    merged = merge_designs(base, mine, theirs)
    assert not merged.conflicts
    assert merged.design.settings == {**base.settings, "author": "alice", "bucket": "other-bucket"}


def test_one_setting_changed_differently_is_a_conflict_naming_both_values(base):
    mine, theirs = with_setting(base, "author", "alice"), with_setting(base, "author", "bob")
    merged = merge_designs(base, mine, theirs)
    (conflict,) = merged.conflicts
    assert "'alice' here" in conflict.message and "'bob' in the other tab" in conflict.message
    assert merged.design.settings["author"] == "bob"
    assert merge_designs(base, mine, theirs, prefer="mine").design.settings["author"] == "alice"


def test_the_same_step_added_on_both_sides_is_two_steps_not_on_top_of_each_other(base):
    added = add_node(base, "Payload")  # two tabs, one click each: identical additions
    merged = merge_designs(base, added, added).design
    assert merged.node_names == [*base.node_names, "Payload-2", "Payload-3"]
    assert merged.node("Payload-3").ui != merged.node("Payload-2").ui


def test_nodes_added_on_both_sides_are_both_kept(base):
    mine = add_node(base, "Payload", position=(0, 900))  # both name it Payload-2
    theirs = add_node(base, "Payload", position=(300, 900))
    merged = merge_designs(base, mine, theirs)
    assert not merged.conflicts
    assert merged.design.node_names == [*base.node_names, "Payload-2", "Payload-3"]
    assert merged.design.node("Payload-2") == theirs.node("Payload-2")
    assert merged.design.node("Payload-3").ui.x == 0


def test_a_node_added_here_keeps_its_connections(base):
    mine = connect(add_node(base, "BatchTransform"), "XGBoostModel", "BatchTransform-2")
    theirs = add_node(base, "Payload")
    merged = merge_designs(base, mine, theirs).design
    assert ("XGBoostModel", "BatchTransform-2") in merged.edges
    assert {"BatchTransform-2", "Payload-2"} <= set(merged.node_names)


def test_fields_of_one_node_merge_field_by_field(base):
    mine = with_value(base, "Payload", "expected_tps", 5)
    theirs = with_value(base, "Payload", "max_latency_in_millisecond", 900)
    merged = merge_designs(base, mine, theirs)
    assert not merged.conflicts
    values = merged.design.node("Payload").values
    assert (values["expected_tps"], values["max_latency_in_millisecond"]) == (5, 900)

    clash = merge_designs(base, mine, with_value(base, "Payload", "expected_tps", 9))
    (conflict,) = clash.conflicts
    assert (conflict.node, conflict.field) == ("Payload", "expected_tps")
    assert clash.design.node("Payload").values["expected_tps"] == 9


def test_one_and_one_point_zero_are_different_values(base):
    mine = with_value(base, "Payload", "expected_tps", 1)
    theirs = with_value(base, "Payload", "expected_tps", 1.0)
    assert merge_designs(base, mine, theirs).conflicts


def test_connections_merge_one_by_one(base):
    mine = disconnect(base, "Packaging", "XGBoostModel")
    theirs = connect(add_node(base, "BatchTransform"), "XGBoostModel", "BatchTransform-2")
    merged = merge_designs(base, mine, theirs).design
    assert ("Packaging", "XGBoostModel") not in merged.edges
    assert ("XGBoostModel", "BatchTransform-2") in merged.edges


def test_a_connection_that_closes_a_cycle_with_theirs_is_left_out_and_reported(base):
    both = add_node(add_node(base, "XGBoostModel", "A"), "XGBoostModel", "B")
    mine, theirs = connect(both, "A", "B"), connect(both, "B", "A")
    merged = merge_designs(both, mine, theirs)
    assert merged.design.edges == theirs.edges
    (conflict,) = merged.conflicts
    assert "A → B" in conflict.message and "cycle" in conflict.message


def test_deleted_here_changed_there_is_a_conflict(base):
    mine = remove_nodes(base, ["Payload"])
    theirs = with_value(base, "Payload", "expected_tps", 5)
    merged = merge_designs(base, mine, theirs)
    (conflict,) = merged.conflicts
    assert "'Payload' was deleted here and changed in the other tab" in conflict.message
    assert merged.design.node("Payload").values["expected_tps"] == 5
    assert "Payload" not in merge_designs(base, mine, theirs, prefer="mine").design.node_names


def test_deleted_there_unchanged_here_is_deleted(base):
    theirs = remove_nodes(base, ["Payload"])
    merged = merge_designs(base, move_nodes(base, {"Packaging": (5.0, 5.0)}), theirs)
    assert not merged.conflicts and "Payload" not in merged.design.node_names
    assert all("Payload" not in edge for edge in merged.design.edges)


def test_a_rename_keeps_the_other_sides_edits_and_connections(base):
    mine = rename_node(base, "Payload", "Samples")
    assert renames(base, mine) == {"Payload": "Samples"}
    theirs = with_value(base, "Payload", "expected_tps", 5)
    merged = merge_designs(base, mine, theirs)
    assert not merged.conflicts
    assert "Payload" not in merged.design.node_names
    assert merged.design.node("Samples").values["expected_tps"] == 5
    assert ("Samples", "ModelRegistration") in merged.design.edges
    assert merge_designs(base, theirs, mine).design == merged.design


def test_one_node_renamed_differently_on_both_sides_is_a_conflict(base):
    mine, theirs = rename_node(base, "Payload", "A"), rename_node(base, "Payload", "B")
    merged = merge_designs(base, mine, theirs)
    assert len(merged.conflicts) == 1
    assert "B" in merged.design.node_names and "A" not in merged.design.node_names
    preferred = merge_designs(base, mine, theirs, prefer="mine").design
    assert "A" in preferred.node_names and "B" not in preferred.node_names


def test_positions_merge_by_node(base):
    mine = move_nodes(base, {"Payload": (1.0, 2.0)})
    theirs = move_nodes(base, {"Packaging": (3.0, 4.0)})
    merged = merge_designs(base, mine, theirs)
    assert not merged.conflicts
    assert merged.design.node("Payload").ui.x == 1.0 and merged.design.node("Packaging").ui.x == 3.0
    clash = merge_designs(base, mine, move_nodes(base, {"Payload": (9.0, 9.0)}))
    assert len(clash.conflicts) == 1 and clash.design.node("Payload").ui.x == 9.0


def test_empty_designs_merge(base):
    empty = new_design("d")
    assert merge_designs(empty, add_node(empty, "Payload"), empty).design.node_names == ["Payload"]


@pytest.mark.parametrize("change", ["added", "removed"])
def test_a_connection_changed_there_counts_as_a_change_of_its_nodes(base, change):
    """Deleting a node here while the other tab added or removed one of its connections is
    a conflict: that change would otherwise vanish unsaid."""
    with_node = add_node(base, "BatchTransform")
    if change == "added":
        start, theirs = with_node, connect(with_node, "XGBoostModel", "BatchTransform-2")
    else:
        start = connect(with_node, "XGBoostModel", "BatchTransform-2")
        theirs = disconnect(start, "XGBoostModel", "BatchTransform-2")
    mine = remove_nodes(start, ["BatchTransform-2"])
    merged = merge_designs(start, mine, theirs)
    (conflict,) = merged.conflicts
    assert "'BatchTransform-2' was deleted here and changed in the other tab" in conflict.message
    assert "BatchTransform-2" in merged.design.node_names  # theirs preferred: kept
