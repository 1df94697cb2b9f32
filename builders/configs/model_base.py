"""What every model creation step type's config holds."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from builders.configs.base import BasePipelineConfig
from builders.configs.types import InferenceInstanceType, S3Uri


class ModelConfigBase(BasePipelineConfig):
    """Values every model creation step needs."""

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # a CreateModel step

    inference_instance_type: Annotated[
        InferenceInstanceType,
        Field(description="Instance type the model is meant to serve on."),
    ] = "ml.m5.large"
    model_data: Annotated[
        S3Uri | None,
        Field(
            description="S3 URI of an existing model.tar.gz. Used only when no parent step "
            "produces model artifacts."
        ),
    ] = None
