"""FeatureFilter's config: which columns to keep."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.base import ProcessingStepConfigBase
from builders.configs.types import ADVANCED, ScriptName


class FeatureFilterConfig(ProcessingStepConfigBase):
    """Keeps the listed columns, in the listed order."""

    processing_entry_point: Annotated[
        ScriptName, ADVANCED, Field(description="Python script the job runs.")
    ] = "feature_filter.py"
    keep_columns: Annotated[
        list[str], Field(min_length=1, description="Columns to keep, in this order.")
    ]
    drop_empty_rows: Annotated[bool, Field(description="Drop rows with an empty cell.")] = False
