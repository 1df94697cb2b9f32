"""Pipeline parameters: promoted from fields, compiled by the real SDK, kept through the config
JSON, validated, and given values when an execution starts (the CLI against a sandbox)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import REPO

from builders.configs.parameters import Binding, PipelineParameter
from builders.designs.config_io import node_values, parameters_of
from builders.designs.design import (
    compile_design,
    config_document,
    dag_document,
    design_from_documents,
    remove_nodes,
    rename_node,
    set_node_values,
    validate_design,
)
from builders.designs.parameter_edits import promote_field, set_parameter_default, unbind_field
from builders.designs.workspace import WORKSPACE_ENV
from builders.errors import PipelineDesignError
from builders.starters import design_from_starter


@pytest.fixture(scope="module")
def promoted():
    """The xgboost starter with one processing instance type, the training count, the input
    location and the approval status as parameters."""
    design = design_from_starter("xgboost_end_to_end", "params")
    for node in ("DataLoadingTraining", "TabularPreprocessing", "Packaging"):
        design = promote_field(design, node, "processing_instance_type_small", "ProcessingType")
    design = promote_field(design, "XGBoostTraining", "training_instance_count", "TrainCount")
    design = promote_field(design, "DataLoadingTraining", "data_sources", "InputData")
    return promote_field(design, "ModelRegistration", "approval_status", "Approval")


def steps_of(definition: dict) -> dict[str, dict]:
    return {step["Name"]: step for step in definition["Steps"]}


def test_promoting_takes_the_fields_type_and_value(promoted):
    declared = {p.name: (p.type, p.default, len(p.bindings)) for p in promoted.parameters}
    assert declared == {
        "ProcessingType": ("String", "ml.m5.xlarge", 3),
        "TrainCount": ("Integer", 1, 1),
        "InputData": ("String", "s3://my-ml-bucket/data/fraud/train/", 1),
        "Approval": ("String", "PendingManualApproval", 1),
    }
    assert validate_design(promoted).problems == ()


def test_the_definition_declares_the_parameters_and_the_steps_use_them(promoted):
    definition = compile_design(promoted).definition
    assert definition["Parameters"] == [
        {"Name": "ProcessingType", "Type": "String", "DefaultValue": "ml.m5.xlarge"},
        {"Name": "TrainCount", "Type": "Integer", "DefaultValue": 1},
        {
            "Name": "InputData",
            "Type": "String",
            "DefaultValue": "s3://my-ml-bucket/data/fraud/train/",
        },
        {"Name": "Approval", "Type": "String", "DefaultValue": "PendingManualApproval"},
    ]
    steps = steps_of(definition)
    for node in ("DataLoadingTraining", "TabularPreprocessing", "Packaging"):
        cluster = steps[node]["Arguments"]["ProcessingResources"]["ClusterConfig"]
        assert cluster["InstanceType"] == {"Get": "Parameters.ProcessingType"}
    # Not bound: the same field of another node keeps its value.
    calibration = steps["DataLoadingCalibration"]["Arguments"]["ProcessingResources"]
    assert calibration["ClusterConfig"]["InstanceType"] == "ml.m5.xlarge"
    resources = steps["XGBoostTraining"]["Arguments"]["ResourceConfig"]
    assert resources["InstanceCount"] == {"Get": "Parameters.TrainCount"}
    assert resources["InstanceType"] == "ml.m5.xlarge"
    inputs = steps["DataLoadingTraining"]["Arguments"]["ProcessingInputs"]
    source = next(i for i in inputs if i["InputName"] == "source_0")
    assert source["S3Input"]["S3Uri"] == {"Get": "Parameters.InputData"}
    registration = steps["ModelRegistration-RegisterModel"]["Arguments"]
    assert registration["ModelApprovalStatus"] == {"Get": "Parameters.Approval"}


def test_a_bound_instance_type_still_finds_its_image(promoted):
    design = promote_field(promoted, "XGBoostTraining", "training_instance_type", "TrainType")
    steps = steps_of(compile_design(design).definition)
    training = steps["XGBoostTraining"]["Arguments"]
    assert training["ResourceConfig"]["InstanceType"] == {"Get": "Parameters.TrainType"}
    assert "sagemaker-xgboost:1.7-1" in training["AlgorithmSpecification"]["TrainingImage"]


@pytest.mark.parametrize(
    ("default", "processor"), [("ml.g4dn.xlarge", "gpu"), ("ml.m5.xlarge", "cpu")]
)
def test_an_image_lookup_by_a_bound_instance_type_takes_its_default(default, processor):
    """A PyTorch evaluation's image depends on its instance type (GPU or CPU): bound to a
    parameter, the lookup reads the parameter's default (the SDK's own rule for a Parameter)."""
    design = design_from_starter("xgboost_quality_gate", "gpu")
    pytorch = {"framework": "pytorch", "framework_version": "2.1.0", "py_version": "py310"}
    values = {**design.node("ModelEvaluation").values, **pytorch}
    values["processing_instance_type_small"] = default
    design = set_node_values(design, "ModelEvaluation", values)
    design = promote_field(design, "ModelEvaluation", "processing_instance_type_small", "EvalType")
    evaluation = steps_of(compile_design(design).definition)["ModelEvaluation"]["Arguments"]
    cluster = evaluation["ProcessingResources"]["ClusterConfig"]
    assert cluster["InstanceType"] == {"Get": "Parameters.EvalType"}
    image = evaluation["AppSpecification"]["ImageUri"]
    assert "pytorch-training:2.1.0" in image and f"-{processor}-py310" in image


def test_a_batch_transform_takes_its_instance_type_and_count_from_parameters(promoted):
    design = promote_field(promoted, "BatchTransform", "transform_instance_type", "TransformType")
    design = promote_field(design, "BatchTransform", "transform_instance_count", "TrainCount")
    steps = steps_of(compile_design(design).definition)
    resources = steps["BatchTransform"]["Arguments"]["TransformResources"]
    assert resources == {
        "InstanceType": {"Get": "Parameters.TransformType"},
        "InstanceCount": {"Get": "Parameters.TrainCount"},
    }


def test_the_pytorch_starter_compiles_with_parameters():
    design = design_from_starter("pytorch_model_registration", "p")
    design = promote_field(design, "Packaging", "processing_instance_count", "Count")
    design = promote_field(design, "Payload", "processing_instance_count", "Count")
    steps = steps_of(compile_design(design).definition)
    for node in ("Packaging", "Payload"):
        cluster = steps[node]["Arguments"]["ProcessingResources"]["ClusterConfig"]
        assert cluster["InstanceCount"] == {"Get": "Parameters.Count"}


def test_parameters_survive_the_config_json_round_trip(promoted, tmp_path):
    document = json.loads(json.dumps(config_document(promoted)))
    assert document["configuration"]["parameters"]["TrainCount"] == {
        "type": "Integer",
        "default": 1,
        "bound_to": [{"node": "XGBoostTraining", "field": "training_instance_count"}],
    }
    again = design_from_documents("again", document, dag_document(promoted))
    assert again.parameters == promoted.parameters
    assert compile_design(again).definition_json == compile_design(promoted).definition_json


def test_a_design_without_parameters_writes_no_section():
    design = design_from_starter("pytorch_model_registration", "p")
    assert "parameters" not in config_document(design)["configuration"]


def test_a_bound_field_reads_the_parameters_default_in_the_file(promoted):
    changed = set_parameter_default(promoted, "InputData", "s3://other-bucket/in/")
    _, values = node_values(config_document(changed))
    assert values["DataLoadingTraining"]["data_sources"] == ["s3://other-bucket/in/"]


def test_a_field_the_compiler_needs_cannot_be_promoted(promoted):
    with pytest.raises(PipelineDesignError, match="cannot be a pipeline parameter") as refused:
        promote_field(promoted, "DataLoadingTraining", "processing_framework_version", "V")
    assert refused.value.field == "processing_framework_version"
    with pytest.raises(PipelineDesignError, match="use a letter, then letters"):
        promote_field(promoted, "XGBoostTraining", "training_instance_type", "9lives")
    with pytest.raises(PipelineDesignError, match="'TrainCount' is Integer; this field takes"):
        promote_field(promoted, "XGBoostTraining", "training_instance_type", "TrainCount")


def test_a_bad_default_is_reported_once_per_field_naming_the_parameter(promoted):
    bad = set_parameter_default(promoted, "ProcessingType", "ml.bogus.x")
    field = "processing_instance_type_small"
    problems = [p for p in validate_design(bad).problems if p.field == field]
    assert {(p.node, p.field) for p in problems} == {
        (node, field) for node in ("DataLoadingTraining", "TabularPreprocessing", "Packaging")
    }
    assert all("parameter 'ProcessingType', whose default 'ml.bogus.x'" in str(p) for p in problems)
    wrong_type = set_parameter_default(promoted, "TrainCount", "two")
    messages = [str(p) for p in validate_design(wrong_type).problems]
    assert messages == [
        "XGBoostTraining.training_instance_count: takes its value from parameter 'TrainCount', "
        "whose default 'two' is not an Integer value. Change the parameter's default."
    ]


def test_a_type_that_does_not_fit_and_an_unused_parameter(promoted):
    mistyped = PipelineParameter(
        name="Approval",
        type="Integer",
        default=1,
        bindings=(Binding(node="ModelRegistration", field="approval_status"),),
    )
    unused = PipelineParameter(name="Spare", type="String", default="x")
    design = promoted.model_copy(
        update={"parameters": (*promoted.parameters[:3], mistyped, unused)}
    )
    report = validate_design(design)
    by_code = {p.code: p for p in report.problems}
    assert "which is Integer; this field takes String values" in by_code["invalid"].message
    assert by_code["unused"].warning and "Spare" in by_code["unused"].message
    assert not report.valid
    only_unused = promoted.model_copy(update={"parameters": (*promoted.parameters, unused)})
    assert validate_design(only_unused).valid  # a warning does not block


def test_a_binding_of_a_field_that_cannot_be_a_parameter_in_a_file_is_refused(promoted):
    document = config_document(promoted)
    document["configuration"]["parameters"]["Approval"]["bound_to"].append(
        {"node": "ModelRegistration", "field": "model_description"}
    )
    design = design_from_documents("x", document, dag_document(promoted))
    problems = validate_design(design).problems
    assert any(
        p.field == "model_description" and "cannot be a pipeline parameter" in p.message
        for p in problems
    )


def test_rename_remove_and_unbind_follow_the_bindings(promoted):
    renamed = rename_node(promoted, "XGBoostTraining", "Train")
    assert renamed.parameters[1].bindings == (
        Binding(node="Train", field="training_instance_count"),
    )
    removed = remove_nodes(promoted, ["Packaging"])
    assert len(removed.parameters[0].bindings) == 2
    assert promote_field(promoted, "XGBoostTraining", "training_instance_count", "TrainCount") is (
        promoted
    )  # promoted again to the same parameter: nothing changes
    moved = promote_field(promoted, "XGBoostTraining", "training_instance_count", "Count2")
    assert [p.name for p in moved.parameters][-1] == "Count2" and "TrainCount" not in [
        p.name for p in moved.parameters
    ]  # rebound: the parameter left bound to nothing goes
    changed = set_parameter_default(promoted, "TrainCount", 3)
    unbound = unbind_field(changed, "XGBoostTraining", "training_instance_count")
    assert "TrainCount" not in [p.name for p in unbound.parameters]  # bound to nothing now
    assert unbound.node("XGBoostTraining").values["training_instance_count"] == 3


def test_a_malformed_parameters_section_is_a_message(promoted):
    document = config_document(promoted)
    document["configuration"]["parameters"]["TrainCount"]["type"] = "Number"
    with pytest.raises(PipelineDesignError, match="the types are String, Integer, Float"):
        parameters_of(document)


# -- the CLI, as a user runs it, against its own sandbox ---------------------------------------


@pytest.fixture(scope="module")
def cli_design(tmp_path_factory):
    """The pytorch starter's files with the approval status and processing count promoted."""
    design = design_from_starter("pytorch_model_registration", "cli")
    design = promote_field(design, "ModelRegistration", "approval_status", "Approval")
    design = promote_field(design, "Packaging", "processing_instance_count", "Count")
    folder = tmp_path_factory.mktemp("cli")
    (folder / "config.json").write_text(json.dumps(config_document(design)))
    (folder / "dag.json").write_text(json.dumps(dag_document(design)))
    return folder


def deploy(folder, *params: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "builders", "deploy", "--dag", str(folder / "dag.json"),
               "--config", str(folder / "config.json"), "--target", "sandbox",
               "--start"]  # fmt: skip
    for param in params:
        command += ["--param", param]
    environment = {**os.environ, WORKSPACE_ENV: str(folder / "ws")}
    return subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env=environment, timeout=300
    )


def test_cli_starts_a_run_with_the_given_values(cli_design):
    done = deploy(cli_design, "Approval=Approved", "Count=2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Execution Succeeded" in done.stdout
    run_folder = next((cli_design / "ws" / "runs").iterdir())
    run = json.loads((run_folder / "run.json").read_text())
    assert run["parameters"] == {"Approval": "Approved", "Count": 2}
    registered = run_folder / "steps" / "ModelRegistration-RegisterModel" / "state.json"
    assert json.loads(registered.read_text())["properties"]["ModelApprovalStatus"] == "Approved"


def test_cli_refuses_bad_values_naming_the_parameter_and_the_rule(cli_design):
    done = deploy(cli_design, "Approval=Maybe", "Count=two", "Nope=1")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[1:] == [
        "  ModelRegistration.approval_status: Parameter 'Approval' cannot be 'Maybe': this "
        "field must be one of: 'PendingManualApproval', 'Approved' or 'Rejected'.",
        "  Parameter 'Count' is Integer, and 'two' is not a value of that type.",
        "  There is no parameter 'Nope'. The pipeline's parameters: Approval, Count.",
    ]
    too_many = deploy(cli_design, "Count=500")
    assert "Packaging.processing_instance_count: Parameter 'Count' cannot be 500: this field " \
        "must be at most 100." in too_many.stderr  # fmt: skip
    malformed = deploy(cli_design, "Count")
    assert "--param takes NAME=VALUE; got 'Count'." in malformed.stderr
    assert (
        not (cli_design / "ws" / "runs").exists()
        or len(list((cli_design / "ws" / "runs").iterdir())) <= 1
    )  # nothing started by a refused command


def test_two_tabs_merge_parameters_by_name(promoted):
    from builders.designs.merge import merge_designs

    base = promoted
    mine = promote_field(base, "XGBoostTraining", "training_instance_type", "TrainType")
    theirs = set_parameter_default(base, "TrainCount", 2)
    merged = merge_designs(base, mine, theirs)
    assert merged.conflicts == ()
    declared = {p.name: p.default for p in merged.design.parameters}
    assert declared["TrainType"] == "ml.m5.xlarge" and declared["TrainCount"] == 2

    theirs = set_parameter_default(remove_nodes(base, ["Packaging"]), "TrainCount", 4)
    mine = set_parameter_default(base, "TrainCount", 3)
    clash = merge_designs(base, mine, theirs)
    assert [c.field for c in clash.conflicts] == ["TrainCount"]
    kept = {p.name: p for p in clash.design.parameters}
    assert kept["TrainCount"].default == 4  # the version saved first
    assert all(b.node != "Packaging" for b in kept["ProcessingType"].bindings)


def test_cli_validate_warns_of_an_unused_parameter_and_refuses_a_bad_binding(cli_design, tmp_path):
    document = json.loads((cli_design / "config.json").read_text())
    document["configuration"]["parameters"]["Spare"] = {"type": "Float", "default": 0.5}
    (tmp_path / "config.json").write_text(json.dumps(document))
    command = [sys.executable, "-m", "builders", "validate", "--dag",
               str(cli_design / "dag.json"), "--config", str(tmp_path / "config.json")]  # fmt: skip
    warned = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert warned.returncode == 0 and "Valid:" in warned.stdout
    assert "Warning: Parameter 'Spare' is bound to no field" in warned.stderr

    document["configuration"]["parameters"]["Count"]["bound_to"].append(
        {"node": "Packaging", "field": "processing_entry_point"}
    )
    (tmp_path / "config.json").write_text(json.dumps(document))
    refused = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert refused.returncode == 1
    assert "Packaging.processing_entry_point: Processing entry point cannot be a pipeline " \
        "parameter" in refused.stderr  # fmt: skip
