"""ModelRegistrationStepBuilder: a model package in the SageMaker Model Registry."""

from __future__ import annotations

from typing import Any

from builders.compiling.sdk import jobs
from builders.compiling.steps.model import inference_code_environment
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.model_registration.config import RegistrationConfig

# The Model Registry's names of the frameworks (ModelPackageContainerDefinition.Framework).
FRAMEWORK_NAMES = {"xgboost": "XGBOOST", "pytorch": "PYTORCH", "sklearn": "SAGEMAKER-SCIKIT-LEARN"}


class ModelRegistrationStepBuilder(StepBuilderBase):
    config: RegistrationConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        evaluation = inputs.get("evaluation")
        package = jobs.ModelPackage(
            container=jobs.Container(
                image=config.inference_image_uri or self._framework_image(),
                model_data=inputs["packaged_model"],
                role=self.role,
                environment=inference_code_environment(config.inference_entry_point, config.region),
            ),
            group=config.effective_model_package_group,
            content_types=tuple(config.content_types),
            response_types=tuple(config.response_types),
            inference_instances=tuple(config.inference_instances),
            transform_instances=tuple(config.transform_instances),
            approval_status=config.approval_status,
            framework=FRAMEWORK_NAMES[config.framework],
            framework_version=config.framework_version,
            description=config.model_description or None,
            domain=config.domain,
            task=config.task,
            sample_payload_url=inputs.get("payload"),
            customer_metadata=dict(config.customer_metadata) or None,
            # An upstream evaluation's evaluation.json: the version's quality statistics.
            quality_report=evaluation.report_uri if evaluation is not None else None,
        )
        return self.sdk.registration_step(
            self.node_name, package, session=self.session, depends_on=dependencies
        )

    def _framework_image(self) -> str:
        config = self.config
        return self.image_uri(
            config.framework,
            config.framework_version,
            py_version=config.py_version,
            instance_type=config.inference_instances[0],
            scope="inference",
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        return {}
