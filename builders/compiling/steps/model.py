"""Model steps: a SageMaker model from artifacts, and what model and registration steps share."""

from __future__ import annotations

from typing import Any

from sagemaker.model import Model
from sagemaker.workflow.model_step import ModelStep

from builders.compiling.port_values import ModelOutput
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.configs.model_base import ModelConfigBase
from builders.errors import StepBuildError

# Where SageMaker's framework containers find inference code inside model.tar.gz.
CODE_IN_ARCHIVE = "/opt/ml/model/code"


def single_model_step(name: str, step_args: Any, dependencies: list) -> ModelStep:
    """ModelStep is the SDK's model step; without an entry point it wraps exactly one step."""
    step = ModelStep(name=name, step_args=step_args, depends_on=dependencies or None)
    if len(step.steps) != 1:
        raise StepBuildError(
            "SageMaker wants to repack this model with an extra job. Put the inference code "
            "into the model archive with a Packaging step instead.",
            node=name,
        )
    return step


def model_outputs(step: ModelStep) -> dict[str, Any]:
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
    """A model served by the container of framework `FRAMEWORK`."""

    config: ModelConfigBase
    FRAMEWORK: str

    def build(self, dependencies: list, inputs: dict[str, Any]) -> ModelStep:
        config = self.config
        model = Model(
            image_uri=self.image_uri(
                self.FRAMEWORK,
                config.framework_version,
                py_version=config.py_version,
                instance_type=config.inference_instance_type,
                scope="inference",
            ),
            model_data=inputs["model_artifacts"],
            role=self.role,
            env=inference_code_environment(config.inference_entry_point, config.region),
            sagemaker_session=self.session,
        )
        step_args = model.create(instance_type=config.inference_instance_type)
        return single_model_step(self.node_name, step_args, dependencies)

    def output_properties(self, step: ModelStep) -> dict[str, Any]:
        return model_outputs(step)
