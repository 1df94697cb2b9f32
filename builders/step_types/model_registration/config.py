"""ModelRegistration: register the packaged model in the SageMaker Model Registry."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, computed_field, model_validator

from builders.configs.base import BasePipelineConfig
from builders.configs.containers import check_pytorch_python
from builders.configs.types import (
    PARAMETER,
    ContentType,
    FieldRuleError,
    InferenceInstanceType,
    ModelPackageGroupName,
    ScriptName,
    TransformInstanceType,
)


class RegistrationConfig(BasePipelineConfig):
    """A model package in a model package group, with what it accepts and where it serves."""

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # a RegisterModel step

    framework: Annotated[
        Literal["xgboost", "pytorch", "sklearn"],
        Field(description="Framework of the serving container."),
    ] = "xgboost"
    inference_image_uri: Annotated[
        str | None,
        Field(description="Your own serving image. Leave empty for the framework's image."),
    ] = None
    inference_entry_point: Annotated[
        ScriptName | None,
        Field(
            description="Inference script inside the archive's code/ folder. Leave empty for "
            "the container's default handler."
        ),
    ] = "inference.py"
    model_package_group: Annotated[
        ModelPackageGroupName | None,
        Field(description="Model package group. Leave empty to use the pipeline name."),
    ] = None
    approval_status: Annotated[
        Literal["PendingManualApproval", "Approved", "Rejected"],
        PARAMETER,
        Field(description="Approval status the new model version starts with."),
    ] = "PendingManualApproval"
    model_description: Annotated[
        str, Field(max_length=1024, description="Description of the model version.")
    ] = ""
    content_types: Annotated[
        list[ContentType], Field(min_length=1, description="Formats the model accepts.")
    ] = ["text/csv"]
    response_types: Annotated[
        list[ContentType], Field(min_length=1, description="Formats the model answers in.")
    ] = ["application/json"]
    inference_instances: Annotated[
        list[InferenceInstanceType],
        Field(min_length=1, description="Instance types for real-time inference."),
    ] = ["ml.m5.large"]
    transform_instances: Annotated[
        list[TransformInstanceType],
        Field(min_length=1, description="Instance types for batch transform."),
    ] = ["ml.m5.large"]
    domain: Annotated[
        Literal["MACHINE_LEARNING", "COMPUTER_VISION", "NATURAL_LANGUAGE_PROCESSING"] | None,
        Field(description="Domain of the model."),
    ] = "MACHINE_LEARNING"
    task: Annotated[
        Literal["CLASSIFICATION", "REGRESSION", "OTHER"] | None,
        Field(description="Task the model performs."),
    ] = "CLASSIFICATION"
    customer_metadata: Annotated[
        dict[str, str], Field(description="Your own key-value metadata for the model version.")
    ] = {}

    @model_validator(mode="after")
    def _check_serving_container(self) -> RegistrationConfig:
        if self.inference_image_uri:
            return self  # your own image: the framework's versions do not apply
        from builders.registry import REGISTRY  # the registry imports this module

        versions = REGISTRY.container_versions().get(self.framework, ())
        if self.framework_version not in versions:
            raise FieldRuleError(
                "framework_version",
                f"{self.framework} serving containers come in versions {', '.join(versions)}",
            )
        if self.framework == "pytorch":
            check_pytorch_python(self.framework_version, self.py_version)
        elif self.py_version != "py3":  # the other frameworks' containers take any Python 3
            raise FieldRuleError(
                "py_version",
                f"{self.framework} {self.framework_version} serving containers use py3",
            )
        return self

    @computed_field(description="Model package group the model is registered in.")
    @property
    def effective_model_package_group(self) -> str:
        # A group name ends with a letter or digit: the cut may leave a hyphen last.
        return self.model_package_group or self.pipeline_name[:63].rstrip("-")
