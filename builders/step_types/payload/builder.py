"""PayloadStepBuilder: a processing job that archives sample payloads in S3."""

from __future__ import annotations

import posixpath
from typing import Any

from builders.compiling.steps.processing import ProcessingStepBuilder
from builders.compiling.steps.step_builder import in_run_folder
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.payload.samples import payload_spec


class PayloadStepBuilder(ProcessingStepBuilder):
    config: PayloadConfig
    OUTPUTS = {"payload": "payload"}

    def settings(self) -> dict[str, Any]:
        return payload_spec(self.config)

    def code(self) -> tuple[str, str]:
        if self.config.payload_script_path is None:
            return super().code()
        return self.stager.file(
            self.config.payload_script_path,
            self.config.pipeline_s3_loc,
            node=self.node_name,
            field="payload_script_path",
        )

    def arguments(self) -> list[str]:
        custom = self.config.payload_script_arguments if self.config.payload_script_path else None
        return [*super().arguments(), *(custom or [])]

    def output_destination(self, port: str) -> Any:
        # The archive goes to the configured key's folder, in a sub-folder per run.
        folder = posixpath.dirname(self.config.payload_s3_key)
        return in_run_folder(f"s3://{self.config.bucket}/{folder}".rstrip("/"))

    def output_properties(self, step) -> dict[str, Any]:
        folder = super().output_properties(step)["payload"]
        name = posixpath.basename(self.config.payload_s3_key)
        return {"payload": self.joined(folder, name)}


MIMSPayloadStepBuilder = PayloadStepBuilder  # the seed's name
