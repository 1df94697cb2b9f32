"""TabularPreprocessingStepBuilder: a processing job that splits labelled data."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.processing import ProcessingStepBuilder, processing_input
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig


class TabularPreprocessingStepBuilder(ProcessingStepBuilder):
    config: TabularPreprocessingConfig
    OUTPUTS = {"processed_data": "processed_data"}

    def settings(self) -> dict[str, Any]:
        return self.config.model_dump(
            include={"job_type", "label_name", "train_ratio", "test_val_ratio", "random_seed"}
        )

    def processing_inputs(self, inputs: dict[str, Any]):
        given = [processing_input("data", inputs["data"])]
        if inputs.get("signature") is not None:
            given.append(processing_input("signature", inputs["signature"]))
        return given
