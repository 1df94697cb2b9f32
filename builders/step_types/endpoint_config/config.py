"""EndpointConfig: how an endpoint serves a model (instances or serverless) and what it records."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, computed_field, field_validator, model_validator

from builders.configs.base import BasePipelineConfig
from builders.configs.form_schema import form_modes
from builders.configs.types import (
    ADVANCED,
    PARAMETER,
    FieldRuleError,
    InferenceInstanceType,
    InstanceCount,
    ResourceName,
    S3Uri,
)


class EndpointConfigStepConfig(BasePipelineConfig):
    """One production variant serving the model, on instances or serverless."""

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # an EndpointConfig step
    # The form shows the fields of the serving chosen, and data capture's when it is on;
    # the others keep their values.
    model_config = ConfigDict(
        json_schema_extra=form_modes(
            serving={
                "instances": ("instance_type", "initial_instance_count"),
                "serverless": ("serverless_memory_mb", "serverless_max_concurrency"),
            },
            data_capture={"true": ("data_capture_percentage", "data_capture_s3_uri")},
        )
    )

    serving: Annotated[
        Literal["instances", "serverless"],
        Field(
            description="instances: the instance type and count below serve all the time; "
            "serverless: SageMaker starts capacity per request, up to the memory and "
            "concurrency below."
        ),
    ] = "instances"
    instance_type: Annotated[
        InferenceInstanceType,
        PARAMETER,
        Field(description="Instance type of the endpoint (serving on instances)."),
    ] = "ml.m5.large"
    initial_instance_count: Annotated[
        InstanceCount,
        PARAMETER,
        Field(description="Instances the endpoint starts with (serving on instances)."),
    ] = 1
    serverless_memory_mb: Annotated[
        int,
        Field(
            ge=1024,
            le=6144,
            description="Memory of each serverless worker, in MB: 1024, 2048, ... 6144 "
            "(serverless).",
        ),
    ] = 2048
    serverless_max_concurrency: Annotated[
        int,
        Field(ge=1, le=200, description="Requests served at the same time (serverless)."),
    ] = 5
    variant_name: Annotated[ResourceName, Field(description="Name of the production variant.")] = (
        "AllTraffic"
    )
    data_capture: Annotated[
        bool,
        Field(
            description="Record the endpoint's requests and answers in S3 (data capture, "
            "for Model Monitor)."
        ),
    ] = False
    data_capture_percentage: Annotated[
        int,
        ADVANCED,
        Field(ge=0, le=100, description="Percentage of requests recorded (data capture)."),
    ] = 100
    data_capture_s3_uri: Annotated[
        S3Uri | None,
        ADVANCED,
        Field(
            description="Where the captured requests go. Leave empty for data-capture/ under "
            "the pipeline's S3 folder."
        ),
    ] = None

    @field_validator("cache_enabled")
    @classmethod
    def _cacheable(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "cannot be on for this step: SageMaker does not cache endpoint steps (each "
                "run makes a new endpoint configuration). Turn caching off for this node."
            )
        return value

    @field_validator("serverless_memory_mb")
    @classmethod
    def _whole_gigabytes(cls, value: int) -> int:
        if value % 1024:
            raise ValueError("must be a whole number of GB: 1024, 2048, 3072, 4096, 5120 or 6144")
        return value

    @model_validator(mode="after")
    def _check_serverless(self) -> EndpointConfigStepConfig:
        if self.serving == "serverless" and self.data_capture:
            raise FieldRuleError(
                "data_capture",
                "is not available for serverless endpoints (SageMaker's rule): turn it off, "
                "or serve on instances",
            )
        return self

    @computed_field(description="Where data capture writes the requests and answers.")
    @property
    def effective_data_capture_s3_uri(self) -> str:
        return self.data_capture_s3_uri or f"{self.pipeline_s3_loc}/data-capture"
