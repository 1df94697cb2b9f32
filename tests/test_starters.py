"""The shipped starter designs compile as shipped, wired by property references and DependsOn."""

from __future__ import annotations

import json
import shutil

import pytest
from support import load_starter

from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import load_configs
from builders.graph.dag import load_dag


def steps_by_name(compiled) -> dict:
    return {step["Name"]: step for step in compiled.definition["Steps"]}


def get(step_name: str, path: str) -> dict:
    return {"Get": f"Steps.{step_name}.{path}"}


def join(*values) -> dict:
    return {"Std:Join": {"On": "/", "Values": list(values)}}


def processing_output(step_name: str, port: str) -> dict:
    return get(step_name, f"ProcessingOutputConfig.Outputs['{port}'].S3Output.S3Uri")


def processing_inputs(step: dict) -> dict:
    return {i["InputName"]: i["S3Input"]["S3Uri"] for i in step["Arguments"]["ProcessingInputs"]}


@pytest.fixture(scope="module")
def xgboost():
    dag, configs, folder = load_starter("xgboost_end_to_end")
    return dag, configs, compile_pipeline(dag, configs, base_dir=folder)


@pytest.fixture(scope="module")
def pytorch():
    dag, configs, folder = load_starter("pytorch_model_registration")
    return dag, configs, compile_pipeline(dag, configs, base_dir=folder)


def test_xgboost_end_to_end_has_one_step_per_node(xgboost):
    dag, _, compiled = xgboost
    assert compiled.step_names == [
        "DataLoadingTraining",
        "TabularPreprocessing",
        "XGBoostTraining",
        "Packaging",
        "XGBoostModel-CreateModel",
        "Payload",
        "ModelRegistration-RegisterModel",
        "DataLoadingCalibration",
        "BatchTransform",
    ]
    types = {s["Name"]: s["Type"] for s in compiled.definition["Steps"]}
    assert types["XGBoostTraining"] == "Training"
    assert types["XGBoostModel-CreateModel"] == "Model"
    assert types["BatchTransform"] == "Transform"
    assert types["ModelRegistration-RegisterModel"] == "RegisterModel"
    assert len(compiled.step_names) == len(dag.nodes)


def test_xgboost_data_flows_by_property_references(xgboost):
    steps = steps_by_name(xgboost[2])
    preprocess = processing_inputs(steps["TabularPreprocessing"])
    assert preprocess["data"] == processing_output("DataLoadingTraining", "data")
    assert preprocess["signature"] == processing_output("DataLoadingTraining", "signature")

    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"]
        for c in steps["XGBoostTraining"]["Arguments"]["InputDataConfig"]
    }
    processed = processing_output("TabularPreprocessing", "processed_data")
    assert channels["train"] == join(processed, "train")
    assert channels["val"] == join(processed, "val")
    assert channels["test"] == join(processed, "test")
    assert channels["config"].startswith("s3://my-ml-bucket/pipelines/")


def test_xgboost_model_packaging_and_registration_wiring(xgboost):
    steps = steps_by_name(xgboost[2])
    packaging = processing_inputs(steps["Packaging"])
    assert packaging["model"] == get("XGBoostTraining", "ModelArtifacts.S3ModelArtifacts")
    assert packaging["script"].endswith("/")  # the staged inference code folder

    packaged = join(processing_output("Packaging", "packaged_model"), "model.tar.gz")
    register = steps["ModelRegistration-RegisterModel"]["Arguments"]
    registered = register["InferenceSpecification"]["Containers"][0]
    assert registered["ModelDataUrl"] == packaged
    assert register["SamplePayloadUrl"] == join(
        processing_output("Payload", "payload"), "FraudDetection.tar.gz"
    )
    # The model batch transform uses serves the same archive with the same inference code.
    served = steps["XGBoostModel-CreateModel"]["Arguments"]["PrimaryContainer"]
    assert served["ModelDataUrl"] == packaged
    assert served["Environment"] == registered["Environment"]
    assert served["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"


EXECUTION_ID = {"Get": "Execution.PipelineExecutionId"}


def output_locations(definition: dict) -> dict[str, object]:
    """Every S3 location a step writes to, by step and output."""
    found = {}
    for step in definition["Steps"]:
        args = step["Arguments"]
        for out in args.get("ProcessingOutputConfig", {}).get("Outputs", []):
            found[f"{step['Name']}.{out['OutputName']}"] = out["S3Output"]["S3Uri"]
        if "OutputDataConfig" in args:
            found[f"{step['Name']}.model"] = args["OutputDataConfig"]["S3OutputPath"]
        if "TransformOutput" in args:
            found[f"{step['Name']}.transform"] = args["TransformOutput"]["S3OutputPath"]
    return found


def resolve(value, execution_id: str) -> str:
    """A location as SageMaker resolves it in the execution `execution_id`."""
    if isinstance(value, str):
        return value
    if value == EXECUTION_ID:
        return execution_id
    join_ = value["Std:Join"]
    return join_["On"].join(resolve(part, execution_id) for part in join_["Values"])


@pytest.mark.parametrize("starter", ["xgboost", "pytorch"])
def test_every_output_lives_under_its_run_and_code_is_shared(starter, request):
    compiled = request.getfixturevalue(starter)[2]
    locations = output_locations(compiled.definition)
    assert locations  # every step type that writes is covered
    for where, location in locations.items():
        first, second = resolve(location, "run1exec0001"), resolve(location, "run2exec0002")
        assert first != second, where  # two runs never write to one place
        assert "/run1exec0001" in first and first.startswith("s3://my-ml-bucket/"), where
    # Staged code and settings stay content-addressed, shared by every run.
    assert compiled.staged_objects
    assert all("Execution" not in obj.s3_uri for obj in compiled.staged_objects)
    # Registered versions point at their own run's model and payload.
    register = steps_by_name(compiled)["ModelRegistration-RegisterModel"]["Arguments"]
    assert register["SamplePayloadUrl"]["Std:Join"]["Values"][0]["Get"].startswith("Steps.Payload.")


def test_xgboost_batch_transform_scores_calibration_data_with_the_model(xgboost):
    transform = steps_by_name(xgboost[2])["BatchTransform"]["Arguments"]
    assert transform["ModelName"] == get("XGBoostModel-CreateModel", "ModelName")
    source = transform["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
    assert source == processing_output("DataLoadingCalibration", "data")
    assert transform["DataProcessing"]["InputFilter"] == "$[2:]"


def test_depends_on_follows_the_dag(xgboost, pytorch):
    for dag, _, compiled in (xgboost, pytorch):
        names = {node: _step_name(compiled, node) for node in dag.nodes}
        for step in compiled.definition["Steps"]:
            node = next(n for n, name in names.items() if name == step["Name"])
            expected = [names[parent] for parent in dag.parents(node)]
            assert step.get("DependsOn", []) == expected, node


def _step_name(compiled, node: str) -> str:
    return next(n for n in compiled.step_names if n == node or n.startswith(node + "-"))


def test_two_data_loading_nodes_stay_distinct(xgboost):
    steps = steps_by_name(xgboost[2])
    training = processing_inputs(steps["DataLoadingTraining"])
    calibration = processing_inputs(steps["DataLoadingCalibration"])
    assert training["source_0"] == "s3://my-ml-bucket/data/fraud/train/"
    assert calibration["source_0"] == "s3://my-ml-bucket/data/fraud/calibration/"
    assert training["config"] != calibration["config"]  # different job_type settings
    outputs = steps["DataLoadingCalibration"]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert [o["S3Output"]["S3Uri"]["Std:Join"]["Values"][2] for o in outputs] == [
        "DataLoadingCalibration"
    ] * 3


def test_staged_settings_are_what_the_jobs_read(xgboost):
    _, configs, compiled = xgboost
    steps = steps_by_name(compiled)
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"]
        for c in steps["XGBoostTraining"]["Arguments"]["InputDataConfig"]
    }
    staged = {obj.s3_uri: obj.content for obj in compiled.staged_objects}
    settings = json.loads(staged[channels["config"] + "settings.json"])
    assert settings == configs["XGBoostTraining"].hyperparameters.model_dump(mode="json")
    code = processing_inputs(steps["Packaging"])["script"]
    assert b"def model_fn" in staged[code + "inference.py"]


def test_pytorch_model_registration_wiring(pytorch):
    _, configs, compiled = pytorch
    steps = steps_by_name(compiled)
    assert compiled.step_names == [
        "PyTorchModel-CreateModel",
        "Packaging",
        "Payload",
        "ModelRegistration-RegisterModel",
    ]
    model = steps["PyTorchModel-CreateModel"]["Arguments"]["PrimaryContainer"]
    assert model["ModelDataUrl"] == configs["PyTorchModel"].model_data  # from the config field
    assert "pytorch-inference:2.1.0" in model["Image"]
    assert processing_inputs(steps["Packaging"])["model"] == get(
        "PyTorchModel-CreateModel", "PrimaryContainer.ModelDataUrl"
    )
    register = steps["ModelRegistration-RegisterModel"]["Arguments"]
    assert register["SamplePayloadUrl"] == join(
        processing_output("Payload", "payload"), "FraudDetection.tar.gz"
    )
    assert register["InferenceSpecification"]["Containers"][0]["Environment"] == {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        "SAGEMAKER_REGION": "us-east-1",
    }


def test_wires_name_producer_and_consumer_ports(xgboost):
    wires = {(w.consumer, w.consumer_port): w.source for w in xgboost[2].wires}
    assert wires[("Packaging", "model_artifacts")] == "XGBoostTraining.model_artifacts"
    assert wires[("XGBoostModel", "model_artifacts")] == "Packaging.model_artifacts"
    assert wires[("ModelRegistration", "payload")] == "Payload.payload"
    assert wires[("BatchTransform", "data")] == "DataLoadingCalibration.data"


def test_the_xgboost_starters_share_one_inference_code_and_copy_whole(tmp_path):
    """One file in the repository: the quality gate's and the tuned endpoint's inference/ link
    to the end-to-end starter's. A copy of a starter folder (as shutil and `cp -rL` make it)
    holds the code."""
    from builders.starters import FOLDER, design_from_starter

    shipped = [
        path
        for path in FOLDER.glob("xgboost_*/inference/inference.py")
        if not path.parent.is_symlink()
    ]
    assert [path.parent.parent.name for path in shipped] == ["xgboost_end_to_end"]
    folders = set()
    for starter in ("xgboost_end_to_end", "xgboost_quality_gate", "xgboost_tuned_endpoint"):
        design = design_from_starter(starter, starter)
        folders |= {n.values["source_dir"] for n in design.nodes if n.step_type == "Packaging"}
        copy = tmp_path / starter
        shutil.copytree(FOLDER / starter, copy)
        assert (copy / "inference" / "inference.py").is_file()
        assert not (copy / "inference").is_symlink()
        dag, configs = load_dag(copy / "dag.json"), load_configs(copy / "config.json")
        compiled = compile_pipeline(dag, configs, base_dir=copy)
        assert any(o.s3_uri.endswith("/inference.py") for o in compiled.staged_objects)
    assert folders == {str(FOLDER / "xgboost_end_to_end" / "inference")}
