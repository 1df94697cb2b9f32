"""SageMaker's own limits, from botocore's request shapes: a design whose compiled steps the
API would refuse is refused before deploy, on the node and field that caused it (issue 17).

Each case here passed every check and compiled to a definition SageMaker refuses."""

from __future__ import annotations

import json

import pytest
from support import STARTERS

from builders.compiling.api_requests import request_problems
from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import configs_from_document
from builders.errors import ConfigValidationError
from builders.graph.dag import PipelineDAG
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.script_processing.config import ScriptProcessingConfig

GATE = STARTERS / "xgboost_quality_gate"


@pytest.fixture
def script_folder(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "process.py").write_text("print('hi')\n")
    return tmp_path / "code"


def script_design(base, script_folder, **values):
    """DataLoading -> a script taking `values`."""
    dag = PipelineDAG.from_adjacency({"Load": [], "Script": ["Load"]})
    configs = {
        "Load": DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/raw/"]),
        "Script": ScriptProcessingConfig(**base, script_folder=str(script_folder), **values),
    }
    return dag, configs


def refused(dag, configs) -> dict[tuple[str | None, str | None], str]:
    with pytest.raises(ConfigValidationError) as caught:
        compile_pipeline(dag, configs)
    return {(p.node, p.field): p.message for p in caught.value.problems}


def test_ten_declared_inputs_and_the_code_make_eleven_processing_inputs(base, script_folder):
    ports = {f"in{n}": "tabular data" for n in range(10)}
    found = refused(*script_design(base, script_folder, input_ports=ports))
    message = found[("Script", "input_ports")]
    assert "CreateProcessingJob request takes at most 10 items in ProcessingInputs" in message
    assert "this step gives 11" in message


def test_environment_entries_and_long_values(base, script_folder):
    many = {f"VAR_{n}": "x" for n in range(101)}
    found = refused(*script_design(base, script_folder, environment=many))
    assert "takes at most 100 entries in Environment" in found[("Script", "environment")]

    long = {"TOKEN": "v" * 300}
    found = refused(*script_design(base, script_folder, environment=long))
    message = found[("Script", "environment.TOKEN")]
    assert "at most 256 characters in Environment.TOKEN; this value has 300" in message


def test_a_long_container_argument(base, script_folder):
    found = refused(*script_design(base, script_folder, arguments=["--x", "a" * 300]))
    message = found[("Script", "arguments.1")]
    assert "at most 256 characters in AppSpecification.ContainerArguments[1]" in message


def test_customer_metadata_of_a_registration(base):
    document = json.loads((GATE / "config.json").read_text())
    metadata = {f"key{n}": "v" * 300 for n in range(55)}
    document["configuration"]["specific"]["ModelRegistration"]["customer_metadata"] = metadata
    dag = PipelineDAG.from_adjacency(json.loads((GATE / "dag.json").read_text()))
    with pytest.raises(ConfigValidationError) as caught:
        compile_pipeline(dag, configs_from_document(document), base_dir=GATE)
    found = {(p.node, p.field): p.message for p in caught.value.problems}
    size = found[("ModelRegistration", "customer_metadata")]
    assert "CreateModelPackage request takes at most 50 entries in CustomerMetadataProperties" in (
        size
    )
    assert "at most 256 characters" in found[("ModelRegistration", "customer_metadata.key0")]


def test_a_parameter_is_checked_with_its_default(base):
    """What a run may change is checked as the pipeline is deployed: with its default."""
    definition = {
        "Parameters": [{"Name": "Count", "Type": "Integer", "DefaultValue": 101}],
        "Steps": [
            {
                "Name": "Script",
                "Type": "Processing",
                "Arguments": {
                    "AppSpecification": {"ImageUri": "img"},
                    "RoleArn": base["role"],
                    "ProcessingResources": {
                        "ClusterConfig": {
                            "InstanceCount": {"Get": "Parameters.Count"},
                            "InstanceType": "ml.m5.xlarge",
                            "VolumeSizeInGB": 30,
                        }
                    },
                    "ProcessingInputs": [
                        {
                            "InputName": "data",
                            "S3Input": {
                                "S3Uri": {"Get": "Steps.Load.ProcessingOutputConfig"},
                                "LocalPath": "/opt/ml/processing/input/data",
                                "S3DataType": "S3Prefix",
                                "S3InputMode": "File",
                            },
                        }
                    ],
                },
            }
        ],
    }
    (problem,) = request_problems(definition, {})
    assert "takes ProcessingResources.ClusterConfig.InstanceCount from 1 to 100" in problem.message
    assert problem.node == "Script"


def test_the_starters_conform():
    for starter in (
        "xgboost_end_to_end",
        "xgboost_quality_gate",
        "pytorch_model_registration",
        "features_function_and_lambda",
    ):
        folder = STARTERS / starter
        dag = PipelineDAG.from_adjacency(json.loads((folder / "dag.json").read_text()))
        document = json.loads((folder / "config.json").read_text())
        configs = configs_from_document(document)
        compiled = compile_pipeline(dag, configs, base_dir=folder)  # would raise
        assert request_problems(compiled.definition, configs) == []


def test_the_preview_reports_what_sagemaker_would_refuse(space, base, script_folder):
    """'The design is complete and valid' promised a definition SageMaker refuses."""
    from app_support import open_on, texts

    from builders.designs.design import add_node, connect, new_design, set_node_values

    design = new_design("limits", base)
    design = add_node(add_node(design, "DataLoading", "Load"), "ScriptProcessing", "Script")
    design = set_node_values(design, "Load", {"data_sources": ["s3://my-ml-bucket/raw/"]})
    many = {f"VAR_{n}": "x" for n in range(101)}
    values = {"script_folder": str(script_folder), "environment": many}
    design = connect(set_node_values(design, "Script", values), "Load", "Script")
    at = open_on("pages/export.py", design, space)
    shown = texts(at)
    assert "The design is complete and valid" not in shown
    table = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    rows = table.to_dict("records")
    assert any(
        r["node"] == "Script"
        and r["field"] == "environment"
        and "at most 100 entries" in r["problem"]
        for r in rows
    ), rows
    assert "Download pipeline JSON" not in [b.label for b in at.get("download_button")]


def test_each_long_value_is_reported_on_its_own_entry(base, script_folder):
    values = {"environment": {"A": "v" * 300, "B": "v" * 300}, "arguments": ["a" * 300] * 2}
    found = refused(*script_design(base, script_folder, **values))
    assert {f for _, f in found} == {"environment.A", "environment.B", "arguments.0", "arguments.1"}


def test_a_function_steps_environment_counts_the_sdks_own_entries(base, tmp_path):
    """The SDK adds to a function step's environment (AWS_DEFAULT_REGION; SDK 3 also the key
    that signs its payloads): 100 of yours make 101 or 102, more than CreateTrainingJob takes."""
    from builders.compiling.sdk import backend
    from builders.step_types.python_function.config import PythonFunctionConfig

    (tmp_path / "f.py").write_text("def run(**ports):\n    return None\n")
    config = PythonFunctionConfig(
        **base,
        source_dir=str(tmp_path),
        function="f.py:run",
        input_ports={},
        environment={f"VAR_{n}": "x" for n in range(100)},
    )
    found = refused(PipelineDAG.from_adjacency({"F": []}), {"F": config})
    given = 101 if backend().MAJOR == 2 else 102
    assert (
        f"takes at most 100 entries in Environment; this step gives {given}"
        in found[("F", "environment")]
    )
