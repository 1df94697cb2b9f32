"""Typed input and output ports: how the template knows which output feeds which input, and
the names of the facts what flows along them may carry (builders/contracts.py: their values).

Step types declare these (builders/step_types/); graph/ reads them. This module imports
nothing of the library, so both can.
"""

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
    # A number a step returns (a Lambda call's output), not files: a condition compares it.
    VALUE = "value"


# Kinds whose connections carry a name or a number, not files a job could read or write.
NOT_FILES = frozenset({PortKind.VALUE, PortKind.ENDPOINT_CONFIG})


# Facts that what flows along a connection may carry beyond its kind. A step type declares
# them on its output ports: `carries` names the facts an output always has, `passes` hands on
# what an input received, and its `contract` hook gives their values for a node's config
# (builders/contracts.py), with what the node expects of its inputs. graph/cross_checks.py
# compares them; it never names a step type.
INFERENCE_CODE = "inference code"  # the code that serves a model, under code/ (its folder)
FEATURES = "features"  # the features a trained model reads; the node that declared it trained it
PROBLEM_TYPE = "problem type"  # what a model predicts, as its archive declares it
COLUMNS = "columns"  # the columns of tabular data, in order
CONTENT_TYPES = "content types"  # the formats of a model's requests and responses
METRICS = "metrics"  # what an evaluation writes


@dataclass(frozen=True)
class Need:
    """What an input's data must carry (`fact`), unless the node's `field` supplies it."""

    fact: str
    field: str | None = None


@dataclass(frozen=True)
class Port:
    """One input or output of a step type.

    `config_field` names the config field that supplies an input when no parent produces it
    (for example a model step's `model_data`); such an input is unresolved only when both are
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
