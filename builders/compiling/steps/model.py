"""Model steps: a SageMaker model from artifacts, and what model and registration steps share."""

from __future__ import annotations

from typing import Any

from builders.compiling.port_values import ModelOutput
from builders.compiling.sdk import jobs
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.configs.model_base import ModelConfigBase

# Where SageMaker's framework containers find inference code inside model.tar.gz.
CODE_IN_ARCHIVE = "/opt/ml/model/code"


def model_outputs(step: Any) -> dict[str, Any]:
    model_data = step.properties.PrimaryContainer.ModelDataUrl
    return {
        "model": ModelOutput(step.properties.ModelName, model_data),
        "model_artifacts": model_data,
    }


def inference_code_environment(entry_point: str | None, region: str) -> dict[str, str] | None:
    """What points a framework container at the inference code under code/ in the archive."""
    if not entry_point:
        return None
    return {
        "SAGEMAKER_PROGRAM": entry_point,
        "SAGEMAKER_SUBMIT_DIRECTORY": CODE_IN_ARCHIVE,
        "SAGEMAKER_REGION": region,
    }


class ModelStepBuilder(StepBuilderBase):
    """A model served by the container of framework `FRAMEWORK` (step `<node>-CreateModel`)."""

    config: ModelConfigBase
    FRAMEWORK: str

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        container = jobs.Container(
            image=self.image_uri(
                self.FRAMEWORK,
                config.framework_version,
                py_version=config.py_version,
                instance_type=config.inference_instance_type,
                scope="inference",
            ),
            model_data=inputs["model_artifacts"],
            role=self.role,
            environment=inference_code_environment(config.inference_entry_point, config.region),
            instance_type=config.inference_instance_type,
        )
        return self.sdk.model_step(
            self.node_name, container, session=self.session, depends_on=dependencies
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        return model_outputs(step)
