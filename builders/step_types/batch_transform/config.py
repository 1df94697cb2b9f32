"""BatchTransform: score a dataset with a SageMaker model."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from builders.configs.base import BasePipelineConfig
from builders.configs.types import (
    PARAMETER,
    ContentType,
    InstanceCount,
    JobType,
    TransformInstanceType,
)


class BatchTransformConfig(BasePipelineConfig):
    """Runs a batch transform job of a model over a dataset."""

    job_type: Annotated[
        JobType, Field(description="What the scored data is for; names the output folder.")
    ] = "calibration"
    transform_instance_type: Annotated[
        TransformInstanceType,
        PARAMETER,
        Field(description="Instance type of the transform job."),
    ] = "ml.m5.large"
    transform_instance_count: Annotated[
        InstanceCount, PARAMETER, Field(description="Number of transform instances.")
    ] = 1
    content_type: Annotated[ContentType, Field(description="Format of the input data.")] = (
        "text/csv"
    )
    accept: Annotated[ContentType, Field(description="Format of the predictions.")] = "text/csv"
    split_type: Annotated[
        Literal["Line", "RecordIO", "TFRecord", "None"],
        Field(description="How to split the input files into records."),
    ] = "Line"
    assemble_with: Annotated[
        Literal["Line", "None"], Field(description="How to join the predictions.")
    ] = "Line"
    input_filter: Annotated[
        str | None,
        Field(
            description="JSONPath selecting the model's input from each record, such as $[1:] "
            "to drop a leading label column."
        ),
    ] = None
    join_source: Annotated[
        Literal["Input", "None"],
        Field(description="Input joins each prediction to its input record."),
    ] = "None"
    output_filter: Annotated[
        str | None, Field(description="JSONPath selecting what to keep of each output record.")
    ] = None
    max_payload_mb: Annotated[
        int, Field(ge=0, le=100, description="Largest request sent to the model, in MB.")
    ] = 6
