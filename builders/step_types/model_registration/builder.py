"""ModelRegistrationStepBuilder: a model package in the SageMaker Model Registry."""

from __future__ import annotations

from typing import Any

from builders.compiling.steps.model import inference_code_environment, single_model_step
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.step_types.model_registration.config import RegistrationConfig

# The Model Registry's names of the frameworks (ModelPackageContainerDefinition.Framework).
FRAMEWORK_NAMES = {"xgboost": "XGBOOST", "pytorch": "PYTORCH", "sklearn": "SAGEMAKER-SCIKIT-LEARN"}


def model_metrics(evaluation: Any) -> Any:
    """An upstream evaluation's evaluation.json as the model version's quality statistics."""
    if evaluation is None:
        return None
    from sagemaker.model_metrics import MetricsSource, ModelMetrics

    return ModelMetrics(
        model_statistics=MetricsSource(
            s3_uri=evaluation.report_uri, content_type="application/json"
        )
    )


class ModelRegistrationStepBuilder(StepBuilderBase):
    config: RegistrationConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        from sagemaker.model import Model

        config = self.config
        model = Model(
            image_uri=config.inference_image_uri or self._framework_image(),
            model_data=inputs["packaged_model"],
            role=self.role,
            env=inference_code_environment(config.inference_entry_point, config.region),
            sagemaker_session=self.session,
        )
        step_args = model.register(
            content_types=list(config.content_types),
            response_types=list(config.response_types),
            inference_instances=list(config.inference_instances),
            transform_instances=list(config.transform_instances),
            model_package_group_name=config.effective_model_package_group,
            approval_status=config.approval_status,
            description=config.model_description or None,
            domain=config.domain,
            task=config.task,
            sample_payload_url=inputs.get("payload"),
            customer_metadata_properties=dict(config.customer_metadata) or None,
            model_metrics=model_metrics(inputs.get("evaluation")),
            framework=FRAMEWORK_NAMES[config.framework],
            framework_version=config.framework_version,
        )
        return single_model_step(self.node_name, step_args, dependencies)

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
