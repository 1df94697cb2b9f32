"""Problems carry a machine-readable code; the canvas badge is decided from codes."""

from __future__ import annotations

from builders.designs.design import (
    DesignReport,
    add_node,
    new_design,
    set_node_values,
    validate_design,
)
from builders.errors import CycleError, Problem
from components.canvas import node_status


def _design(base):
    design = add_node(new_design("codes", dict(base)), "TabularPreprocessing", name="Prep")
    return add_node(design, "XGBoostTraining", name="Train")


def test_each_kind_of_problem_has_its_code(base):
    design = _design(base)
    codes = {(p.node, p.field): p.code for p in validate_design(design).problems}
    assert codes[("Prep", "label_name")] == "missing"
    assert codes[("Prep", "data")] == "unconnected"  # a required input nothing feeds
    design = set_node_values(design, "Prep", {"label_name": "y", "train_ratio": 7})
    codes = {(p.node, p.field): p.code for p in validate_design(design).problems}
    assert codes[("Prep", "train_ratio")] == "invalid"
    assert CycleError(["A", "B", "A"]).problems[0].code == "cycle"


def test_the_badge_reads_codes_not_messages():
    def status(*problems):
        return node_status(DesignReport(problems=problems, wires=()), "N")[0]

    assert status() == "ready"
    assert status(Problem("anything at all", "N", "f", code="missing")) == "incomplete"
    # A message that reads like a missing value does not make the node incomplete.
    assert status(Problem("is required", "N", "f", code="invalid")) == "invalid"
    mixed = (Problem("x", "N", "a", code="missing"), Problem("y", "N", "b", code="unconnected"))
    assert status(*mixed) == "invalid"
