"""Typed input and output ports: how the template knows which output feeds which input, and
the facts (with their contracts) that the cross-node checks compare.

Step types declare these (builders/step_types/); graph/ reads them. This module imports
nothing of the library, so both can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class PortKind(str, Enum):
    """What flows along a connection. An input accepts outputs of its own kind only."""

    TABULAR_DATA = "tabular data"
    DATA_METADATA = "data metadata"
    DATA_SIGNATURE = "data signature"
    PROCESSED_DATA = "processed data"
    MODEL_ARTIFACTS = "model artifacts"
    MODEL = "SageMaker model"
    PACKAGED_MODEL = "packaged model"
    PAYLOAD_SAMPLES = "payload samples"
    TRANSFORM_OUTPUT = "batch transform output"
    EVALUATION = "model evaluation"


# Facts that what flows along a connection may carry beyond its kind. A step type declares
# them on its output ports: `carries` names the facts an output always has, `passes` hands on
# what an input received, and its `contract` hook gives their values for a node's config
# (`Contract`), with what the node expects of its inputs. graph/cross_checks.py compares them;
# it never names a step type.
INFERENCE_CODE = "inference code"  # the code that serves a model, under code/ (its folder)
FEATURES = "features"  # the features a trained model reads (Features); its origin trained it
PROBLEM_TYPE = "problem type"  # what a model predicts, as its archive declares it (a problem type)
COLUMNS = "columns"  # the columns of tabular data, in order (a tuple of names)
CONTENT_TYPES = "content types"  # the formats of a model's requests and responses (ContentTypes)
METRICS = "metrics"  # what an evaluation writes (Metrics)


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


@dataclass(frozen=True)
class Need:
    """What an input's data must carry (`fact`), unless the node's `field` supplies it."""

    fact: str
    field: str | None = None


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


@dataclass(frozen=True)
class Port:
    """One input or output of a step type.

    `config_field` names the config field that supplies an input when no parent produces it
    (for example a PyTorchModel's `model_data`); such an input is unresolved only when both are
    missing. An output declares the facts its data always `carries` (their values come from
    the step type's `contract` hook) and the input whose facts it `passes` on; an input
    declares what it `needs` (graph/cross_checks.py compares). A `partial` output's data may
    carry more than it declares: the user's own code writes it (a PyTorch training's archive
    may hold inference code), so what it lacks is not known to be missing.
    """

    name: str
    kind: PortKind
    description: str
    required: bool = True
    config_field: str | None = None
    carries: frozenset[str] = frozenset()
    passes: str | None = None
    needs: Need | None = None
    partial: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind.value})"


# Ports several step types share (training and model step types of each framework).
TRAINING_DATA_IN = Port(
    "training_data", PortKind.PROCESSED_DATA, "Folder with train/, val/, test/."
)
TRAINED_MODEL_OUT = Port(
    "model_artifacts",
    PortKind.MODEL_ARTIFACTS,
    "The trained model.tar.gz.",
    carries=frozenset({FEATURES}),
)
MODEL_ARTIFACTS_IN = Port(
    "model_artifacts",
    PortKind.MODEL_ARTIFACTS,
    "The model.tar.gz of a training or model step; else the config's model_data.",
    config_field="model_data",
)
MODEL_OUTPUTS = (
    Port("model", PortKind.MODEL, "Name of the SageMaker model."),
    Port(
        "model_artifacts",
        PortKind.MODEL_ARTIFACTS,
        "S3 URI of the model's model.tar.gz.",
        passes="model_artifacts",
    ),
)
