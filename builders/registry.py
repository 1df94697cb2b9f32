"""The step registry: every step type, its Config class, Builder class and typed ports.

The palette, the forms, validation, wiring and export all read this registry, so a new step
type needs one config module, one builder module and one `register(StepType(...))`.
Builders are named by import path and loaded on first use: they import the SageMaker SDK,
which the registry's readers (the app's pages among them) must not pay for.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from builders.configs.base import BasePipelineConfig
from builders.configs.batch_transform import BatchTransformConfig
from builders.configs.data_loading import DataLoadingConfig
from builders.configs.model import PyTorchModelConfig, XGBoostModelConfig
from builders.configs.packaging import PackageStepConfig
from builders.configs.payload import PayloadConfig
from builders.configs.pytorch_training import PyTorchTrainingConfig
from builders.configs.registration import RegistrationConfig
from builders.configs.tabular_preprocessing import TabularPreprocessingConfig
from builders.configs.xgboost_training import XGBoostTrainingConfig
from builders.errors import UnknownStepTypeError
from builders.ports import Port, PortKind


@dataclass(frozen=True)
class StepType:
    """One kind of step: what users see in the palette and how it is built and wired."""

    name: str
    display_name: str
    category: str
    description: str
    config_class: type[BasePipelineConfig]
    builder: str | type  # "package.module:ClassName", or the class itself
    inputs: tuple[Port, ...] = ()
    outputs: tuple[Port, ...] = ()

    def builder_class(self) -> type:
        if not isinstance(self.builder, str):
            return self.builder
        module_name, _, class_name = self.builder.partition(":")
        return getattr(importlib.import_module(module_name), class_name)

    def input(self, name: str) -> Port:
        return _port(self.inputs, name, self.name)

    def output(self, name: str) -> Port:
        return _port(self.outputs, name, self.name)


def _port(ports: tuple[Port, ...], name: str, step_type: str) -> Port:
    for port in ports:
        if port.name == name:
            return port
    raise KeyError(f"{step_type} has no port named {name!r}")


class StepRegistry:
    """Step types by name, in the order they were registered."""

    def __init__(self, step_types: tuple[StepType, ...] = ()):
        self._types: dict[str, StepType] = {}
        for step_type in step_types:
            self.register(step_type)

    def register(self, step_type: StepType) -> StepType:
        if step_type.name in self._types:
            raise ValueError(f"Step type {step_type.name!r} is already registered")
        for known in self._types.values():
            if known.config_class is step_type.config_class:
                raise ValueError(
                    f"{step_type.config_class.__name__} already belongs to step type {known.name}"
                )
        self._types[step_type.name] = step_type
        return step_type

    def unregister(self, name: str) -> None:
        self._types.pop(name, None)

    def get(self, name: str, *, node: str | None = None) -> StepType:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(self._types)
            raise UnknownStepTypeError(
                f"Unknown step type '{name}'. Known step types: {known}.", node=node
            ) from None

    def for_config(self, config: BaseModel | type[BaseModel], *, node: str | None = None):
        """The step type whose Config class is the class of `config` (or `config` itself)."""
        config_class = config if isinstance(config, type) else type(config)
        for step_type in self._types.values():
            if step_type.config_class is config_class:
                return step_type
        raise UnknownStepTypeError(
            f"{config_class.__name__} is not the Config class of any registered step type.",
            node=node,
        )

    def config_class_named(self, class_name: str, *, node: str | None = None) -> type:
        for step_type in self._types.values():
            if step_type.config_class.__name__ == class_name:
                return step_type.config_class
        raise UnknownStepTypeError(
            f"Unknown config class '{class_name}'. It must be the Config class of a registered "
            f"step type ({', '.join(t.config_class.__name__ for t in self._types.values())}).",
            node=node,
        )

    def producers_of(self, kind: PortKind) -> list[StepType]:
        return [t for t in self._types.values() if any(p.kind is kind for p in t.outputs)]

    def by_category(self) -> dict[str, list[StepType]]:
        categories: dict[str, list[StepType]] = {}
        for step_type in self._types.values():
            categories.setdefault(step_type.category, []).append(step_type)
        return categories

    def names(self) -> list[str]:
        return list(self._types)

    def __iter__(self) -> Iterator[StepType]:
        return iter(list(self._types.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._types


K = PortKind
_MODEL_ARTIFACTS_IN = Port(
    "model_artifacts",
    K.MODEL_ARTIFACTS,
    "The model.tar.gz of a training or model step; else the config's model_data.",
    config_field="model_data",
)
_MODEL_OUTPUTS = (
    Port("model", K.MODEL, "Name of the SageMaker model."),
    Port("model_artifacts", K.MODEL_ARTIFACTS, "S3 URI of the model's model.tar.gz."),
)
_TRAINING_DATA_IN = Port("training_data", K.PROCESSED_DATA, "Folder with train/, val/, test/.")
_TRAINED_MODEL_OUT = Port("model_artifacts", K.MODEL_ARTIFACTS, "The trained model.tar.gz.")

REGISTRY = StepRegistry(
    (
        StepType(
            name="DataLoading",
            display_name="Data loading",
            category="Data",
            description="Reads CSV, Parquet or JSON-lines files from S3 and writes one "
            "dataset with its column metadata and signature (header).",
            config_class=DataLoadingConfig,
            builder="builders.steps.data_loading:DataLoadingStepBuilder",
            outputs=(
                Port("data", K.TABULAR_DATA, "The data as headerless CSV."),
                Port("metadata", K.DATA_METADATA, "Column names and types (metadata.json)."),
                Port("signature", K.DATA_SIGNATURE, "The header row (signature file)."),
            ),
        ),
        StepType(
            name="TabularPreprocessing",
            display_name="Tabular preprocessing",
            category="Data",
            description="Drops unlabelled rows and splits the data into train, validation "
            "and test sets (or cleans a validation, test or calibration set).",
            config_class=TabularPreprocessingConfig,
            builder="builders.steps.tabular_preprocessing:TabularPreprocessingStepBuilder",
            inputs=(
                Port("data", K.TABULAR_DATA, "The data to split."),
                Port("signature", K.DATA_SIGNATURE, "Header of headerless data.", required=False),
            ),
            outputs=(Port("processed_data", K.PROCESSED_DATA, "Folder with the split data."),),
        ),
        StepType(
            name="XGBoostTraining",
            display_name="XGBoost training",
            category="Training",
            description="Trains an XGBoost model on the train/val/test splits.",
            config_class=XGBoostTrainingConfig,
            builder="builders.steps.training:XGBoostTrainingStepBuilder",
            inputs=(_TRAINING_DATA_IN,),
            outputs=(_TRAINED_MODEL_OUT,),
        ),
        StepType(
            name="PyTorchTraining",
            display_name="PyTorch training",
            category="Training",
            description="Trains a PyTorch model with your training script.",
            config_class=PyTorchTrainingConfig,
            builder="builders.steps.training:PyTorchTrainingStepBuilder",
            inputs=(_TRAINING_DATA_IN,),
            outputs=(_TRAINED_MODEL_OUT,),
        ),
        StepType(
            name="XGBoostModel",
            display_name="XGBoost model",
            category="Model",
            description="Creates a SageMaker model served by the XGBoost container.",
            config_class=XGBoostModelConfig,
            builder="builders.steps.model:XGBoostModelStepBuilder",
            inputs=(_MODEL_ARTIFACTS_IN,),
            outputs=_MODEL_OUTPUTS,
        ),
        StepType(
            name="PyTorchModel",
            display_name="PyTorch model",
            category="Model",
            description="Creates a SageMaker model served by the PyTorch container.",
            config_class=PyTorchModelConfig,
            builder="builders.steps.model:PyTorchModelStepBuilder",
            inputs=(_MODEL_ARTIFACTS_IN,),
            outputs=_MODEL_OUTPUTS,
        ),
        StepType(
            name="BatchTransform",
            display_name="Batch transform",
            category="Inference",
            description="Scores a dataset with a model in a batch transform job.",
            config_class=BatchTransformConfig,
            builder="builders.steps.batch_transform:BatchTransformStepBuilder",
            inputs=(
                Port("model", K.MODEL, "The SageMaker model that scores the data."),
                Port("data", K.TABULAR_DATA, "The data to score."),
            ),
            outputs=(Port("transform_output", K.TRANSFORM_OUTPUT, "Folder of predictions."),),
        ),
        StepType(
            name="Packaging",
            display_name="Packaging",
            category="Registration",
            description="Puts model artifacts and inference code (under code/) into one "
            "model.tar.gz.",
            config_class=PackageStepConfig,
            builder="builders.steps.packaging:MIMSPackagingStepBuilder",
            inputs=(Port("model_artifacts", K.MODEL_ARTIFACTS, "The model.tar.gz to package."),),
            outputs=(
                Port("packaged_model", K.PACKAGED_MODEL, "S3 URI of the packaged model."),
                Port(
                    "model_artifacts",
                    K.MODEL_ARTIFACTS,
                    "The same archive, for a model step that serves it with its inference "
                    "code: batch transform then scores as the registered model does.",
                ),
            ),
        ),
        StepType(
            name="Payload",
            display_name="Payload samples",
            category="Registration",
            description="Builds sample requests from the model's input schema and uploads "
            "them as a tar.gz for testing and registration.",
            config_class=PayloadConfig,
            builder="builders.steps.payload:MIMSPayloadStepBuilder",
            inputs=(
                Port(
                    "packaged_model",
                    K.PACKAGED_MODEL,
                    "Runs after packaging; the samples do not read the model.",
                    required=False,
                ),
            ),
            outputs=(Port("payload", K.PAYLOAD_SAMPLES, "S3 URI of the payload archive."),),
        ),
        StepType(
            name="ModelRegistration",
            display_name="Model registration",
            category="Registration",
            description="Registers the packaged model in the SageMaker Model Registry.",
            config_class=RegistrationConfig,
            builder="builders.steps.registration:ModelRegistrationStepBuilder",
            inputs=(
                Port("packaged_model", K.PACKAGED_MODEL, "The model.tar.gz to register."),
                Port("payload", K.PAYLOAD_SAMPLES, "Sample requests for the model.", False),
            ),
        ),
    )
)
