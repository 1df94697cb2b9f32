"""TabularPreprocessingStepBuilder: a processing job that splits labelled data."""

from __future__ import annotations

from typing import Any

from builders.configs.tabular_preprocessing import TabularPreprocessingConfig
from builders.steps.processing import ProcessingStepBuilder, _input


class TabularPreprocessingStepBuilder(ProcessingStepBuilder):
    config: TabularPreprocessingConfig
    REQUIRED_INPUTS = ("data",)
    OUTPUTS = {"processed_data": "processed_data"}

    def settings(self) -> dict[str, Any]:
        return self.config.model_dump(
            include={"job_type", "label_name", "train_ratio", "test_val_ratio", "random_seed"}
        )

    def processing_inputs(self, inputs: dict[str, Any]):
        given = [_input("data", inputs["data"])]
        if inputs.get("signature") is not None:
            given.append(_input("signature", inputs["signature"]))
        return given
