"""Base configs: the values every step shares, and those every processing step shares."""

from __future__ import annotations

import functools
import re
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from builders.configs.types import (
    ACCOUNT,
    ADVANCED,
    PARAMETER,
    AwsRegion,
    BucketName,
    CodeLocation,
    InstanceCount,
    IsoDuration,
    Name,
    ProcessingInstanceType,
    ProcessingMaxRuntime,
    RetryFailure,
    RoleArn,
    ScriptName,
    SklearnVersion,
    TrainingInstanceType,
    Version,
    VolumeSizeGB,
)


def pipeline_name_of(author: str, service_name: str, region: str) -> str:
    """The SageMaker pipeline name of these settings (also read where no config validates:
    the designer finds a design's runs by it while a value is being typed)."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", f"{author}-{service_name}-{region}")[:256]


class BasePipelineConfig(BaseModel):
    """Values shared by every step of a pipeline, entered once in the pipeline settings."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, str_strip_whitespace=True, allow_inf_nan=False
    )

    # Names of the fields entered once for the whole pipeline (the "pipeline settings").
    SHARED_FIELDS: ClassVar[tuple[str, ...]] = (
        "author", "bucket", "role", "region", "service_name", "pipeline_version",
        "framework_version", "py_version", "source_dir",
        "cache_enabled", "cache_expire_after", "retry_on", "retry_max_attempts",
        "retry_interval_seconds", "retry_backoff_rate",
    )  # fmt: skip
    # False for steps SageMaker never caches (CreateModel, RegisterModel): they do not take
    # cache_enabled from the pipeline settings, and a node that asks for it is told why not.
    CACHED_BY_SAGEMAKER: ClassVar[bool] = True

    author: Annotated[
        Name,
        Field(description="Your alias or your team's name. It is part of the pipeline name."),
    ]
    bucket: Annotated[
        BucketName,
        ACCOUNT,
        Field(description="S3 bucket where the pipeline keeps its code, data and models."),
    ]
    role: Annotated[
        RoleArn,
        ACCOUNT,
        Field(description="IAM role that SageMaker assumes to run the pipeline's jobs."),
    ]
    region: Annotated[AwsRegion, Field(description="AWS region where the pipeline runs.")] = (
        "us-east-1"
    )
    service_name: Annotated[
        Name,
        Field(description="Name of the service or model family; part of the pipeline name."),
    ]
    pipeline_version: Annotated[
        Version,
        Field(
            description="Version of this pipeline, such as 1.0.0. Each version keeps its "
            "outputs under its own S3 folder.",
        ),
    ] = "1.0.0"
    framework_version: Annotated[
        str,
        Field(
            min_length=1,
            description="Version of the ML framework container (XGBoost such as 1.7-1, "
            "PyTorch such as 2.1.0). Steps that use a framework check it.",
        ),
    ] = "1.7-1"
    py_version: Annotated[
        Literal["py3", "py38", "py39", "py310", "py311", "py312"],
        Field(description="Python version of the framework container."),
    ] = "py3"
    source_dir: Annotated[
        CodeLocation | None,
        Field(
            description="Folder with your own code (training and inference scripts): a local "
            "folder, staged to S3 at deploy, or an s3:// URI."
        ),
    ] = None

    cache_enabled: Annotated[
        bool,
        Field(
            description="Reuse the results of an earlier run when this step's inputs and "
            "settings are unchanged (SageMaker caches processing, training and transform "
            "steps; model and registration steps always run).",
        ),
    ] = False
    cache_expire_after: Annotated[
        IsoDuration,
        Field(
            description="How old an earlier result may be to be reused, as an ISO 8601 "
            "duration: P30D is 30 days, PT12H 12 hours.",
        ),
    ] = "P30D"
    retry_on: Annotated[
        list[RetryFailure],
        Field(
            description="Failures after which SageMaker runs the step again: Step.* for "
            "any step, SageMaker.* for a job's own failures (they apply to steps that run "
            "a job). Empty: no retries.",
        ),
    ] = []
    retry_max_attempts: Annotated[
        int, Field(ge=1, le=20, description="How many times a failed step is run again.")
    ] = 3
    retry_interval_seconds: Annotated[
        int,
        Field(ge=1, le=3600, description="Seconds before the first retry."),
    ] = 10
    retry_backoff_rate: Annotated[
        float,
        Field(
            ge=1.0,
            le=10.0,
            description="Each retry waits this many times longer than the one before "
            "(1: always the same interval).",
        ),
    ] = 2.0

    @field_validator("cache_enabled")
    @classmethod
    def _cacheable(cls, value: bool) -> bool:
        if value and not cls.CACHED_BY_SAGEMAKER:
            raise ValueError(
                "cannot be on for this step: SageMaker does not cache model or registration "
                "steps (they are quick and always run). Turn caching off for this node."
            )
        return value

    @classmethod
    def applies(cls, field: str) -> bool:
        """Whether `field` means something for this step, so that a form offers it: the
        caching fields only for steps SageMaker caches."""
        return cls.CACHED_BY_SAGEMAKER or field not in ("cache_enabled", "cache_expire_after")

    @classmethod
    def takes_shared(cls, field: str) -> bool:
        """Whether this config takes `field` from the pipeline settings or a shared value."""
        return field in _shared_fields(cls)

    @computed_field(description="SageMaker pipeline name, derived from author, service and region.")
    @property
    def pipeline_name(self) -> str:
        return pipeline_name_of(self.author, self.service_name, self.region)

    @computed_field(description="Description shown with the pipeline in SageMaker.")
    @property
    def pipeline_description(self) -> str:
        return f"{self.service_name} pipeline by {self.author} in {self.region}"

    @computed_field(description="S3 folder for this pipeline version's code, data and models.")
    @property
    def pipeline_s3_loc(self) -> str:
        return f"s3://{self.bucket}/pipelines/{self.pipeline_name}/{self.pipeline_version}"


class ProcessingStepConfigBase(BasePipelineConfig):
    """Values shared by the steps that run a SageMaker processing job.

    They are marked ADVANCED: most users keep them, and forms draw them under Advanced.
    A subclass that declares one again (its `processing_entry_point`) marks it again.
    """

    processing_instance_type_small: Annotated[
        ProcessingInstanceType,
        ADVANCED,
        PARAMETER,
        Field(description="Instance type for small inputs."),
    ] = "ml.m5.xlarge"
    processing_instance_type_large: Annotated[
        ProcessingInstanceType,
        ADVANCED,
        PARAMETER,
        Field(description="Instance type for large inputs."),
    ] = "ml.m5.4xlarge"
    use_large_processing_instance: Annotated[
        bool,
        ADVANCED,
        Field(description="Run on the large instance type instead of the small one."),
    ] = False
    processing_instance_count: Annotated[
        InstanceCount,
        ADVANCED,
        PARAMETER,
        Field(description="Number of instances of the processing job."),
    ] = 1
    processing_volume_size: Annotated[
        VolumeSizeGB, ADVANCED, Field(description="Disk size of each instance, in GB.")
    ] = 30
    processing_framework_version: Annotated[
        SklearnVersion,
        ADVANCED,
        Field(description="Version of the SageMaker scikit-learn container the job runs in."),
    ] = "1.2-1"
    processing_source_dir: Annotated[
        CodeLocation | None,
        ADVANCED,
        Field(
            description="Folder with the processing script: a local folder or an s3:// URI. "
            "Leave empty to use the script that ships with this tool."
        ),
    ] = None
    processing_entry_point: Annotated[
        ScriptName,
        TrainingInstanceType,
        ADVANCED,
        Field(
            description="Python script the job runs, relative to the processing source folder.",
        ),
    ]
    processing_script_arguments: Annotated[
        list[str], ADVANCED, Field(description="Extra command-line arguments passed to the script.")
    ] = []
    max_runtime_seconds: Annotated[ProcessingMaxRuntime, ADVANCED] = None

    @computed_field(description="The instance type the processing job uses.")
    @property
    def effective_instance_type(self) -> str:
        if self.use_large_processing_instance:
            return self.processing_instance_type_large
        return self.processing_instance_type_small


class TrainingStepConfigBase(BasePipelineConfig):
    """Values shared by the steps that run a SageMaker training job."""

    training_instance_type: Annotated[
        TrainingInstanceType, PARAMETER, Field(description="Instance type of the training job.")
    ] = "ml.m5.xlarge"
    training_instance_count: Annotated[
        InstanceCount, PARAMETER, Field(description="Number of training instances.")
    ] = 1
    training_volume_size: Annotated[
        VolumeSizeGB, Field(description="Disk size of each instance, in GB.")
    ] = 30
    max_runtime_seconds: Annotated[
        int, Field(ge=60, le=2419200, description="Stop the job after this many seconds.")
    ] = 86400


@functools.cache
def _shared_fields(config_class: type[BasePipelineConfig]) -> frozenset[str]:
    """The fields `config_class` takes from the pipeline settings: asked per node and setting
    at every validation (3,000 times for 200 nodes), read once per class."""
    return frozenset(
        field
        for field in config_class.model_fields
        if config_class.CACHED_BY_SAGEMAKER or field != "cache_enabled"
    )
