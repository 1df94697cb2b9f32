"""The registry: the built-in step types, their metadata, and a new type added by one entry."""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal

import boto3
import pytest
from pydantic import BaseModel, Field
from support import sdk_classes

from builders.cli import main as cli
from builders.compiling.compile import compile_pipeline
from builders.compiling.sagemaker_env import image_uri
from builders.compiling.sdk import backend
from builders.compiling.steps.processing import ProcessingStepBuilder, processing_input
from builders.configs.base import ProcessingStepConfigBase
from builders.configs.containers import PYTORCH_PYTHON
from builders.configs.hyperparameters import ModelHyperparameters
from builders.configs.types import AwsRegion
from builders.designs.config_io import load_configs, merge_and_save_configs, node_values
from builders.errors import UnknownStepTypeError
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG
from builders.ports import Port, PortKind
from builders.registry import REGISTRY, StepType
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.endpoint import sdk as endpoint_sdk
from builders.step_types.endpoint_config import sdk as endpoint_config_sdk
from builders.step_types.lambda_call import sdk as lambda_call_sdk
from builders.step_types.python_function import sdk as python_function_sdk
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig

(ConditionStep, FailStep, ModelStep, ProcessingStep, TrainingStep, TransformStep) = sdk_classes(
    "ConditionStep", "FailStep", "ModelStep", "ProcessingStep", "TrainingStep", "TransformStep"
)
(TuningStep,) = sdk_classes("TuningStep")
# The classes of the steps only one step type makes: its sdk.py says where each SDK has them.
EndpointConfigStep = backend().classes(endpoint_config_sdk.CLASSES).EndpointConfigStep
EndpointStep = backend().classes(endpoint_sdk.CLASSES).EndpointStep
LambdaStep = backend().classes(lambda_call_sdk.CLASSES).LambdaStep
_FunctionStep = backend().classes(python_function_sdk.CLASSES)._FunctionStep
STEP_TYPES = {
    # step type: (Config class, Builder class, SageMaker step class)
    "DataLoading": ("DataLoadingConfig", "DataLoadingStepBuilder", ProcessingStep),
    "TabularPreprocessing": (
        "TabularPreprocessingConfig",
        "TabularPreprocessingStepBuilder",
        ProcessingStep,
    ),
    "ScriptProcessing": ("ScriptProcessingConfig", "ScriptProcessingStepBuilder", ProcessingStep),
    "PythonFunction": ("PythonFunctionConfig", "PythonFunctionStepBuilder", _FunctionStep),
    "LambdaCall": ("LambdaCallConfig", "LambdaCallStepBuilder", LambdaStep),
    "XGBoostTraining": ("XGBoostTrainingConfig", "XGBoostTrainingStepBuilder", TrainingStep),
    "XGBoostTuning": ("XGBoostTuningConfig", "XGBoostTuningStepBuilder", TuningStep),
    "PyTorchTraining": ("PyTorchTrainingConfig", "PyTorchTrainingStepBuilder", TrainingStep),
    "PyTorchTuning": ("PyTorchTuningConfig", "PyTorchTuningStepBuilder", TuningStep),
    "XGBoostModel": ("XGBoostModelConfig", "XGBoostModelStepBuilder", ModelStep),
    "PyTorchModel": ("PyTorchModelConfig", "PyTorchModelStepBuilder", ModelStep),
    "ModelEvaluation": ("ModelEvaluationConfig", "ModelEvaluationStepBuilder", ProcessingStep),
    "Condition": ("ConditionConfig", "ConditionStepBuilder", ConditionStep),
    "Fail": ("FailConfig", "FailStepBuilder", FailStep),
    "BatchTransform": ("BatchTransformConfig", "BatchTransformStepBuilder", TransformStep),
    "EndpointConfig": (
        "EndpointConfigStepConfig",
        "EndpointConfigStepBuilder",
        EndpointConfigStep,
    ),
    "Endpoint": ("EndpointStepConfig", "EndpointStepBuilder", EndpointStep),
    "Packaging": ("PackagingConfig", "PackagingStepBuilder", ProcessingStep),
    "Payload": ("PayloadConfig", "PayloadStepBuilder", ProcessingStep),
    "ModelRegistration": ("RegistrationConfig", "ModelRegistrationStepBuilder", ModelStep),
}


def test_the_step_types_with_their_class_names():
    assert REGISTRY.names() == list(STEP_TYPES)
    for name, (config_name, builder_name, _) in STEP_TYPES.items():
        step_type = REGISTRY.get(name)
        assert step_type.config_class.__name__ == config_name
        assert step_type.builder_class().__name__ == builder_name
        assert step_type.display_name and step_type.category and step_type.description


def test_the_seeds_class_names_stay_importable_and_readable():
    from builders.step_types.packaging import PackageStepConfig
    from builders.step_types.packaging.builder import MIMSPackagingStepBuilder
    from builders.step_types.payload.builder import MIMSPayloadStepBuilder
    from builders.step_types.payload.config import PayloadConfig

    assert PackageStepConfig is REGISTRY.get("Packaging").config_class
    assert MIMSPackagingStepBuilder is REGISTRY.get("Packaging").builder_class()
    assert PayloadConfig is REGISTRY.get("Payload").config_class
    assert MIMSPayloadStepBuilder is REGISTRY.get("Payload").builder_class()
    # Config files written with the seed's class name still load.
    assert REGISTRY.config_class_named("PackageStepConfig") is PackageStepConfig


def test_every_port_has_a_description_and_a_unique_name():
    for step_type in REGISTRY:
        for ports in (step_type.inputs, step_type.outputs):
            assert len({p.name for p in ports}) == len(ports)
            assert all(p.description for p in ports)


def _models(model: type[BaseModel]):
    yield model
    for info in model.model_fields.values():
        for arg in (info.annotation, *typing.get_args(info.annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _models(arg)


def test_every_config_field_has_a_description():
    for step_type in REGISTRY:
        for model in _models(step_type.config_class):
            missing = [n for n, f in model.model_fields.items() if not f.description]
            assert missing == [], f"{model.__name__} fields without description: {missing}"
    assert all(f.description for f in ModelHyperparameters.model_fields.values())


def test_regions_are_real_sagemaker_regions():
    known = set(boto3.session.Session().get_available_regions("sagemaker"))
    assert set(typing.get_args(AwsRegion)) <= known


@pytest.mark.parametrize(
    ("framework", "config", "field", "scope"),
    [
        ("xgboost", "XGBoostTraining", "framework_version", "training"),
        ("pytorch", "PyTorchTraining", "framework_version", "training"),
        ("sklearn", "DataLoading", "processing_framework_version", None),
    ],
)
def test_offered_framework_versions_have_sagemaker_images(framework, config, field, scope):
    annotation = REGISTRY.get(config).config_class.model_fields[field].annotation
    for version in typing.get_args(annotation):
        py_version = PYTORCH_PYTHON[version] if framework == "pytorch" else None
        uri = image_uri(
            framework,
            "us-east-1",
            version,
            py_version=py_version,
            instance_type="ml.m5.xlarge",
            scope=scope,
        )
        assert uri.startswith(tuple("0123456789"))


def test_unknown_names_are_named_errors_listing_what_exists():
    with pytest.raises(UnknownStepTypeError) as raised:
        REGISTRY.get("Training", node="n1")
    assert raised.value.node == "n1" and "XGBoostTraining" in str(raised.value)
    with pytest.raises(UnknownStepTypeError):
        REGISTRY.for_config(ModelHyperparameters)
    with pytest.raises(UnknownStepTypeError) as raised:
        REGISTRY.config_class_named("FooConfig", node="n2")
    assert "PayloadConfig" in str(raised.value)


def test_a_step_type_and_its_config_class_register_once():
    with pytest.raises(ValueError, match="already registered"):
        REGISTRY.register(REGISTRY.get("Payload"))


def test_categories_group_the_palette():
    categories = REGISTRY.by_category()
    assert list(categories) == [
        "Data",
        "Training",
        "Model",
        "Quality gate",
        "Inference",
        "Registration",
    ]
    assert [t.name for t in categories["Quality gate"]] == ["Condition", "Fail"]
    assert [t.name for t in categories["Registration"]] == [
        "Packaging",
        "Payload",
        "ModelRegistration",
    ]


# -- a new step type, defined only here -------------------------------------------------
class FeatureSelectionConfig(ProcessingStepConfigBase):
    """Keeps the most useful columns of a dataset."""

    processing_entry_point: Annotated[str, Field(description="Script.")] = "select.py"
    max_features: Annotated[int, Field(ge=1, le=1000, description="Columns to keep.")] = 20
    method: Annotated[
        Literal["variance", "correlation"], Field(description="How columns are ranked.")
    ] = "variance"


class FeatureSelectionStepBuilder(ProcessingStepBuilder):
    OUTPUTS = {"data": "selected"}

    def settings(self) -> dict[str, Any]:
        return {"max_features": self.config.max_features, "method": self.config.method}

    def processing_inputs(self, inputs):
        return [processing_input("data", inputs["data"])]


@pytest.fixture
def feature_selection(tmp_path_factory, monkeypatch):
    monkeypatch.setattr(REGISTRY, "_types", dict(REGISTRY._types))  # as it was, after
    job = tmp_path_factory.mktemp("job")
    (job / "select.py").write_text("print('selected')\n")
    step_type = REGISTRY.register(
        StepType(
            name="FeatureSelection",
            display_name="Feature selection",
            category="Data",
            description="Keeps the most useful columns.",
            config_class=FeatureSelectionConfig,
            builder=FeatureSelectionStepBuilder,
            inputs=(Port("data", PortKind.TABULAR_DATA, "Data to select from."),),
            outputs=(Port("data", PortKind.TABULAR_DATA, "The selected columns."),),
            job=job,
        )
    )
    return step_type


def _design(base, tmp_path, max_features=10):
    dag = PipelineDAG.from_adjacency({"Load": [], "Select": ["Load"], "Prep": ["Select"]})
    configs = {
        "Load": DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/raw/"]),
        "Select": FeatureSelectionConfig(**base, max_features=max_features),
        "Prep": TabularPreprocessingConfig(**base, label_name="label"),
    }
    (tmp_path / "dag.json").write_text(json.dumps(dag.to_adjacency()))
    merge_and_save_configs(configs, tmp_path / "config.json")
    return dag, configs


def _files(folder) -> list[str]:
    return ["--dag", str(folder / "dag.json"), "--config", str(folder / "config.json")]


def test_a_new_step_type_needs_only_a_registry_entry(feature_selection, base, tmp_path):
    dag, configs = _design(base, tmp_path)
    assert load_configs(tmp_path / "config.json") == configs  # the one-file JSON
    classes, values = node_values(json.loads((tmp_path / "config.json").read_text()))
    assert check_and_wire(dag, classes, values)[0] == []  # validation and wiring
    compiled = compile_pipeline(dag, configs)
    steps = {s["Name"]: s for s in compiled.definition["Steps"]}
    assert steps["Select"]["Arguments"]["AppSpecification"]["ContainerEntrypoint"][-1].endswith(
        "select.py"
    )
    prep_inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in steps["Prep"]["Arguments"][
        "ProcessingInputs"
    ]}  # fmt: skip
    assert prep_inputs["data"] == {
        "Get": "Steps.Select.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri"
    }
    assert steps["Prep"]["DependsOn"] == ["Select"]
    assert cli(["validate", *_files(tmp_path)]) == 0


def test_a_new_step_types_rules_are_validated(feature_selection, base, tmp_path, capsys):
    _design(base, tmp_path)
    text = (tmp_path / "config.json").read_text().replace('"max_features": 10', '"max_features": 0')
    (tmp_path / "config.json").write_text(text)
    code = cli(["validate", *_files(tmp_path)])
    assert code == 1
    assert "Select.max_features: must be at least 1" in capsys.readouterr().err
