"""Contracts: the values of the facts a node's ports carry, and what it expects of its inputs.

A step type's `contract` hook returns a `Contract` for a node's config: the values of the
facts its outputs carry (builders/ports.py names the facts) and the expectations of its
inputs. graph/cross_checks.py carries the facts along the wires and compares each
expectation with what its input receives; it never names a step type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from builders.ports import Need


@dataclass(frozen=True)
class Features:
    """The features a model reads, in the order it reads them; the categorical ones."""

    names: tuple[str, ...]
    categorical: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentTypes:
    """The formats requests and responses come in, and the node's fields that say so."""

    requests: tuple[str, ...]
    responses: tuple[str, ...]
    fields: tuple[str, str]  # (the requests' field, the responses' field)


@dataclass(frozen=True)
class Metrics:
    """What an evaluation writes: the metrics of its problem type."""

    problem: str
    names: tuple[str, ...]


# What a node expects of the data an input receives; each names the input (`port`) and the
# node's field a problem is about (`field`).
@dataclass(frozen=True)
class Needs:
    """The input's data carries `need.fact` (a contract's need, for some values only)."""

    port: str
    field: str | None
    need: Need


@dataclass(frozen=True)
class ReadsColumns:
    """The input's data has these columns (a job reads them by name)."""

    port: str
    field: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True)
class SendsFeatures:
    """Requests carry exactly the model's features, in its order; `text` are sent as text,
    which only its categorical features may be."""

    port: str
    field: str | None
    names: tuple[str, ...]
    text: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadsNumbersOnly:
    """The model is served by a handler that reads numbers only (`why`, and `remedy`)."""

    port: str
    field: str | None
    why: str
    remedy: str


@dataclass(frozen=True)
class Accepts:
    """Requests and responses of the input's data come in these formats (and `fields` are
    the node's fields that declare them)."""

    port: str
    field: str | None
    requests: tuple[str, ...]
    responses: tuple[str, ...]
    fields: tuple[str, str]


@dataclass(frozen=True)
class ReadsMetric:
    """The input's evaluation writes `metric`."""

    port: str
    field: str | None
    metric: str


@dataclass(frozen=True)
class Serves:
    """The node serves the model the input receives with the inference code its archive
    carries and `entry_point` (None: the container's default handler). Every node serving a
    model of the same training serves it as a `reference` one does (a registration: the
    model as it is deployed)."""

    port: str
    field: str | None
    entry_point: str | None
    reference: bool = False


Expectation = (
    Needs | ReadsColumns | SendsFeatures | ReadsNumbersOnly | Accepts | ReadsMetric | Serves
)


@dataclass(frozen=True)
class Contract:
    """What a node's config adds to its step type's ports: the values of the facts each
    output carries (`carries`: output port -> fact -> value) and what it expects of its
    inputs (`expects`)."""

    carries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    expects: tuple[Expectation, ...] = ()
