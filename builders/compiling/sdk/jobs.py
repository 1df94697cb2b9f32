"""What a step builder asks the SDK for, in words of SageMaker's API rather than of an SDK.

Builders fill these and hand them to the backend (`builders.compiling.sdk.base()`), which
builds the installed SDK's objects from them. Values may be pipeline expressions (a Join, a
step's property, a Parameter): the backend passes them through. Nothing here imports the SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ProcessingInput:
    """An S3 location downloaded to `destination` (a folder under /opt/ml/processing)."""

    name: str
    source: Any
    destination: str


@dataclass(frozen=True)
class ProcessingOutput:
    """The folder `source` uploaded to `destination` when the job ends."""

    name: str
    source: str
    destination: Any


@dataclass(frozen=True)
class ProcessingJob:
    """A processing job running `entrypoint` in `image`."""

    image: str
    entrypoint: Sequence[str]
    role: str
    instance_type: Any
    instance_count: Any
    volume_size_gb: Any
    base_job_name: str
    inputs: Sequence[ProcessingInput] = ()
    outputs: Sequence[ProcessingOutput] = ()
    arguments: Sequence[Any] = ()
    environment: Mapping[str, Any] = field(default_factory=dict)
    max_runtime_seconds: Any = None


@dataclass(frozen=True)
class Channel:
    """A training job's input channel: `source` downloaded to /opt/ml/input/data/<name>."""

    name: str
    source: Any
    content_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class TrainingJob:
    """A training job: `entry_point` of the staged code in a framework's image, or, without
    code, the image's own algorithm.

    `code` is the staged sourcedir.tar.gz (an s3:// URI); `code_location` the S3 prefix where
    staged code lives; `stage_folder` stages a local folder the SDK writes for the job (3.x
    writes its container drivers) and returns its S3 prefix, so nothing is uploaded now.
    """

    image: str
    role: str
    instance_type: Any
    instance_count: Any
    volume_size_gb: Any = 30
    max_runtime_seconds: Any = 86400
    output_path: Any
    base_job_name: str
    framework: str | None = None  # "xgboost", "pytorch", "sklearn": 2.x's estimator class
    framework_version: str | None = None
    py_version: str | None = None
    code: str | None = None
    entry_point: str | None = None
    code_location: str | None = None
    stage_folder: Callable[[Path], str] | None = None
    channels: Sequence[Channel] = ()
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    metric_definitions: Sequence[Mapping[str, str]] = ()
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Container:
    """A serving container: `image` serving the model archive at `model_data`."""

    image: str
    model_data: Any
    role: str
    environment: Mapping[str, str] | None = None
    instance_type: Any = None  # what the model is created for (2.x's Model.create)


@dataclass(frozen=True)
class ModelPackage:
    """A model version in a model package group of the Model Registry."""

    container: Container
    group: Any
    content_types: Sequence[str]
    response_types: Sequence[str]
    inference_instances: Sequence[str]
    transform_instances: Sequence[str]
    approval_status: Any
    framework: str  # the Model Registry's name: XGBOOST, PYTORCH, SAGEMAKER-SCIKIT-LEARN
    framework_version: str
    description: str | None = None
    domain: str | None = None
    task: str | None = None
    sample_payload_url: Any = None
    customer_metadata: Mapping[str, str] | None = None
    quality_report: Any = None  # S3 URI of a JSON report: the version's model statistics


@dataclass(frozen=True)
class TransformJob:
    """A batch transform of the data at `data` by the model named `model_name`."""

    model_name: Any
    instance_type: Any
    instance_count: Any
    output_path: Any
    base_job_name: str
    data: Any
    content_type: str | None = None
    accept: str | None = None
    split_type: str | None = None
    assemble_with: str | None = None
    max_payload_mb: Any = None
    input_filter: str | None = None
    output_filter: str | None = None
    join_source: str | None = None


@dataclass(frozen=True)
class SearchRange:
    """One tuned hyperparameter: values to choose among, or an integer/continuous range."""

    name: str
    kind: str  # "categorical", "integer", "continuous"
    values: Sequence[Any] = ()
    min_value: Any = None
    max_value: Any = None
    scaling: str | None = None  # Auto, Linear, Logarithmic, ReverseLogarithmic


@dataclass(frozen=True, kw_only=True)
class TuningJob:
    """A hyperparameter tuning job whose trials run `training` (its channels included)."""

    training: TrainingJob
    objective_metric: str
    objective_type: str  # Maximize, Minimize
    ranges: Sequence[SearchRange]
    strategy: str
    max_jobs: Any  # None for a grid search: SageMaker counts the combinations
    max_parallel_jobs: Any
    early_stopping: str | None = None
    random_seed: Any = None
    max_runtime_seconds: Any = None
    base_job_name: str
