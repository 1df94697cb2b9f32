"""Each builder turns its Config into exactly one SageMaker step with the right request."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from support import sdk_classes

from builders.compiling.sagemaker_env import offline_build
from builders.compiling.sdk import backend
from builders.compiling.staging import CodeStager
from builders.errors import StepBuildError, UnresolvedInputError
from builders.registry import REGISTRY
from builders.step_types.batch_transform.config import BatchTransformConfig
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.packaging.config import PackageStepConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.payload.samples import payload_spec
from builders.step_types.pytorch_model.config import PyTorchModelConfig
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

DATA = "s3://my-ml-bucket/data/processed"
ARTIFACTS = "s3://my-ml-bucket/models/model.tar.gz"
LOC = "s3://my-ml-bucket/pipelines/ml-team-fraud-us-east-1/1.0.0"
EXECUTION_ID = {"Get": "Execution.PipelineExecutionId"}
Join, ModelStep, ProcessingStep, TrainingStep, TransformStep = sdk_classes(
    "Join", "ModelStep", "ProcessingStep", "TrainingStep", "TransformStep"
)
# Channels SDK 3's ModelTrainer adds: the staged code and its container drivers.
SDK_CHANNELS = {"code", "sm_drivers"}


def in_run(prefix: str, *parts: str) -> dict:
    """An S3 location under the run's execution id, as the definition JSON writes it."""
    return {"Std:Join": {"On": "/", "Values": [prefix, EXECUTION_ID, *parts]}}


def build(config, node: str = "Node", stager: CodeStager | None = None, **inputs):
    """(step, request dict, stager) for one node built by its registered builder."""
    builder_class = REGISTRY.for_config(config).builder_class()
    stager = stager or CodeStager()
    builder = builder_class(config, node_name=node, stager=stager)
    step = builder.create_step(dependencies=[], **inputs)
    with offline_build(config.region):
        requests = [inner.to_request() for inner in backend().inner_steps(step)]
    assert len(requests) == 1, "a builder makes exactly one SageMaker step"
    # Pipeline variables (Get, Join) as they appear in the definition JSON.
    request = json.loads(json.dumps(requests[0], default=lambda variable: variable.expr))
    return step, request, stager, builder


def inputs_of(request: dict) -> dict:
    return {i["InputName"]: i["S3Input"] for i in request["Arguments"]["ProcessingInputs"]}


def outputs_of(request: dict) -> dict:
    outputs = request["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    return {o["OutputName"]: o["S3Output"]["S3Uri"] for o in outputs}


def staged(stager: CodeStager) -> dict[str, bytes]:
    return {obj.s3_uri: obj.content for obj in stager.objects}


def training_code(request: dict, stager: CodeStager) -> tuple[str, bytes]:
    """(entry point, staged sourcedir.tar.gz) of a training job, as its container finds them:
    in SageMaker's script-mode hyperparameters (SDK 2's estimators) or in the `code` channel
    and the drivers' sourcecode.json (SDK 3's ModelTrainer)."""
    args = request["Arguments"]
    hyper = args["HyperParameters"]
    if "sagemaker_program" in hyper:
        program = json.loads(hyper["sagemaker_program"])
        return program, staged(stager)[json.loads(hyper["sagemaker_submit_directory"])]
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in args["InputDataConfig"]
    }
    source = json.loads(staged(stager)[channels["sm_drivers"] + "sourcecode.json"])
    assert source["source_dir"] == channels["code"]
    return source["entry_script"], staged(stager)[channels["code"]]


def settings_of(request: dict, stager: CodeStager) -> dict:
    prefix = inputs_of(request)["config"]["S3Uri"]
    return json.loads(staged(stager)[prefix + "settings.json"])


def test_data_loading_reads_every_source_and_writes_three_outputs(base):
    config = DataLoadingConfig(
        **base,
        data_sources=["s3://my-ml-bucket/a/", "s3://my-ml-bucket/b.csv"],
        data_format="parquet",
    )
    step, request, stager, _ = build(config, "LoadTrain")
    assert isinstance(step, ProcessingStep) and request["Name"] == "LoadTrain"
    args = request["Arguments"]
    assert args["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/data_loading.py",
    ]
    assert "sagemaker-scikit-learn:1.2-1" in args["AppSpecification"]["ImageUri"]
    assert args["ProcessingResources"]["ClusterConfig"] == {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
    }
    sources = inputs_of(request)
    assert sources["source_0"]["S3Uri"] == "s3://my-ml-bucket/a/"
    assert sources["source_1"]["LocalPath"] == "/opt/ml/processing/input/data/source_1"
    assert outputs_of(request) == {
        port: in_run(f"{LOC}/runs", "LoadTrain", port) for port in ("data", "metadata", "signature")
    }
    assert settings_of(request, stager) == {
        "job_type": "training",
        "data_format": "parquet",
        "csv_has_header": True,
        "column_names": [],
    }
    code = staged(stager)
    assert inputs_of(request)["code"]["S3Uri"] + "data_loading.py" in code


def test_large_instance_switch_and_custom_script(base, tmp_path):
    (tmp_path / "mine.py").write_text("print('hi')\n")
    config = DataLoadingConfig(
        **base,
        data_sources=["s3://my-ml-bucket/a/"],
        use_large_processing_instance=True,
        processing_instance_count=3,
        processing_source_dir=str(tmp_path),
        processing_entry_point="mine.py",
        processing_script_arguments=["--fast"],
    )
    _, request, stager, _ = build(config)
    args = request["Arguments"]
    assert args["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.4xlarge"
    assert args["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 3
    assert args["AppSpecification"]["ContainerArguments"] == ["--fast"]
    assert args["AppSpecification"]["ContainerEntrypoint"][-1].endswith("/code/mine.py")
    code_prefix = inputs_of(request)["code"]["S3Uri"]
    assert staged(stager)[code_prefix + "mine.py"] == b"print('hi')\n"


def test_tabular_preprocessing_takes_data_and_optional_signature(base):
    config = TabularPreprocessingConfig(**base, label_name="label", train_ratio=0.8)
    _, with_signature, stager, _ = build(config, data=DATA, signature="s3://my-ml-bucket/sig")
    assert inputs_of(with_signature)["signature"]["S3Uri"] == "s3://my-ml-bucket/sig"
    assert inputs_of(with_signature)["data"]["LocalPath"] == "/opt/ml/processing/input/data"
    assert settings_of(with_signature, stager)["train_ratio"] == 0.8
    _, without, _, _ = build(config, data=DATA)
    assert "signature" not in inputs_of(without)


def test_a_missing_required_input_names_node_and_port(base):
    config = TabularPreprocessingConfig(**base, label_name="label")
    with pytest.raises(UnresolvedInputError) as raised:
        build(config, "Preprocess")
    assert (raised.value.node, raised.value.port) == ("Preprocess", "data")


def test_xgboost_training_stages_the_builtin_script_and_hyperparameters(base, hyperparameters):
    config = XGBoostTrainingConfig(**base, hyperparameters=hyperparameters, max_runtime_seconds=600)
    step, request, stager, builder = build(config, "Train", training_data=DATA)
    assert isinstance(step, TrainingStep)
    args = request["Arguments"]
    assert "sagemaker-xgboost:1.7-1" in args["AlgorithmSpecification"]["TrainingImage"]
    assert args["StoppingCondition"] == {"MaxRuntimeInSeconds": 600}
    assert args["OutputDataConfig"]["S3OutputPath"] == in_run(
        f"{LOC}/runs", "Train", "model_artifacts"
    )
    assert {d["Name"] for d in args["AlgorithmSpecification"]["MetricDefinitions"]} >= {
        "val:auc",
        "test:logloss",
    }
    program, archive = training_code(request, stager)
    assert program == "xgboost_train.py"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert {"xgboost_train.py", "container_paths.py"} <= set(tar.getnames())
    channels = {c["ChannelName"]: c for c in args["InputDataConfig"]}
    assert set(channels) - SDK_CHANNELS == {"train", "val", "test", "config"}
    assert channels["train"]["DataSource"]["S3DataSource"]["S3Uri"] == {
        "Std:Join": {"On": "/", "Values": [DATA, "train"]}
    }
    settings_prefix = channels["config"]["DataSource"]["S3DataSource"]["S3Uri"]
    settings = json.loads(staged(stager)[settings_prefix + "settings.json"])
    assert settings == config.hyperparameters.model_dump(mode="json")
    assert builder.output_properties(step)["model_artifacts"].expr == {
        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"
    }


def test_pytorch_training_stages_your_source_folder(base, hyperparameters, tmp_path):
    (tmp_path / "train.py").write_text("import torch\n")
    config = PyTorchTrainingConfig(
        **base, source_dir=str(tmp_path), hyperparameters=hyperparameters
    )
    _, request, stager, _ = build(config, "TrainTorch", training_data=DATA)
    args = request["Arguments"]
    assert "pytorch-training:2.1.0-gpu-py310" in args["AlgorithmSpecification"]["TrainingImage"]
    assert args["ResourceConfig"]["InstanceType"] == "ml.g5.2xlarge"
    program, archive = training_code(request, stager)
    assert program == "train.py"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames() == ["train.py"]


def test_xgboost_model_is_one_create_model_step(base):
    step, request, _, builder = build(
        XGBoostModelConfig(**base), "Model", model_artifacts=ARTIFACTS
    )
    assert isinstance(step, ModelStep) and len(backend().inner_steps(step)) == 1
    assert request["Name"] == "Model-CreateModel" and request["Type"] == "Model"
    container = request["Arguments"]["PrimaryContainer"]
    assert container["ModelDataUrl"] == ARTIFACTS
    assert "sagemaker-xgboost:1.7-1" in container["Image"]
    outputs = builder.output_properties(step)
    assert outputs["model"].name.expr == {"Get": "Steps.Model-CreateModel.ModelName"}
    assert outputs["model"].s3_location is outputs["model_artifacts"]  # what a script reads
    assert outputs["model_artifacts"].expr == {
        "Get": "Steps.Model-CreateModel.PrimaryContainer.ModelDataUrl"
    }


def test_pytorch_model_points_the_container_at_code_in_the_archive(base):
    config = PyTorchModelConfig(**base, inference_entry_point="serve.py")
    _, request, _, _ = build(config, "TorchModel", model_artifacts=ARTIFACTS)
    container = request["Arguments"]["PrimaryContainer"]
    assert "pytorch-inference:2.1.0-cpu-py310" in container["Image"]
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "serve.py"
    assert container["Environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"


def test_batch_transform_scores_data_with_the_model(base):
    config = BatchTransformConfig(
        **base, input_filter="$[1:]", join_source="Input", transform_instance_count=2
    )
    step, request, _, builder = build(config, "Score", model="my-model", data=DATA)
    assert isinstance(step, TransformStep)
    args = request["Arguments"]
    assert args["ModelName"] == "my-model"
    assert args["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == DATA
    assert args["TransformInput"]["ContentType"] == "text/csv"
    assert args["TransformInput"]["SplitType"] == "Line"
    assert args["DataProcessing"] == {"InputFilter": "$[1:]", "JoinSource": "Input"}
    assert args["TransformResources"] == {"InstanceType": "ml.m5.large", "InstanceCount": 2}
    assert args["TransformOutput"]["S3OutputPath"] == in_run(
        f"{LOC}/runs", "Score", "transform_output"
    )
    assert builder.output_properties(step)["transform_output"].expr == {
        "Get": "Steps.Score.TransformOutput.S3OutputPath"
    }


def test_packaging_combines_model_and_staged_inference_code(base, tmp_path):
    (tmp_path / "inference.py").write_text("def model_fn(d): ...\n")
    config = PackageStepConfig(**base, source_dir=str(tmp_path))
    step, request, stager, builder = build(config, "Package", model_artifacts=ARTIFACTS)
    inputs = inputs_of(request)
    assert inputs["model"]["S3Uri"] == ARTIFACTS
    assert inputs["model"]["LocalPath"] == "/opt/ml/processing/input/model"
    assert staged(stager)[inputs["script"]["S3Uri"] + "inference.py"].startswith(b"def model_fn")
    assert outputs_of(request) == {
        "packaged_model": in_run(f"{LOC}/runs", "Package", "packaged_model")
    }
    outputs = builder.output_properties(step)
    packaged = outputs["packaged_model"]
    assert isinstance(packaged, Join) and packaged.values[1] == "model.tar.gz"
    assert outputs["model_artifacts"] is packaged  # one archive: registered or served


def payload_config(base, **values) -> PayloadConfig:
    return PayloadConfig(
        **base,
        model_registration_objective="FraudDetection",
        source_model_inference_input_variable_list={"age": "NUMERIC", "country": "TEXT"},
        source_model_inference_output_variable_list={"score": "NUMERIC"},
        **values,
    )


def test_payload_job_reads_the_spec_and_uploads_to_the_configured_key(base):
    config = payload_config(base, sample_payload_s3_key="payloads/fraud/v1/samples.tar.gz")
    step, request, stager, builder = build(config, "Payload")
    assert settings_of(request, stager) == payload_spec(config)
    assert outputs_of(request) == {"payload": in_run("s3://my-ml-bucket/payloads/fraud/v1")}
    uri = builder.output_properties(step)["payload"]
    assert uri.values[1] == "samples.tar.gz"


def test_payload_runs_your_generator_script_with_its_arguments(base, tmp_path):
    script = tmp_path / "my_payloads.py"
    script.write_text("print('custom')\n")
    config = payload_config(
        base, payload_script_path=str(script), payload_script_arguments=["--rows", "5"]
    )
    _, request, stager, _ = build(config, "Payload")
    app = request["Arguments"]["AppSpecification"]
    assert app["ContainerEntrypoint"] == ["python3", "/opt/ml/processing/input/code/my_payloads.py"]
    assert app["ContainerArguments"] == ["--rows", "5"]
    code_prefix = inputs_of(request)["code"]["S3Uri"]
    assert [uri for uri in staged(stager) if uri.startswith(code_prefix)] == [
        code_prefix + "my_payloads.py"
    ]


def test_registration_registers_the_packaged_model_with_its_payload(base):
    config = RegistrationConfig(
        **base,
        approval_status="Approved",
        customer_metadata={"team": "fraud"},
        inference_instances=["ml.m5.large", "ml.c5.xlarge"],
    )
    payload = "s3://my-ml-bucket/payloads/p.tar.gz"
    step, request, _, _ = build(config, "Register", packaged_model=ARTIFACTS, payload=payload)
    assert isinstance(step, ModelStep) and request["Name"] == "Register-RegisterModel"
    args = request["Arguments"]
    assert args["ModelPackageGroupName"] == config.pipeline_name
    assert args["ModelApprovalStatus"] == "Approved"
    assert args["SamplePayloadUrl"] == payload
    assert args["CustomerMetadataProperties"] == {"team": "fraud"}
    spec = args["InferenceSpecification"]
    assert spec["SupportedRealtimeInferenceInstanceTypes"] == ["ml.m5.large", "ml.c5.xlarge"]
    assert spec["SupportedContentTypes"] == ["text/csv"]
    assert spec["Containers"][0]["ModelDataUrl"] == ARTIFACTS


def test_registration_without_payload_or_entry_point(base):
    config = RegistrationConfig(
        **base,
        inference_entry_point=None,
        inference_image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1",
    )
    _, request, _, _ = build(config, "Register", packaged_model=ARTIFACTS)
    args = request["Arguments"]
    assert "SamplePayloadUrl" not in args
    container = args["InferenceSpecification"]["Containers"][0]
    assert container["Image"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"
    assert "Environment" not in container or not container["Environment"]


def test_an_unsupported_region_is_a_build_error_naming_node_and_field(base):
    config = TabularPreprocessingConfig(**dict(base, region="mx-central-1"), label_name="label")
    with pytest.raises(StepBuildError) as raised:
        build(config, "Preprocess", data=DATA)
    assert raised.value.node == "Preprocess"
    assert raised.value.field == "processing_framework_version"
    assert "mx-central-1" in str(raised.value)


def test_a_missing_local_folder_is_a_build_error_naming_node_and_field(base):
    config = PackageStepConfig(**base, source_dir="no/such/folder")
    with pytest.raises(StepBuildError) as raised:
        build(config, "Package", model_artifacts=ARTIFACTS)
    assert (raised.value.node, raised.value.field) == ("Package", "source_dir")
    assert "does not exist" in str(raised.value)
