"""DataLoadingStepBuilder: a processing job that reads the data sources into one dataset."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.processing import ProcessingStepBuilder, processing_input
from builders.step_types.data_loading.config import DataLoadingConfig


class DataLoadingStepBuilder(ProcessingStepBuilder):
    config: DataLoadingConfig
    OUTPUTS = {"data": "data", "metadata": "metadata", "signature": "signature"}

    def settings(self) -> dict[str, Any]:
        return self.config.model_dump(
            include={"job_type", "data_format", "csv_has_header", "column_names"}
        )

    def processing_inputs(self, inputs: dict[str, Any]):
        # One input per source: SageMaker downloads each to data/source_<i>.
        return [
            processing_input(f"source_{index}", uri, f"data/source_{index}")
            for index, uri in enumerate(self.config.data_sources)
        ]
