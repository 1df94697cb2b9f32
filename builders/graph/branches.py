"""A condition's branches: which nodes run only when it holds ("if"), or only when not.

The DAG stays `{"STEP": ["PARENT", ...]}`: a child of a condition is a node whose parents
include it, and the condition's branch field (a Condition's `if_steps`) names the children
on its "if" branch; the other children are on its "else" branch. Every node after a child is
on that child's branch too: SageMaker runs a branch's steps only through the branch, so such
a node is nested in the condition's IfSteps or ElseSteps, never a top-level step.

So SageMaker would refuse, or run on the wrong outcome, a design where a node is on both
branches, on two conditions' branches, or also follows a node that runs outside the branch
(neither on it nor before the condition). `branch_problems` names each such node.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from builders.errors import Problem
from builders.graph.dag import PipelineDAG


@dataclass(frozen=True)
class Branches:
    """The nodes of a condition's two branches, each in the DAG's order."""

    if_nodes: tuple[str, ...]
    else_nodes: tuple[str, ...]

    def of(self, node: str) -> str | None:
        """'if', 'else' or None: the branch `node` is on."""
        if node in self.if_nodes:
            return "if"
        return "else" if node in self.else_nodes else None


def conditions_of(configs: Mapping[str, Any], registry: Any = None) -> dict[str, list[str]]:
    """Condition node -> the children it names for its "if" branch, from the configs of the
    step types that have a branch field."""
    if registry is None:
        from builders.registry import REGISTRY as registry
    found = {}
    for node, config in configs.items():
        field = registry.for_config(config, node=node).branch_field
        if field:
            found[node] = list(getattr(config, field))
    return found


def branches_of(dag: PipelineDAG, condition: str, if_steps: Collection[str]) -> Branches:
    """The condition's branches: its children by `if_steps`, with all their descendants."""
    children = dag.children(condition)
    chosen = set(if_steps)
    if_nodes = _descendants(dag, [c for c in children if c in chosen])
    else_nodes = _descendants(dag, [c for c in children if c not in chosen])
    order = dag.topological_order()
    return Branches(
        tuple(n for n in order if n in if_nodes), tuple(n for n in order if n in else_nodes)
    )


def branch_problems(dag: PipelineDAG, conditions: Mapping[str, Collection[str]]) -> list[Problem]:
    """Every node whose branch SageMaker could not run as the design says, and every
    "if" step that is not a child of its condition."""
    problems = []
    owner: dict[str, str] = {}  # branch node -> its condition
    for condition, if_steps in conditions.items():
        problems += _not_children(dag, condition, if_steps)
        problems += _one_branch(dag, condition, if_steps)
        branches = branches_of(dag, condition, if_steps)
        before = _ancestors(dag, condition)
        for node in branches.if_nodes + branches.else_nodes:
            if node in owner and owner[node] != condition:
                problems.append(_two_conditions(node, owner[node], condition))
            owner[node] = condition
        for node in set(branches.if_nodes) & set(branches.else_nodes):
            problems.append(_both_branches(node, condition))
        for nodes in (branches.if_nodes, branches.else_nodes):
            problems += _outside_parents(dag, condition, nodes, before)
    return problems


def unconditional(
    dag: PipelineDAG, conditions: Mapping[str, Collection[str]], ending: Collection[str]
) -> list[Problem]:
    """A step that ends the run (Fail) on no condition's branch: every run would end there."""
    on_branches: set[str] = set()
    for condition, if_steps in conditions.items():
        branches = branches_of(dag, condition, if_steps)
        on_branches.update(branches.if_nodes, branches.else_nodes)
    return [
        Problem(
            "This step ends the run as failed, and no condition decides whether it runs: "
            "every run would end here. Connect it after a condition (on the branch that runs "
            "when the condition does not hold), or after a step on such a branch.",
            node=node,
        )
        for node in ending
        if node in dag and node not in on_branches
    ]


def _one_branch(dag: PipelineDAG, condition: str, if_steps: Collection[str]) -> list[Problem]:
    """A condition decides between two branches: it needs a step on each."""
    children = dag.children(condition)
    chosen = [c for c in children if c in set(if_steps)]
    others = [c for c in children if c not in set(if_steps)]
    if not children:
        message = (
            "Nothing follows this condition: connect the steps that run when it holds (its "
            "'if' branch) and those that run when it does not (its 'else' branch, such as a "
            "Fail step)."
        )
    elif not chosen:
        message = (
            f"No step is on the 'if' branch of this condition: {_names(others)} would run only "
            "when it does not hold. Choose in if_steps the steps that run when it holds."
        )
    elif not others:
        message = (
            f"Every step after this condition is on its 'if' branch ({_names(chosen)}): when "
            "it does not hold nothing would run, and the run would end as Succeeded. Connect "
            "a step for the 'else' branch (a Fail step says why the run stopped), or take one "
            "off if_steps."
        )
    else:
        return []
    return [Problem(message, node=condition, field="if_steps")]


def _not_children(dag: PipelineDAG, condition: str, if_steps: Collection[str]) -> list[Problem]:
    strangers = [name for name in if_steps if name not in dag.children(condition)]
    if not strangers:
        return []
    return [
        Problem(
            f"{_names(strangers)} {'is' if len(strangers) == 1 else 'are'} not connected after "
            "this condition: connect it after the condition or take it off the 'if' branch.",
            node=condition,
            field="if_steps",
        )
    ]


def _outside_parents(
    dag: PipelineDAG, condition: str, nodes: tuple[str, ...], before: set[str]
) -> list[Problem]:
    branch = set(nodes)
    problems = []
    for node in nodes:
        outside = [
            p for p in dag.parents(node) if p != condition and p not in branch and p not in before
        ]
        if outside:
            problems.append(
                Problem(
                    f"This step is on a branch of '{condition}' but also follows "
                    f"{_names(outside)}, which runs outside that branch. SageMaker runs a "
                    "branch's steps only through the branch: connect "
                    f"{_names(outside)} before '{condition}', or remove the connection.",
                    node=node,
                )
            )
    return problems


def _both_branches(node: str, condition: str) -> Problem:
    return Problem(
        f"This step follows both the 'if' and the 'else' branch of '{condition}', so it "
        "would never run: keep it on one branch, or put it before the condition.",
        node=node,
    )


def _two_conditions(node: str, first: str, second: str) -> Problem:
    return Problem(
        f"This step is on the branches of two conditions ('{first}' and '{second}'); a "
        "condition inside another condition's branch is not supported. Gate it with one "
        "condition.",
        node=node,
    )


def _descendants(dag: PipelineDAG, start: list[str]) -> set[str]:
    """`start` and every node after it."""
    return _reach(start, dag.children)


def _ancestors(dag: PipelineDAG, node: str) -> set[str]:
    """Every node before `node`."""
    return _reach(dag.parents(node), dag.parents)


def _reach(start: list[str], step) -> set[str]:
    found, stack = set(), list(start)
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(step(node))
    return found


def _names(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
