"""MIMSPackagingStepBuilder: a processing job that puts model and inference code in one archive."""

from __future__ import annotations

from typing import Any

from sagemaker.workflow.functions import Join

from builders.configs.packaging import PackageStepConfig
from builders.steps.processing import ProcessingStepBuilder, _input

ARCHIVE = "model.tar.gz"


class MIMSPackagingStepBuilder(ProcessingStepBuilder):
    config: PackageStepConfig
    REQUIRED_INPUTS = ("model_artifacts",)
    OUTPUTS = {"packaged_model": "packaged_model"}

    def processing_inputs(self, inputs: dict[str, Any]):
        inference_code = self.stager.folder(
            self.config.source_dir,
            self.config.pipeline_s3_loc,
            node=self.node_name,
            field="source_dir",
        )
        return [_input("model", inputs["model_artifacts"]), _input("script", inference_code)]

    def output_properties(self, step) -> dict[str, Any]:
        folder = super().output_properties(step)["packaged_model"]
        archive = Join(on="/", values=[folder, ARCHIVE])
        # One archive, two kinds: registered as it is, or served by a model step.
        return {"packaged_model": archive, "model_artifacts": archive}
