"""Condition steps hold the steps of their branches (IfSteps, ElseSteps).

SageMaker refuses a definition that lists a branch's step both in a condition and among the
pipeline's steps, so the template builds every node's step, then moves the steps of each
condition's branches (`builders/graph/branches.py`) into its ConditionStep.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from builders.graph.branches import branches_of
from builders.graph.dag import PipelineDAG


def nest_branches(
    dag: PipelineDAG, conditions: Mapping[str, Collection[str]], steps: Mapping[str, Any]
) -> list[Any]:
    """Fill each condition's branches; return the top-level steps, in the DAG's order."""
    nested: set[str] = set()
    for condition, if_steps in conditions.items():
        branches = branches_of(dag, condition, if_steps)
        steps[condition].if_steps = [steps[node] for node in branches.if_nodes]
        steps[condition].else_steps = [steps[node] for node in branches.else_nodes]
        nested.update(branches.if_nodes, branches.else_nodes)
    return [steps[node] for node in dag.topological_order() if node not in nested]
