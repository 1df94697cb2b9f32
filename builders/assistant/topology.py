"""A proposed pipeline topology: its check, and the design it becomes.

A proposal is the adjacency list `{"NODE": ["PARENT", ...]}` plus each node's step type. A node
named after a step type (`Payload`, `DataLoadingCalibration`, `<type>-2`) needs no
explicit type: the longest registered type name it starts with is its type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from builders.designs.design import (
    Design,
    add_node,
    move_nodes,
    new_design,
    placed,
    set_node_values,
    unique_name,
)
from builders.errors import CycleError, PipelineDesignError, Problem
from builders.graph.checks import node_name_errors
from builders.graph.dag import PipelineDAG
from builders.graph.layout import new_node_position, tidy_positions
from builders.graph.wiring import resolve_wiring
from builders.registry import REGISTRY, StepRegistry


@dataclass(frozen=True)
class Proposal:
    """A topology: parents per node and each node's step type."""

    dag: dict[str, list[str]]
    step_types: dict[str, str]
    starter: str | None = None  # the starter design it follows, whose values come with it
    reason: str = ""  # why the planner chose these steps
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # node -> what the goal says

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(parent, node) for node, parents in self.dag.items() for parent in parents]


def parse_proposal(data: Any, registry: StepRegistry = REGISTRY) -> Proposal:
    """A Proposal from JSON-like data: `{"dag": {...}, "steps": {...}}` or the bare adjacency
    list; a shape that is neither raises PipelineDesignError saying what was expected."""
    if isinstance(data, Mapping) and isinstance(data.get("dag"), Mapping):
        adjacency, declared = data["dag"], data.get("steps") or {}
    else:
        adjacency, declared = data, {}
    if not isinstance(adjacency, Mapping) or not all(
        isinstance(parents, list) and all(isinstance(p, str) for p in parents)
        for parents in adjacency.values()
    ):
        raise PipelineDesignError(
            'Expected the adjacency list {"NODE": ["PARENT", ...]} (optionally as "dag", with '
            '"steps": {"NODE": "StepType"}), with a list of parent names per node.'
        )
    if not isinstance(declared, Mapping):
        raise PipelineDesignError('"steps" must map each node to its step type.')
    dag = {str(node): list(parents) for node, parents in adjacency.items()}
    types = {node: str(declared.get(node) or type_from_name(node, registry) or "") for node in dag}
    return Proposal(dag, types)


def type_from_name(node: str, registry: StepRegistry = REGISTRY) -> str | None:
    """The longest registered step type name `node` starts with."""
    matches = [name for name in registry.names() if node.startswith(name)]
    return max(matches, key=len) if matches else None


def check_proposal(proposal: Proposal, registry: StepRegistry = REGISTRY) -> list[Problem]:
    """Every reason the proposal cannot become a pipeline: unknown step types, unknown
    parents, a cycle, a required input without a producer, a meaningless connection."""
    if not proposal.dag:
        return [Problem("The proposal has no steps.")]
    problems = [p for error in node_name_errors(list(proposal.dag)) for p in error.problems]
    known = {n: t for n, t in proposal.step_types.items() if t in registry}
    for node in proposal.dag:
        if node not in known:
            problems.append(
                Problem(
                    f"Unknown step type '{proposal.step_types.get(node) or node}'. Use one of: "
                    f"{', '.join(registry.names())}.",
                    node,
                )
            )
    for node, parent in ((n, p) for n, ps in proposal.dag.items() for p in ps):
        if parent not in proposal.dag:
            problems.append(Problem(f"Parent '{parent}' is not a node of the proposal.", node))
    if problems:
        return problems
    dag = PipelineDAG(list(proposal.dag), proposal.edges)
    cycle = dag.find_cycle()
    if cycle:
        return CycleError(cycle).problems
    values = _starter_values(proposal)  # a node's declared ports come with its values
    step_types = {node: registry.get(t).bound(values.get(node, {})) for node, t in known.items()}
    # A port a config field can feed is filled later, in the node's form: not a problem here.
    _, errors = resolve_wiring(dag, step_types, lambda node, name: True, registry)
    return [p for error in errors for p in error.problems]


def _starter_values(proposal: Proposal) -> dict[str, dict[str, Any]]:
    """The values of the starter's nodes a proposal follows (they come with it)."""
    if not proposal.starter:
        return {}
    from builders.starters import design_from_starter

    design = design_from_starter(proposal.starter, proposal.starter)
    return {node.name: node.values for node in design.nodes if node.name in proposal.dag}


def proposal_design(proposal: Proposal, name: str, registry: StepRegistry = REGISTRY) -> Design:
    """A new design of the proposal, laid out left to right; a starter's values come along."""
    design = new_design(name)
    if proposal.starter:
        from builders.starters import design_from_starter

        base = design_from_starter(proposal.starter, name)
        design = base.model_copy(
            update={
                "nodes": tuple(n for n in base.nodes if n.name in proposal.dag),
                "edges": tuple(e for e in base.edges if e in set(proposal.edges)),
            }
        )
    design = _add(design, proposal, [n for n in proposal.dag if n not in design.node_names])
    for node, values in proposal.values.items():
        if node in design.node_names:
            design = set_node_values(design, node, {**design.node(node).values, **values})
    design = _branches_kept(design, registry)
    return move_nodes(design, tidy_positions(design.dag()))


def _branches_kept(design: Design, registry: StepRegistry) -> Design:
    """Each condition's "if" steps among its children: a starter's, less the steps the
    proposal left out; when none is left, every child that does not end the run (the
    proposal's Fail steps are its "else" branch)."""
    dag = design.dag()
    for node in design.nodes:
        field_name = registry.get(node.step_type).branch_field
        if field_name is None:
            continue
        children = dag.children(node.name)
        chosen = [c for c in node.values.get(field_name) or [] if c in children]
        if not chosen:
            chosen = [c for c in children if not registry.get(design.node(c).step_type).ends_run]
        design = set_node_values(design, node.name, {**node.values, field_name: chosen})
    return design


def merge_proposal(design: Design, proposal: Proposal) -> tuple[Design, dict[str, str]]:
    """The design with the proposal attached to it. A proposed step that an existing one
    already stands for is that step (see `_stood_for`): a goal that needs a trained model
    reuses the design's training chain instead of adding a second one. The other steps are
    added, a name already taken getting a suffix, each in the first free place after the
    step it follows (`new_node_position`), so none covers another. Returns the design and
    the name each added step got."""
    dag = PipelineDAG(list(proposal.dag), proposal.edges)
    names = _stood_for(design, proposal, dag)
    added: dict[str, str] = {}
    for node in dag.topological_order():
        if node in names:
            continue
        parents = [names[p] for p in proposal.dag[node]]
        after = max(parents, key=lambda p: design.node(p).ui.x, default=None)
        step_type = proposal.step_types[node]
        names[node] = added[node] = unique_name(design, node)
        spot = new_node_position(placed(design), step_type, after)
        design = add_node(design, step_type, names[node], position=spot)
        edges = [(parent, names[node]) for parent in parents]
        design = design.model_copy(update={"edges": (*design.edges, *edges)})
    return design, added


def _stood_for(design: Design, proposal: Proposal, dag: PipelineDAG) -> dict[str, str]:
    """Proposed steps an existing step stands for: one of the same type fed by exactly the
    steps the proposed one's parents stand for. Never a proposed step nothing follows: that
    is what the goal asked for, so it is always added. Among candidates: the same name, else
    the one whose children are most like the proposed one's (by step type)."""
    existing = design.dag()
    names: dict[str, str] = {}
    for node in dag.topological_order():
        parents = proposal.dag[node]
        if not dag.children(node) or any(p not in names for p in parents):
            continue
        wanted_types = {proposal.step_types[c] for c in dag.children(node)}
        candidates = [
            n
            for n in design.nodes
            if n.step_type == proposal.step_types[node]
            and n.name not in names.values()
            and set(existing.parents(n.name)) == {names[p] for p in parents}
        ]
        if candidates:
            best = max(
                candidates,
                key=lambda n: (
                    n.name == node,
                    len(
                        wanted_types & {design.node(c).step_type for c in existing.children(n.name)}
                    ),
                ),
            )
            names[node] = best.name
    return names


def _add(design: Design, proposal: Proposal, nodes) -> Design:
    """Add the proposal's `nodes` under their own names, and its edges."""
    for node in nodes:
        design = add_node(design, proposal.step_types[node], node)
    extra = tuple(e for e in proposal.edges if e not in design.edges)
    return design.model_copy(update={"edges": (*design.edges, *extra)})
