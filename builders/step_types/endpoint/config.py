"""Endpoint: the SageMaker endpoint that serves a model, created or switched to a new
endpoint configuration each run."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar

from pydantic import Field, computed_field, field_validator

from builders.configs.base import BasePipelineConfig
from builders.configs.types import ResourceName


class EndpointStepConfig(BasePipelineConfig):
    """The endpoint's name; its hardware comes from the endpoint configuration before it."""

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # an Endpoint step

    endpoint_name: Annotated[
        ResourceName | None,
        Field(
            description="Name of the endpoint. A run creates it, or updates it when it exists "
            "(the next run of the pipeline switches it to that run's model). Leave empty for "
            "the pipeline's name."
        ),
    ] = None

    @field_validator("cache_enabled")
    @classmethod
    def _cacheable(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "cannot be on for this step: SageMaker does not cache endpoint steps (each "
                "run deploys its own model). Turn caching off for this node."
            )
        return value

    @computed_field(description="The endpoint's name: the one given, or the pipeline's.")
    @property
    def effective_endpoint_name(self) -> str:
        if self.endpoint_name:
            return self.endpoint_name
        name = re.sub(r"[^A-Za-z0-9]+", "-", self.pipeline_name).strip("-")
        return name[:63].rstrip("-") or "endpoint"
