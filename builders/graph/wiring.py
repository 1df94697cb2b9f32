"""Resolve which producer output feeds each consumer input (docs/architecture.md).

For every input port, the candidates are the outputs of the node's parents of the same kind.
One candidate wins; with several, the one whose port name equals the input's wins; otherwise
the input is ambiguous. With none, a port backed by a config field takes the field's value;
a required input left without a producer is an error. Never a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from builders.errors import (
    AmbiguousInputError,
    IncompatibleEdgeError,
    PipelineDesignError,
    UnresolvedInputError,
)
from builders.graph.dag import PipelineDAG
from builders.ports import Port
from builders.registry import REGISTRY, StepRegistry, StepType


@dataclass(frozen=True)
class Wire:
    """One resolved input: from a producer's output port, or from the consumer's config."""

    consumer: str
    consumer_port: str
    producer: str | None = None
    producer_port: str | None = None
    config_field: str | None = None

    @property
    def source(self) -> str:
        if self.producer is not None:
            return f"{self.producer}.{self.producer_port}"
        return f"{self.consumer} config: {self.config_field}"


FieldLookup = Callable[[str, str], Any]  # (node, field) -> value or None


def resolve_wiring(
    dag: PipelineDAG,
    step_types: Mapping[str, StepType],
    field_value: FieldLookup | None = None,
    registry: StepRegistry = REGISTRY,
) -> tuple[list[Wire], list[PipelineDesignError]]:
    """Wires for every resolvable input, and a named error for every other one."""
    wires: list[Wire] = []
    errors: list[PipelineDesignError] = []
    for node in dag.nodes:
        if node not in step_types:
            continue  # reported by whoever built step_types (unknown type, missing config)
        parents = [p for p in dag.parents(node) if p in step_types]
        for parent in parents:
            if not may_follow(step_types[parent], step_types[node]):
                errors.append(incompatible_edge(parent, node, step_types))
        for port in step_types[node].inputs:
            wire, error = _resolve_port(node, port, parents, step_types, field_value, registry)
            if wire:
                wires.append(wire)
            if error:
                errors.append(error)
    return wires, errors


def accepted_ports(producer: StepType, consumer: StepType) -> list[tuple[Port, Port]]:
    """(output, input) pairs of the same kind: what an edge producer -> consumer can carry."""
    return [
        (out, inp) for inp in consumer.inputs for out in producer.outputs if out.kind is inp.kind
    ]


def may_follow(producer: StepType, consumer: StepType) -> bool:
    """Whether an edge producer -> consumer may exist: it carries data, it is a branch of a
    condition (which orders its children whatever they read), or it leads to a step that
    ends the run (which reads nothing and may follow any step). Nothing follows such a step."""
    if producer.ends_run:
        return False
    return (
        producer.branch_field is not None
        or consumer.ends_run
        or bool(accepted_ports(producer, consumer))
    )


def ends_run(source: str, step_type: str) -> str:
    return f"'{source}' ({step_type}) ends the run: no step can follow it. Remove this connection."


def incompatible_edge(
    source: str, target: str, step_types: Mapping[str, StepType]
) -> IncompatibleEdgeError:
    if step_types[source].ends_run:
        return IncompatibleEdgeError(ends_run(source, step_types[source].name), node=target)
    produced = ", ".join(p.kind.value for p in step_types[source].outputs) or "nothing"
    accepted = ", ".join(p.kind.value for p in step_types[target].inputs) or "no inputs"
    return IncompatibleEdgeError(
        f"'{target}' ({step_types[target].name}) cannot use anything '{source}' "
        f"({step_types[source].name}) produces: it accepts {accepted}; '{source}' produces "
        f"{produced}. Remove this connection.",
        node=target,
    )


def _resolve_port(node, port, parents, step_types, field_value, registry):
    candidates = [
        (parent, out.name)
        for parent in parents
        for out in step_types[parent].outputs
        if out.kind is port.kind
    ]
    exact = [c for c in candidates if c[1] == port.name]
    if len(candidates) == 1 or len(exact) == 1:
        producer, out_name = candidates[0] if len(candidates) == 1 else exact[0]
        return Wire(node, port.name, producer, out_name), None
    if candidates:
        names = [f"{p}.{o}" for p, o in candidates]
        return None, AmbiguousInputError(
            f"Input '{port.name}' ({port.kind.value}) could come from {', '.join(names)}. "
            "Keep only one of these connections.",
            node=node,
            port=port.name,
            producers=[p for p, _ in candidates],
        )
    if port.config_field and field_value and field_value(node, port.config_field):
        return Wire(node, port.name, config_field=port.config_field), None
    if not port.required:
        return None, None
    return None, _unresolved(node, port, registry)


def _unresolved(node: str, port: Port, registry: StepRegistry) -> UnresolvedInputError:
    producers = ", ".join(t.name for t in registry.producers_of(port.kind)) or "none registered"
    remedy = f"Connect a step that produces {port.kind.value} ({producers})"
    if port.config_field:
        remedy += f" or set {port.config_field}"
    return UnresolvedInputError(
        f"Input '{port.name}' needs {port.kind.value} and no parent provides it. {remedy}.",
        node=node,
        port=port.name,
    )
