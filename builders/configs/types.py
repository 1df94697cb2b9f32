"""Field types shared by the step configs: precise enough to validate and to draw a form."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from builders.configs.api_rules import JobKind, instance_type_problem, string_problem
from builders.configs.durations import parse_duration

# Regions where SageMaker runs, from botocore's endpoint data (a test keeps this list honest).
AwsRegion = Literal[
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
    "us-west-2",
]  # fmt: skip


@dataclass(frozen=True)
class FieldRole:
    """A marker in a field's annotation that tells the tool how to treat the field.

    `LOCAL_PATH`: may hold a local path, resolved against a starter's folder when it is copied.
    `ADVANCED`: a setting most users keep, drawn under the form's Advanced section.
    `PARAMETER`: may be bound to a pipeline parameter: the builder hands its value to the SDK,
    which writes it into the definition, so a run can change it. Other fields are needed as
    concrete values when compiling (names, code and settings files, image lookups).
    `ACCOUNT`: names something of the user's AWS account (a bucket, a role): the value a
    starter ships is an example to replace, which the assistant asks for.
    """

    name: str


LOCAL_PATH = FieldRole("local path")
ADVANCED = FieldRole("advanced")
PARAMETER = FieldRole("pipeline parameter")
ACCOUNT = FieldRole("of the AWS account")


@dataclass(frozen=True)
class Container:
    """Marks a field whose choices are the versions of a SageMaker framework container."""

    framework: str  # the SDK's name: xgboost, pytorch, sklearn
    display_name: str


# Versions of the SageMaker framework containers.
XGBoostVersion = Annotated[Literal["1.5-1", "1.7-1", "3.0-5"], Container("xgboost", "XGBoost")]
PyTorchVersion = Annotated[
    Literal["1.13.1", "2.0.1", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.1"],
    Container("pytorch", "PyTorch"),
]
SklearnVersion = Annotated[
    Literal["0.23-1", "1.0-1", "1.2-1", "1.4-2"], Container("sklearn", "scikit-learn")
]

ContentType = Literal["text/csv", "application/json"]
JobType = Literal["training", "validation", "testing", "calibration"]


class VariableType(str, Enum):
    """Type of a model input or output variable."""

    NUMERIC = "NUMERIC"
    TEXT = "TEXT"


def json_or_text(value: str) -> Any:
    """`value` read as JSON when it is JSON, else the text itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def matching(regex: str, message: str) -> AfterValidator:
    """A validator that accepts strings matching `regex` and otherwise says `message`."""
    pattern = re.compile(regex)

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


_S3_URI = r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?"


# Limits of local paths (Linux and macOS): longer ones cannot be opened at all.
# SageMaker's resource names: letters, digits and hyphens, 63 at most (VariantName, ...).
ResourceName = Annotated[
    str,
    matching(
        r"[A-Za-z0-9](-*[A-Za-z0-9]){0,62}",
        "may contain only letters, digits and hyphens (63 at most), and must start and end "
        "with a letter or digit",
    ),
]


MAX_PATH_BYTES = 4095
MAX_NAME_BYTES = 255


def _check_code_location(value: str) -> str:
    if value.startswith("s3://") and not re.fullmatch(_S3_URI, value):
        raise ValueError("must be a local folder or an S3 URI such as s3://my-bucket/code/")
    if not value.strip():
        raise ValueError("must be a local folder or an S3 URI such as s3://my-bucket/code/")
    if not value.startswith("s3://"):
        _check_local_path(value)
    return value


def _check_local_path(value: str) -> None:
    if "\0" in value:
        raise ValueError("must not contain a NUL character")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise ValueError(f"is longer than a local path can be ({MAX_PATH_BYTES} bytes)")
    longest = max(value.split("/"), key=lambda part: len(part.encode("utf-8", "surrogatepass")))
    if len(longest.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ValueError(
            f"has a folder or file name longer than {MAX_NAME_BYTES} bytes "
            f"('{longest[:40]}...'), which no file system accepts"
        )


S3Uri = Annotated[
    str,
    matching(_S3_URI, "must be an S3 URI such as s3://my-bucket/path/to/data"),
    Field(examples=["s3://my-bucket/path/to/data"]),
]
CodeLocation = Annotated[
    str,
    AfterValidator(_check_code_location),
    Field(examples=["./src", "s3://my-bucket/code/"]),
    LOCAL_PATH,
]


def _check_duration(value: str) -> str:
    duration = parse_duration(value) if value[:1] in "Pp" else None
    if not duration:
        raise ValueError(
            "must be an ISO 8601 duration of more than zero, such as P30D (30 days), PT12H "
            "(12 hours) or P1DT6H"
        )
    return value.upper()


# How long a cached step result may be reused (a step cache's ExpireAfter).
IsoDuration = Annotated[str, AfterValidator(_check_duration), Field(examples=["P30D"])]
# Failures a retry policy names, as sagemaker.workflow.retry's enums spell them: the first
# two can happen to any step, the others only to a step that runs a SageMaker job.
STEP_FAILURES = ("Step.SERVICE_FAULT", "Step.THROTTLING")
JOB_FAILURES = (
    "SageMaker.JOB_INTERNAL_ERROR",
    "SageMaker.CAPACITY_ERROR",
    "SageMaker.RESOURCE_LIMIT",
)
RetryFailure = Literal[STEP_FAILURES + JOB_FAILURES]  # type: ignore[valid-type]

InstanceCount = Annotated[int, Field(ge=1, le=100)]  # SageMaker's per-job limit
VolumeSizeGB = Annotated[int, Field(ge=1, le=16384)]  # an EBS volume's limit
# A processing job's StoppingCondition.MaxRuntimeInSeconds: the bounds of botocore's
# ProcessingMaxRuntimeInSeconds shape (a test keeps them equal). None: no StoppingCondition,
# and SageMaker (like the sandbox) stops the job after 24 hours, the SDK's documented default.
ProcessingMaxRuntime = Annotated[
    int | None,
    Field(
        ge=1,
        le=777600,
        description="Stop the job after this many seconds (empty: 24 hours, SageMaker's "
        "default; at most 9 days).",
    ),
]


def _api_rule(problem_of: Callable[[str], str | None]) -> AfterValidator:
    """A validator that refuses a value for which `problem_of` (an api_rules check) says why."""

    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


def _instance_type_of(kind: JobKind) -> AfterValidator:
    """Accepts the instance types that botocore's SageMaker model lists for `kind` jobs."""
    return _api_rule(functools.partial(instance_type_problem, kind))


_INSTANCE_TYPE_FORMAT = matching(
    r"ml\.[a-z0-9]+\.[a-z0-9]+", "must be a SageMaker instance type such as ml.m5.xlarge"
)
ProcessingInstanceType = Annotated[
    str, _INSTANCE_TYPE_FORMAT, _instance_type_of("processing"), Field(examples=["ml.m5.xlarge"])
]
TrainingInstanceType = Annotated[
    str, _INSTANCE_TYPE_FORMAT, _instance_type_of("training"), Field(examples=["ml.m5.xlarge"])
]
TransformInstanceType = Annotated[
    str, _INSTANCE_TYPE_FORMAT, _instance_type_of("transform"), Field(examples=["ml.m5.large"])
]
InferenceInstanceType = Annotated[
    str, _INSTANCE_TYPE_FORMAT, _instance_type_of("inference"), Field(examples=["ml.m5.large"])
]


def _api_string(shape_name: str) -> AfterValidator:
    """Accepts strings that fit the SageMaker API shape's length and pattern."""
    return _api_rule(functools.partial(string_problem, shape_name))


BucketName = Annotated[
    str,
    matching(
        r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]",
        "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens",
    ),
    Field(examples=["my-ml-bucket"]),
]
ROLE_ARN_PATTERN = r"arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@\-/]{1,512}"
RoleArn = Annotated[
    str,
    matching(
        ROLE_ARN_PATTERN,
        "must be an IAM role ARN such as arn:aws:iam::123456789012:role/SageMakerRole",
    ),
    Field(examples=["arn:aws:iam::123456789012:role/SageMakerExecutionRole"]),
]
_NAME_FORMAT = matching(
    r"[A-Za-z0-9](-*[A-Za-z0-9])*",
    "may contain only letters, digits and hyphens, and must start and end with a letter or digit",
)
Name = Annotated[str, _NAME_FORMAT, Field(max_length=64, examples=["fraud-detection"])]
# Model package groups are API entities: up to 63 letters, digits and hyphens.
ModelPackageGroupName = Annotated[
    str, _NAME_FORMAT, _api_string("EntityName"), Field(examples=["fraud-detection-models"])
]
FieldName = Annotated[str, Field(min_length=1, max_length=256)]
Version = Annotated[
    str,
    matching(
        r"[0-9A-Za-z][0-9A-Za-z._\-]{0,31}",
        "must be a version such as 1.0.0 (letters, digits, dots, hyphens, underscores)",
    ),
]
ScriptName = Annotated[
    str,
    matching(r"[\w.\-]+(/[\w.\-]+)*\.py", "must be a Python script such as train.py"),
]


class FieldRuleError(ValueError):
    """A cross-field rule broken, attributed to the field the user should change.

    Pydantic reports errors of model validators at the model's root; it keeps the raised
    exception in the error's context, where `builders.graph.validation` finds `field`.
    """

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
