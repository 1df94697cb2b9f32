"""FailStepBuilder: a FailStep that ends the run as Failed with the node's message."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.fail.config import FailConfig


class FailStepBuilder(StepBuilderBase):
    config: FailConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        return self.sdk.fail_step(self.node_name, self.config.error_message, dependencies)

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {}
