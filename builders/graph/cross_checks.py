"""Checks between connected nodes: what one node's data carries against what another expects.

Each node's config may be valid on its own and the pipeline still fail in SageMaker: sample
requests in a format the registered model does not accept, or with fields the trained model
does not read; a batch transform that scores categorical fields differently from the
registered model. The checks name no step type. Each step type declares the facts its outputs
carry and what it expects of its inputs (`builders/ports.py`: `carries`, `passes` and
`needs` on its ports; its `contract` hook, builders/contracts.py, for the values of a
node's config). The checks
carry the facts along the resolved wires, in the DAG's order, and compare.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from builders.contracts import (
    Accepts,
    Contract,
    Needs,
    ReadsColumns,
    ReadsMetric,
    ReadsNumbersOnly,
    SendsFeatures,
    Serves,
)
from builders.errors import CycleError, Problem
from builders.graph.branches import branch_problems, conditions_of, unconditional
from builders.graph.dag import PipelineDAG
from builders.graph.wiring import Wire
from builders.ports import COLUMNS, CONTENT_TYPES, FEATURES, INFERENCE_CODE, METRICS, Need, Port


def cross_node_problems(
    dag: PipelineDAG, configs: Mapping[str, BaseModel], wires: list[Wire]
) -> list[Problem]:
    """Every disagreement between connected nodes whose own configs are valid."""
    design = _Design(dag, {n: c for n, c in configs.items() if n in dag}, wires)
    return [
        *design.expectations(),
        *design.supplied(),
        *design.serving(),
        *branch_problems(dag, conditions := conditions_of(design.configs)),
        *unconditional(dag, conditions, design.ending()),
    ]


@dataclass(frozen=True)
class Fact:
    """A fact's value (None: it is there, its value unknown) and the node that declared it."""

    value: Any
    origin: str


@dataclass(frozen=True)
class Data:
    """The facts along one wire. `complete` when none can be missing for want of knowing (a
    node upstream whose config is not valid yet, or a config field's location)."""

    facts: Mapping[str, Fact]
    complete: bool = True

    def value(self, fact: str) -> Any:
        found = self.facts.get(fact)
        return None if found is None else found.value


UNKNOWN = Data({}, complete=False)


class _Design:
    """The nodes, configs and wires the checks read, and the facts along each wire."""

    def __init__(self, dag: PipelineDAG, configs: Mapping[str, BaseModel], wires: list[Wire]):
        self.configs = configs
        self._wires = {(w.consumer, w.consumer_port): w for w in wires}
        self._types: dict[str, Any] = {}
        self._outputs: dict[tuple[str, str], Data] = {}
        self._received: dict[str, dict[str, Data]] = {}
        self._contracts: dict[str, Contract] = {}
        try:
            order = dag.topological_order()
        except CycleError:  # reported by the graph's checks; facts follow the nodes' order
            order = dag.nodes
        for node in order:
            if node in configs:
                self._follow(node)
        self._expectations = list(self._expected())

    def step_type(self, node: str) -> Any:
        """The node's step type, with the ports its values declare."""
        from builders.registry import REGISTRY  # the registry imports step types' configs

        if node not in self._types:
            config = self.configs[node]
            step_type = REGISTRY.for_config(config, node=node)
            if step_type.ports is not None:  # ports its values declare (a script's)
                step_type = step_type.bound(config.model_dump(warnings=False))
            self._types[node] = step_type
        return self._types[node]

    def ending(self) -> list[str]:
        """The nodes whose step type ends the run (Fail)."""
        return [node for node in self.configs if self.step_type(node).ends_run]

    # -- the facts along the wires ----------------------------------------------------------
    def _follow(self, node: str) -> None:
        """What `node`'s inputs receive, its contract, and the facts of its outputs."""
        step_type = self.step_type(node)
        received = {}
        for port in step_type.inputs:
            wire = self._wires.get((node, port.name))
            if wire is not None:
                received[port.name] = self._data(wire)
        self._received[node] = received
        values = {
            port: {f: fact.value for f, fact in d.facts.items()} for port, d in received.items()
        }
        contract = step_type.contract_of(self.configs[node], values)
        self._contracts[node] = contract
        for port in step_type.outputs:
            facts: dict[str, Fact] = {}
            complete = True
            if port.passes is not None:
                passed = received.get(port.passes, UNKNOWN)
                facts.update(passed.facts)
                complete = passed.complete
            facts.update({fact: Fact(None, node) for fact in port.carries})
            declared = contract.carries.get(port.name, {})
            facts.update({fact: Fact(value, node) for fact, value in declared.items()})
            self._outputs[(node, port.name)] = Data(facts, complete and not port.partial)

    def _data(self, wire: Wire) -> Data:
        if wire.producer is None or wire.producer not in self.configs:
            return UNKNOWN  # a config field's location, or a producer not valid yet
        return self._outputs.get((wire.producer, wire.producer_port), UNKNOWN)

    def _expected(self) -> Iterator[tuple[str, Any, Data]]:
        """(node, expectation, the data its input receives) for each connected expectation:
        the needs its ports declare, and its contract's."""
        for node, contract in self._contracts.items():
            received = self._received[node]
            for port in self.step_type(node).inputs:
                if port.needs is not None and port.name in received:
                    need = port.needs
                    if not (need.field and getattr(self.configs[node], need.field)):
                        yield node, Needs(port.name, need.field, need), received[port.name]
            for expectation in contract.expects:
                if expectation.port in received:
                    yield node, expectation, received[expectation.port]

    # -- the checks -----------------------------------------------------------------------
    def expectations(self) -> list[Problem]:
        """Each input's data against what its node expects of it."""
        checks = {
            Needs: self._need,
            ReadsColumns: _columns,
            SendsFeatures: _features,
            ReadsNumbersOnly: _numbers_only,
            Accepts: _accepted,
            ReadsMetric: _metric,
        }
        problems = []
        for node, expectation, data in self._expectations:
            check = checks.get(type(expectation))
            if check is not None:
                problems += check(node, expectation, data)
        return problems

    def _need(self, node: str, needs: Needs, data: Data) -> list[Problem]:
        if needs.need.fact in data.facts or not data.complete:
            return []
        wire = self._wires[(node, needs.port)]
        return [_unmet(wire, self.step_type(node).input(needs.port), needs)]

    def supplied(self) -> list[Problem]:
        """A field that supplies what an input needs (an evaluation's inference code) gives
        what the model of the same training carries elsewhere (its packaged code)."""
        problems = []
        for node, port in ((n, p) for n in self._contracts for p in self.step_type(n).inputs):
            need, data = port.needs, self._received[node].get(port.name)
            value = getattr(self.configs[node], need.field, None) if need and need.field else None
            if not value or data is None or FEATURES not in data.facts:
                continue
            training = data.facts[FEATURES].origin
            for other, carried in self._carried_with(training, need.fact):
                if carried != value:
                    problems.append(_other_supply(node, need, value, other, carried))
        return problems

    def _carried_with(self, training: str, fact: str) -> list[tuple[str, Any]]:
        """(node that declared it, value) of `fact` on every output carrying the model of
        `training`, one per declaring node."""
        found = {}
        for data in self._outputs.values():
            model, carried = data.facts.get(FEATURES), data.facts.get(fact)
            if model and carried and model.origin == training and carried.value is not None:
                found[carried.origin] = carried.value
        return sorted(found.items())

    def serving(self) -> list[Problem]:
        """Every node serving a model of a training serves it as the reference ones do (the
        registered model): one inference code for batch transform and the endpoint."""
        servers: dict[str, list[tuple[str, Serves, Any]]] = {}
        for node, expectation, data in self._expectations:
            if isinstance(expectation, Serves) and FEATURES in data.facts:
                code = data.facts.get(INFERENCE_CODE)
                if (code is None and data.complete) or (code and code.value is not None):
                    served = (None if code is None else code.value, expectation.entry_point)
                    training = data.facts[FEATURES].origin
                    servers.setdefault(training, []).append((node, expectation, served))
        problems = []
        for group in servers.values():
            references = [(n, s) for n, e, s in group if e.reference]
            for node, expectation, served in group:
                if expectation.reference:
                    continue
                for reference, expected in references:
                    if served != expected:
                        problems.append(_served(node, expectation, served, reference, expected))
        return problems


# -- one expectation against the data ---------------------------------------------------------
def _columns(node: str, expected: ReadsColumns, data: Data) -> list[Problem]:
    columns = data.value(COLUMNS)
    if columns is None:
        return []
    missing = [name for name in expected.columns if name not in columns]
    if not missing:
        return []
    origin = data.facts[COLUMNS].origin
    return [
        Problem(
            f"This step reads {_names(missing)} from its {expected.port}, but the data has "
            f"only the columns '{origin}' gives {_names(columns)}: the job would fail. Read "
            f"only those columns, or keep these in '{origin}'.",
            node=node,
            field=expected.field,
            code="conflict",
        )
    ]


def _features(node: str, expected: SendsFeatures, data: Data) -> list[Problem]:
    features = data.value(FEATURES)
    if features is None:
        return []
    training = data.facts[FEATURES].origin
    if list(expected.names) != list(features.names):
        return [
            Problem(
                f"The requests list {_names(expected.names)}, but the model trained by "
                f"'{training}' reads {_names(features.names)}, in this order: the requests "
                "would fail. List exactly those, in this order.",
                node=node,
                field=expected.field,
                code="conflict",
            )
        ]
    numeric_as_text = [name for name in expected.text if name not in features.categorical]
    if not numeric_as_text:
        return []
    return [
        Problem(
            f"{_names(numeric_as_text)} are numeric features of the model trained by "
            f"'{training}', so the requests must send them as numbers (NUMERIC), not text.",
            node=node,
            field=expected.field,
            code="conflict",
        )
    ]


def _numbers_only(node: str, expected: ReadsNumbersOnly, data: Data) -> list[Problem]:
    features = data.value(FEATURES)
    if features is None or not features.categorical:
        return []
    return [
        Problem(
            f"The model trained by '{data.facts[FEATURES].origin}' reads categorical fields "
            f"({', '.join(features.categorical)}), but {expected.why}. {expected.remedy}",
            node=node,
            field=expected.field,
            code="conflict",
        )
    ]


def _accepted(node: str, expected: Accepts, data: Data) -> Iterator[Problem]:
    """Formats the requests and responses use that the node does not declare: a problem on
    the node that sends them, on its field."""
    sent = data.value(CONTENT_TYPES)
    if sent is None:
        return
    pairs = (
        (sent.requests, sent.fields[0], expected.requests, expected.fields[0]),
        (sent.responses, sent.fields[1], expected.responses, expected.fields[1]),
    )
    for used, field, accepted, other in pairs:
        foreign = [value for value in used if value not in accepted]
        if foreign:
            yield Problem(
                f"{field} lists {', '.join(foreign)}, but '{node}' declares the model's "
                f"{other} as {', '.join(accepted)}: SageMaker would test it with requests it "
                f"does not declare. Make {field} and {other} agree.",
                node=data.facts[CONTENT_TYPES].origin,
                field=field,
                code="conflict",
            )


def _metric(node: str, expected: ReadsMetric, data: Data) -> list[Problem]:
    metrics = data.value(METRICS)
    if metrics is None or expected.metric in metrics.names:
        return []
    return [
        Problem(
            f"'{data.facts[METRICS].origin}' evaluates a {metrics.problem.replace('_', ' ')} "
            f"model and writes {', '.join(metrics.names)}, not {expected.metric}: choose one "
            "of those.",
            node=node,
            field=expected.field,
        )
    ]


# -- messages -----------------------------------------------------------------------------------
def _unmet(wire: Wire, port: Port, needs: Needs) -> Problem:
    from builders.registry import REGISTRY

    need = needs.need
    adding = [
        t.name
        for t in REGISTRY
        if any(out.kind is port.kind and need.fact in out.carries for out in t.outputs)
    ]
    remedies = [f"set {need.field} to supply it"] if need.field else []
    if adding:
        remedies.append(f"feed {port.name} from a step that adds it ({', '.join(adding)})")
    why = f" ({needs.field})" if needs.field and needs.field != need.field else ""
    return Problem(
        f"'{wire.producer}' gives {port.kind.value} without {need.fact}, which this step "
        f"needs{why}: {' or '.join(remedies) or 'connect a step that gives it'}.",
        node=wire.consumer,
        field=needs.field or port.name,
        code="missing",
    )


def _other_supply(node: str, need: Need, value: Any, other: str, carried: Any) -> Problem:
    return Problem(
        f"This step takes the {need.fact} from {value}, but '{other}' gives the model of the "
        f"same training the {need.fact} from {carried}: use the same, so that this step works "
        "as the served model does.",
        node=node,
        field=need.field,
    )


def _served(node: str, serves: Serves, served: tuple, reference: str, expected: tuple) -> Problem:
    return Problem(
        f"'{reference}' serves the model of the same training {_serving(*expected)}; this "
        f"step serves it {_serving(*served)}. Serve the same packaged model with the same "
        f"{serves.field}, so that both score alike.",
        node=node,
        field=serves.field,
        code="conflict",
    )


def _serving(code: str | None, entry_point: str | None) -> str:
    if entry_point is None:
        return "with the container's default handler"
    if code is None:
        return f"with {entry_point}, from an archive without inference code"
    return f"with {entry_point} of the inference code in {code}"


def _names(names) -> str:
    listed = list(names)
    shown = ", ".join(listed[:8]) + (f" and {len(listed) - 8} more" if len(listed) > 8 else "")
    return f"({shown})"
