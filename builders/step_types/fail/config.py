"""Fail: stop the run as failed, with a message."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from builders.configs.base import BasePipelineConfig


class FailConfig(BasePipelineConfig):
    """Ends the pipeline execution as Failed with its message (a FailStep)."""

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # a Fail step

    error_message: Annotated[
        str,
        Field(
            min_length=1,
            max_length=3072,
            description="Why the run failed, shown as the execution's failure reason.",
        ),
    ] = "The model did not pass the quality gate."
