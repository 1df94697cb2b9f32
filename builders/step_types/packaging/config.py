"""Packaging: model artifacts and inference code in one model.tar.gz."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from builders.configs.base import ProcessingStepConfigBase
from builders.configs.types import ADVANCED, CodeLocation, ScriptName


class PackagingConfig(ProcessingStepConfigBase):
    """Puts the inference code under code/ of the model archive, ready to register."""

    processing_entry_point: Annotated[
        ScriptName, ADVANCED, Field(description="Python script the job runs.")
    ] = "packaging.py"
    source_dir: Annotated[
        CodeLocation,
        Field(description="Folder with your inference code (inference.py ...): local or s3://."),
    ]

    @model_validator(mode="before")
    @classmethod
    def _seed_caching_name(cls, values: Any) -> Any:
        """The seed's `enable_caching_package_step` is this node's `cache_enabled`."""
        if not isinstance(values, dict) or "enable_caching_package_step" not in values:
            return values
        values = dict(values)
        seed = values.pop("enable_caching_package_step")
        if "cache_enabled" in values and values["cache_enabled"] != seed:
            raise ValueError(
                "enable_caching_package_step (the seed's name for cache_enabled) and "
                "cache_enabled disagree: remove enable_caching_package_step"
            )
        values["cache_enabled"] = seed
        return values


PackageStepConfig = PackagingConfig  # the seed's name
