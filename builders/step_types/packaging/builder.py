"""PackagingStepBuilder: a processing job that puts model and inference code in one archive."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.processing import ProcessingStepBuilder, processing_input
from builders.step_types.packaging.config import PackagingConfig

ARCHIVE = "model.tar.gz"


class PackagingStepBuilder(ProcessingStepBuilder):
    config: PackagingConfig
    OUTPUTS = {"packaged_model": "packaged_model"}

    def processing_inputs(self, inputs: dict[str, Any]):
        inference_code = self.stager.folder(
            self.config.source_dir,
            self.config.pipeline_s3_loc,
            node=self.node_name,
            field="source_dir",
            builtin=None,
        )
        return [
            processing_input("model", inputs["model_artifacts"]),
            processing_input("script", inference_code),
        ]

    def output_properties(self, step) -> dict[str, Any]:
        folder = super().output_properties(step)["packaged_model"]
        archive = self.joined(folder, ARCHIVE)
        # One archive, two kinds: registered as it is, or served by a model step.
        return {"packaged_model": archive, "model_artifacts": archive}


MIMSPackagingStepBuilder = PackagingStepBuilder  # the seed's name
