"""Every config field reaches the job, checked against the values the test set itself.

For each step type every field is set to a value other than its default, the node is built
by its registered builder, and the test reads what the job receives (settings file,
arguments, environment, channels, resources) and, where a job script exists, what the script
does with it. Expected values are written out here, never computed by the mapping code; the
`covers` check fails when a Config gains a field this file does not follow. Covered here:
every built-in step type; ScriptProcessing in its own test.
"""

from __future__ import annotations

import io
import json
import tarfile
from datetime import datetime, timezone

from test_builders import build, inputs_of, settings_of, staged, training_code

from builders.compiling.compile import compile_pipeline
from builders.configs.base import BasePipelineConfig
from builders.graph.dag import PipelineDAG
from builders.step_types.batch_transform.config import BatchTransformConfig
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.packaging.config import PackagingConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.payload.job import payload as payload_job
from builders.step_types.pytorch_model.config import PyTorchModelConfig
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.tabular_preprocessing.job import tabular_preprocessing
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

DATA = "s3://my-ml-bucket/data/in"
PACKAGED = "s3://my-ml-bucket/models/packaged/model.tar.gz"
# Fields every step has: they name the pipeline and its S3 folder (tested with the pipeline).
SHARED = set(BasePipelineConfig.model_fields)


def covers(config_class, checked: dict) -> None:
    """`checked` sets every field of the class but the shared ones, each to a non-default."""
    own = set(config_class.model_fields) - SHARED
    assert own <= set(checked), f"not followed here: {sorted(own - set(checked))}"
    for name, value in checked.items():
        if name in config_class.model_fields and name not in SHARED:
            assert value != config_class.model_fields[name].default, name


def processing_values(tmp_path, script: str) -> dict:
    code = tmp_path / "code"
    code.mkdir()
    (code / script).write_text("print('my version')\n")
    return {
        "processing_instance_type_small": "ml.m5.large",
        "processing_instance_type_large": "ml.c5.9xlarge",
        "use_large_processing_instance": True,
        "processing_instance_count": 3,
        "processing_volume_size": 77,
        "processing_framework_version": "1.0-1",
        "processing_source_dir": str(code),
        "processing_entry_point": script,
        "processing_script_arguments": ["--verbose", "2"],
        "max_runtime_seconds": 1234,
    }


def check_processing_job(request: dict, stager, script: str) -> None:
    """What the processing fields of processing_values become in the job."""
    args = request["Arguments"]
    cluster = args["ProcessingResources"]["ClusterConfig"]
    assert cluster == {"InstanceCount": 3, "InstanceType": "ml.c5.9xlarge", "VolumeSizeInGB": 77}
    assert args["StoppingCondition"] == {"MaxRuntimeInSeconds": 1234}
    app = args["AppSpecification"]
    assert "sagemaker-scikit-learn:1.0-1" in app["ImageUri"]
    assert app["ContainerEntrypoint"] == ["python3", f"/opt/ml/processing/input/code/{script}"]
    assert app["ContainerArguments"][-2:] == ["--verbose", "2"]
    code = inputs_of(request)["code"]["S3Uri"]
    assert staged(stager)[code + script] == b"print('my version')\n"


def test_payload_fields_reach_the_job_and_its_samples(base, tmp_path):
    values = {
        **processing_values(tmp_path, "my_payload.py"),
        "model_registration_objective": "Churn Model",
        "expected_tps": 7,
        "max_latency_in_millisecond": 1234,
        "max_acceptable_error_rate": 0.05,
        "sample_payload_s3_key": "samples/churn/requests.tar.gz",
        "default_numeric_value": 4.5,
        "default_text_value": "UNKNOWN_X",
        "special_field_values": {"when": "at-{timestamp}"},
        "payload_script_path": None,  # its own test: test_builders (your generator)
        "payload_script_arguments": ["--ignored-without-a-script"],
        "source_model_inference_content_types": ["application/json"],
        "source_model_inference_response_types": ["text/csv"],
        "source_model_inference_input_variable_list": {
            "age": "NUMERIC",
            "country": "TEXT",
            "when": "TEXT",
        },
        "source_model_inference_output_variable_list": {"p": "NUMERIC", "label": "TEXT"},
    }
    covers(PayloadConfig, values | {"payload_script_path": "set in test_builders"})
    config = PayloadConfig(**base, **values)
    _, request, stager, _ = build(config, "Payload")
    check_processing_job(request, stager, "my_payload.py")
    assert request["Arguments"]["AppSpecification"]["ContainerArguments"] == ["--verbose", "2"]
    # What the job script does with the settings it receives.
    settings = settings_of(request, stager)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    with tarfile.open(fileobj=io.BytesIO(payload_job.payload_archive(settings, now))) as tar:
        members = {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers()}
    assert list(members) == ["payload_sample.json"]  # application/json only
    sample = json.loads(members["payload_sample.json"])
    assert sample["age"] == "4.5" and sample["country"] == "UNKNOWN_X"
    assert sample["when"].startswith("at-2026")
    manifest = payload_job.manifest(settings, now)
    assert manifest["model_registration_objective"] == "Churn Model"
    assert (manifest["expected_tps"], manifest["max_latency_in_millisecond"]) == (7, 1234)
    assert manifest["max_acceptable_error_rate"] == 0.05
    assert manifest["response_types"] == ["text/csv"]
    assert manifest["output_variables"] == [["p", "NUMERIC"], ["label", "TEXT"]]
    assert payload_job.archive_name(settings) == "requests.tar.gz"
    destination = request["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
    assert "s3://my-ml-bucket/samples/churn" in json.dumps(destination["S3Uri"])


def test_tabular_preprocessing_fields_reach_the_job_and_its_split(base, tmp_path):
    values = {
        **processing_values(tmp_path, "my_tabular_preprocessing.py"),
        "job_type": "training",
        "label_name": "target",
        "train_ratio": 0.5,
        "test_val_ratio": 0.25,
        "random_seed": 7,
    }
    covers(TabularPreprocessingConfig, values | {"job_type": "changed below"})
    config = TabularPreprocessingConfig(**base, **values)
    _, request, stager, _ = build(config, "Prep", data=DATA)
    check_processing_job(request, stager, "my_tabular_preprocessing.py")
    assert inputs_of(request)["data"]["S3Uri"] == DATA
    settings = settings_of(request, stager)
    assert settings == {
        "job_type": "training",
        "label_name": "target",
        "train_ratio": 0.5,
        "test_val_ratio": 0.25,
        "random_seed": 7,
    }
    # The job splits by those settings: half for training, a quarter of the rest for test.
    again = TabularPreprocessingConfig(**base, **{**values, "job_type": "validation"})
    _, request, stager, _ = build(again, "Prep", data=DATA)
    assert settings_of(request, stager)["job_type"] == "validation"
    import pandas as pd

    frame = pd.DataFrame({"target": [i % 2 for i in range(40)], "x": range(40)})
    splits = tabular_preprocessing.split_training(frame, settings)
    assert [len(splits[name]) for name in ("train", "test", "val")] == [20, 5, 15]
    # The same seed, the same split: random_seed reaches the split.
    again = tabular_preprocessing.split_training(frame, settings)
    assert list(again["train"]["x"]) == list(splits["train"]["x"])


def test_data_loading_fields_reach_the_job(base, tmp_path):
    values = {
        **processing_values(tmp_path, "my_data_loading.py"),
        "job_type": "calibration",
        "data_sources": ["s3://my-ml-bucket/a/", "s3://my-ml-bucket/b.csv"],
        "data_format": "jsonl",
        "csv_has_header": False,
        "column_names": ["id", "amount"],
    }
    covers(DataLoadingConfig, values)
    _, request, stager, _ = build(DataLoadingConfig(**base, **values), "Load")
    check_processing_job(request, stager, "my_data_loading.py")
    inputs = inputs_of(request)
    assert inputs["source_0"]["S3Uri"] == "s3://my-ml-bucket/a/"
    assert inputs["source_1"]["S3Uri"] == "s3://my-ml-bucket/b.csv"
    assert inputs["source_1"]["LocalPath"] == "/opt/ml/processing/input/data/source_1"
    assert settings_of(request, stager) == {
        "job_type": "calibration",
        "data_format": "jsonl",
        "csv_has_header": False,
        "column_names": ["id", "amount"],
    }


def test_batch_transform_fields_reach_the_transform_job(base):
    values = {
        "job_type": "testing",
        "transform_instance_type": "ml.c5.xlarge",
        "transform_instance_count": 4,
        "content_type": "application/json",
        "accept": "application/json",
        "split_type": "None",
        "assemble_with": "None",
        "input_filter": "$[1:]",
        "join_source": "Input",
        "output_filter": "$[0,-1]",
        "max_payload_mb": 20,
    }
    covers(BatchTransformConfig, values)
    _, request, _, _ = build(BatchTransformConfig(**base, **values), "Score", model="m", data=DATA)
    args = request["Arguments"]
    assert args["TransformResources"] == {"InstanceCount": 4, "InstanceType": "ml.c5.xlarge"}
    assert args["TransformInput"]["ContentType"] == "application/json"
    assert "SplitType" not in args["TransformInput"]  # "None": no splitting
    assert "AssembleWith" not in args["TransformOutput"]
    assert args["TransformOutput"]["Accept"] == "application/json"
    assert args["DataProcessing"] == {
        "InputFilter": "$[1:]",
        "JoinSource": "Input",
        "OutputFilter": "$[0,-1]",
    }
    assert args["MaxPayloadInMB"] == 20
    assert args["ModelName"] == "m"


def test_registration_fields_reach_the_model_package(base):
    values = {
        "framework": "pytorch",
        "framework_version": "2.1.0",  # shared, set here for the serving container
        "py_version": "py310",
        "inference_image_uri": "123.dkr.ecr.us-east-1.amazonaws.com/mine:7",
        "inference_entry_point": "serve.py",
        "model_package_group": "churn-models",
        "approval_status": "Approved",
        "model_description": "Churn model, January",
        "content_types": ["application/json"],
        "response_types": ["text/csv"],
        "inference_instances": ["ml.c5.large", "ml.m5.xlarge"],
        "transform_instances": ["ml.c5.xlarge"],
        "domain": "NATURAL_LANGUAGE_PROCESSING",
        "task": "REGRESSION",
        "customer_metadata": {"team": "risk"},
    }
    covers(RegistrationConfig, values)
    config = RegistrationConfig(**base, **values)
    _, request, _, _ = build(config, "Register", packaged_model=PACKAGED, payload="s3://p.tar.gz")
    args = request["Arguments"]
    container = args["InferenceSpecification"]["Containers"][0]
    assert container["Image"] == "123.dkr.ecr.us-east-1.amazonaws.com/mine:7"
    assert container["ModelDataUrl"] == PACKAGED
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "serve.py"
    spec = args["InferenceSpecification"]
    assert spec["SupportedContentTypes"] == ["application/json"]
    assert spec["SupportedResponseMIMETypes"] == ["text/csv"]
    assert spec["SupportedRealtimeInferenceInstanceTypes"] == ["ml.c5.large", "ml.m5.xlarge"]
    assert spec["SupportedTransformInstanceTypes"] == ["ml.c5.xlarge"]
    assert args["ModelPackageGroupName"] == "churn-models"
    assert args["ModelApprovalStatus"] == "Approved"
    assert args["ModelPackageDescription"] == "Churn model, January"
    assert (args["Domain"], args["Task"]) == ("NATURAL_LANGUAGE_PROCESSING", "REGRESSION")
    assert args["SamplePayloadUrl"] == "s3://p.tar.gz"
    assert args["CustomerMetadataProperties"] == {"team": "risk"}


def test_packaging_fields_reach_the_job(base, tmp_path):
    inference = tmp_path / "inference"
    inference.mkdir()
    (inference / "serve.py").write_text("def model_fn(d): ...\n")
    values = {**processing_values(tmp_path, "my_packaging.py"), "source_dir": str(inference)}
    covers(PackagingConfig, values)
    _, request, stager, _ = build(PackagingConfig(**base, **values), "Pack", model_artifacts=DATA)
    check_processing_job(request, stager, "my_packaging.py")
    inputs = inputs_of(request)
    assert inputs["model"]["S3Uri"] == DATA
    assert staged(stager)[inputs["script"]["S3Uri"] + "serve.py"] == b"def model_fn(d): ...\n"


def check_training_job(request: dict, stager, image: str, script: str, hyperparameters) -> None:
    """What the training fields both training tests set become in the job: 2 ml.c5.4xlarge
    instances of 99 GB, one hour at most, `script` alone in the code archive, and every
    hyperparameter in the settings channel."""
    args = request["Arguments"]
    assert args["ResourceConfig"] == {
        "InstanceCount": 2,
        "InstanceType": "ml.c5.4xlarge",
        "VolumeSizeInGB": 99,
    }
    assert args["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert image in args["AlgorithmSpecification"]["TrainingImage"]
    program, archive = training_code(request, stager)
    assert program == script
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames() == [script]
    channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"] for c in args["InputDataConfig"]}
    settings = json.loads(staged(stager)[channels["config"]["S3Uri"] + "settings.json"])
    assert {key: settings[key] for key in hyperparameters} == hyperparameters


def test_xgboost_training_fields_reach_the_training_job(base, hyperparameters, tmp_path):
    (tmp_path / "my_train.py").write_text("print('train')\n")
    hyperparameters.update({"max_depth": 9, "eta": 0.05, "num_round": 77})
    values = {
        "framework_version": "1.5-1",  # shared, set here for the container
        "training_instance_type": "ml.c5.4xlarge",
        "training_instance_count": 2,
        "training_volume_size": 99,
        "max_runtime_seconds": 3600,
        "training_source_dir": str(tmp_path),
        "training_entry_point": "my_train.py",
        "hyperparameters": hyperparameters,
    }
    covers(XGBoostTrainingConfig, values)
    config = XGBoostTrainingConfig(**base, **values)
    _, request, stager, _ = build(config, "Train", training_data=DATA)
    check_training_job(request, stager, "sagemaker-xgboost:1.5-1", "my_train.py", hyperparameters)


def test_model_fields_reach_the_create_model_request(base):
    values = {
        "framework_version": "2.2.0",  # shared, set here for the container
        "py_version": "py310",
        "inference_instance_type": "ml.g5.xlarge",
        "model_data": "s3://my-ml-bucket/models/given.tar.gz",
        "inference_entry_point": "serve.py",
    }
    covers(PyTorchModelConfig, values)
    dag = PipelineDAG.from_adjacency({"TorchModel": []})
    compiled = compile_pipeline(dag, {"TorchModel": PyTorchModelConfig(**base, **values)})
    (step,) = compiled.definition["Steps"]
    container = step["Arguments"]["PrimaryContainer"]
    assert "pytorch-inference:2.2.0-gpu-py310" in container["Image"]  # a GPU instance type
    assert container["ModelDataUrl"] == "s3://my-ml-bucket/models/given.tar.gz"
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "serve.py"
    xgb = {
        "framework_version": "3.0-5",
        "inference_instance_type": "ml.c5.xlarge",
        "model_data": "s3://my-ml-bucket/models/xgb.tar.gz",
        "inference_entry_point": "handler.py",
    }
    covers(XGBoostModelConfig, xgb)
    dag = PipelineDAG.from_adjacency({"XgbModel": []})
    compiled = compile_pipeline(dag, {"XgbModel": XGBoostModelConfig(**base, **xgb)})
    container = compiled.definition["Steps"][0]["Arguments"]["PrimaryContainer"]
    assert "sagemaker-xgboost:3.0-5" in container["Image"]
    assert container["ModelDataUrl"] == "s3://my-ml-bucket/models/xgb.tar.gz"
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "handler.py"


def test_pytorch_training_fields_reach_the_training_job(base, hyperparameters, tmp_path):
    (tmp_path / "fit.py").write_text("print('fit')\n")
    hyperparameters.update({"batch_size": 7, "max_epochs": 3, "lr": 0.25, "optimizer": "SGD"})
    hyperparameters.update({"dropout": 0.5, "hidden_dims": [9], "early_stop_patience": 5})
    values = {
        "framework_version": "2.0.1",  # shared, set here for the container
        "py_version": "py310",
        "source_dir": str(tmp_path),
        "training_instance_type": "ml.c5.4xlarge",
        "training_instance_count": 2,
        "training_volume_size": 99,
        "max_runtime_seconds": 3600,
        "training_entry_point": "fit.py",
        "hyperparameters": hyperparameters,
    }
    covers(PyTorchTrainingConfig, values)
    config = PyTorchTrainingConfig(**base, **values)
    _, request, stager, _ = build(config, "Torch", training_data=DATA)
    image = "pytorch-training:2.0.1-cpu-py310"
    check_training_job(request, stager, image, "fit.py", hyperparameters)
