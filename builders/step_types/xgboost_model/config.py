"""XGBoostModel's config: the model artifacts and the XGBoost serving container."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.model_base import ModelConfigBase
from builders.configs.types import ScriptName, XGBoostVersion


class XGBoostModelConfig(ModelConfigBase):
    """An XGBoost model served by the SageMaker XGBoost container."""

    framework_version: Annotated[
        XGBoostVersion, Field(description="Version of the SageMaker XGBoost container.")
    ] = "1.7-1"
    inference_entry_point: Annotated[
        ScriptName | None,
        Field(
            description="Inference script inside the model archive's code/ folder (a packaged "
            "model). Leave empty for the container's default handler, which reads numbers only."
        ),
    ] = None
