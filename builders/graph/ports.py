"""Typed input and output ports: how the template knows which output feeds which input."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PortKind(str, Enum):
    """What flows along a connection. An input accepts outputs of its own kind only."""

    TABULAR_DATA = "tabular data"
    DATA_METADATA = "data metadata"
    DATA_SIGNATURE = "data signature"
    PROCESSED_DATA = "processed data"
    MODEL_ARTIFACTS = "model artifacts"
    MODEL = "SageMaker model"
    ENDPOINT_CONFIG = "endpoint configuration"
    PACKAGED_MODEL = "packaged model"
    PAYLOAD_SAMPLES = "payload samples"
    TRANSFORM_OUTPUT = "batch transform output"
    EVALUATION = "model evaluation"


# Facts what flows along a connection may carry beyond its kind, that checks compare.
INFERENCE_CODE = "inference code"  # a model archive with the code that serves it, under code/


@dataclass(frozen=True)
class Need:
    """What an input's data must carry (`fact`), unless the node's `field` supplies it."""

    fact: str
    field: str | None = None


@dataclass(frozen=True)
class Port:
    """One input or output of a step type.

    `config_field` names the config field that supplies an input when no parent produces it
    (for example a PyTorchModel's `model_data`); such an input is unresolved only when both are
    missing. An output declares the facts its data `carries`, or that it `passes` on what an
    input of the step received; an input what it `needs` (graph/cross_checks.py compares).
    """

    name: str
    kind: PortKind
    description: str
    required: bool = True
    config_field: str | None = None
    carries: frozenset[str] = frozenset()
    passes: str | None = None
    needs: Need | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind.value})"


# Ports several step types share (training and model step types of each framework).
TRAINING_DATA_IN = Port(
    "training_data", PortKind.PROCESSED_DATA, "Folder with train/, val/, test/."
)
TRAINED_MODEL_OUT = Port("model_artifacts", PortKind.MODEL_ARTIFACTS, "The trained model.tar.gz.")
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
