"""FeatureFilterStepBuilder: a processing job running job/feature_filter.py."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.processing import ProcessingStepBuilder, processing_input
from feature_filter_step.config import FeatureFilterConfig


class FeatureFilterStepBuilder(ProcessingStepBuilder):
    config: FeatureFilterConfig
    OUTPUTS = {"data": "data"}

    def settings(self) -> dict[str, Any]:
        return {
            "keep_columns": self.config.keep_columns,
            "drop_empty_rows": self.config.drop_empty_rows,
        }

    def processing_inputs(self, inputs: dict[str, Any]):
        return [processing_input("data", inputs["data"])]
