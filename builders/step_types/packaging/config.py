"""Packaging: model artifacts and inference code in one model.tar.gz."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

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


PackageStepConfig = PackagingConfig  # the seed's name
