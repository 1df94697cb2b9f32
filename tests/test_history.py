"""Undo and redo: unit tests, and a model-based test against a plain list-and-cursor model."""

from __future__ import annotations

import itertools
import random

from builders.designs.design import add_node, connect, new_design, rename_node, set_node_values
from builders.designs.history import History


def edits():
    """A few designs, each one edit from the one before."""
    first = new_design("d")
    second = add_node(first, "DataLoading")
    third = add_node(second, "TabularPreprocessing")
    fourth = connect(third, "DataLoading", "TabularPreprocessing")
    return [first, second, third, fourth]


def recorded(designs, history=None):
    history = history or History()
    for before, after in itertools.pairwise(designs):
        history = history.record(before, after)
    return history


def test_undo_and_redo_walk_back_and_forth():
    designs = edits()
    history, current = recorded(designs), designs[-1]
    for expected in reversed(designs[:-1]):
        history, current = history.undo(current)
        assert current == expected
    assert not history.can_undo and history.can_redo
    for expected in designs[1:]:
        history, current = history.redo(current)
        assert current == expected
    assert history.can_undo and not history.can_redo


def test_a_new_edit_after_undo_drops_the_redo():
    designs = edits()
    history, current = recorded(designs).undo(designs[-1])
    renamed = rename_node(current, "DataLoading", "Load")
    history = history.record(current, renamed)
    assert not history.can_redo
    assert history.undo(renamed)[1] == current
    assert history.redo(renamed) == (history, renamed)  # nothing to redo: unchanged


def test_nothing_to_undo_leaves_the_design():
    design = new_design("d")
    assert History().undo(design) == (History(), design)
    assert History().record(design, design) == History()  # a no-op edit is not recorded


def test_the_history_is_bounded():
    design, history = new_design("d"), History(limit=3)
    for step in range(10):
        after = set_node_values(add_node(design, "Payload", f"p{step}"), f"p{step}", {})
        history, design = history.record(design, after), after
    assert len(history.past) == 3
    assert [n.name for n in history.past[0].nodes] == ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]
    assert History(limit=0).record(new_design("a"), new_design("b")).past == ()


def test_random_edits_undos_and_redos_match_a_list_with_a_cursor():
    """Model: every design the user saw, in a list, and the index of the current one; an
    edit truncates after the cursor. Bounded: only the last `limit` steps back are kept."""
    rng = random.Random(11)
    limit = 5
    history, current = History(limit=limit), new_design("d")
    timeline, cursor, floor = [current], 0, 0  # floor: the oldest index still undoable
    for step in range(400):
        action = rng.choice(["edit", "edit", "undo", "redo"])
        if action == "edit":
            edited = add_node(current, rng.choice(["Payload", "DataLoading"]), f"n{step}")
            history, current = history.record(current, edited), edited
            timeline, cursor = [*timeline[: cursor + 1], edited], cursor + 1
            floor = max(floor, cursor - limit)
        elif action == "undo":
            history, current = history.undo(current)
            cursor = max(floor, cursor - 1)
        else:
            history, current = history.redo(current)
            cursor = min(len(timeline) - 1, cursor + 1)
        assert current == timeline[cursor]
        assert history.can_undo == (cursor > floor)
        assert history.can_redo == (cursor < len(timeline) - 1)
