"""Script processing: your own script as a step, with the ports you declare in the form."""

from __future__ import annotations

import warnings

import pytest

from builders.compiling.compile import compile_pipeline
from builders.designs.design import (
    Design,
    add_node,
    connect,
    connection_problem,
    set_node_values,
    validate_design,
)
from builders.graph.dag import PipelineDAG
from builders.graph.validation import validate_config
from builders.ports import NOT_FILES
from builders.registry import REGISTRY
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.script_processing.config import ScriptProcessingConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig


@pytest.fixture
def script_folder(tmp_path):
    folder = tmp_path / "my_code"
    folder.mkdir()
    (folder / "clean.py").write_text("print('cleaning')\n")
    return folder


def _values(script_folder, **extra):
    return {
        "script_folder": str(script_folder),
        "script": "clean.py",
        "container": "xgboost",
        "container_version": "1.7-1",
        "arguments": ["--mode", "strict"],
        "environment": {"LEVEL": "3", "TZ": "UTC"},
        "input_ports": {"raw": "tabular data"},
        "output_ports": {"cleaned": "tabular data", "report": "data metadata"},
        "instance_type": "ml.m5.2xlarge",
        "instance_count": 2,
        "volume_size": 50,
        "max_runtime_seconds": 3600,
        **extra,
    }


def test_every_field_reaches_the_processing_job(base, script_folder):
    dag = PipelineDAG.from_adjacency({"Load": [], "Clean": ["Load"], "Prep": ["Clean"]})
    configs = {
        "Load": DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/raw/"]),
        "Clean": ScriptProcessingConfig(**base, **_values(script_folder)),
        "Prep": TabularPreprocessingConfig(**base, label_name="label"),
    }
    compiled = compile_pipeline(dag, configs)
    steps = {s["Name"]: s for s in compiled.definition["Steps"]}
    job = steps["Clean"]["Arguments"]
    app = job["AppSpecification"]
    assert app["ContainerEntrypoint"] == ["python3", "/opt/ml/processing/input/code/clean.py"]
    assert app["ContainerArguments"] == ["--mode", "strict"]
    assert "sagemaker-xgboost:1.7-1" in app["ImageUri"]
    assert job["Environment"] == {"LEVEL": "3", "TZ": "UTC"}
    resources = job["ProcessingResources"]["ClusterConfig"]
    assert (resources["InstanceType"], resources["InstanceCount"]) == ("ml.m5.2xlarge", 2)
    assert resources["VolumeSizeInGB"] == 50
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    inputs = {i["InputName"]: i["S3Input"] for i in job["ProcessingInputs"]}
    assert set(inputs) == {"code", "raw"}
    assert inputs["raw"]["LocalPath"] == "/opt/ml/processing/input/raw"
    assert inputs["raw"]["S3Uri"] == {
        "Get": "Steps.Load.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri"
    }
    staged = {o.s3_uri.removeprefix(inputs["code"]["S3Uri"]) for o in compiled.staged_objects}
    assert "clean.py" in staged
    outputs = {o["OutputName"]: o["S3Output"] for o in job["ProcessingOutputConfig"]["Outputs"]}
    assert {n: o["LocalPath"] for n, o in outputs.items()} == {
        "cleaned": "/opt/ml/processing/output/cleaned",
        "report": "/opt/ml/processing/output/report",
    }
    # The declared output feeds the next step's input of its kind.
    prep = {
        i["InputName"]: i["S3Input"]["S3Uri"]
        for i in steps["Prep"]["Arguments"]["ProcessingInputs"]
    }
    assert prep["data"] == {
        "Get": "Steps.Clean.ProcessingOutputConfig.Outputs['cleaned'].S3Output.S3Uri"
    }


def test_your_own_image_and_the_pytorch_container(base, script_folder):
    dag = PipelineDAG.from_adjacency({"Mine": [], "Torch": []})
    ports = {"input_ports": {}, "output_ports": {"out": "tabular data"}}
    configs = {
        "Mine": ScriptProcessingConfig(
            **base, **_values(script_folder, container="image", image_uri="1.dkr.ecr/x:1", **ports)
        ),
        "Torch": ScriptProcessingConfig(
            **base,
            **_values(script_folder, container="pytorch", container_version="2.1.0", **ports),
        ),
    }
    steps = {s["Name"]: s["Arguments"] for s in compile_pipeline(dag, configs).definition["Steps"]}
    assert steps["Mine"]["AppSpecification"]["ImageUri"] == "1.dkr.ecr/x:1"
    assert "pytorch-training:2.1.0-cpu-py310" in steps["Torch"]["AppSpecification"]["ImageUri"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"container": "image"}, "image_uri"),
        ({"container_version": "9.9"}, "container_version"),
        ({"input_ports": {"1bad": "tabular data"}}, "input_ports"),
        ({"output_ports": {"out": "no such kind"}}, "output_ports"),
        ({"environment": {"A B": "x"}}, "environment"),
    ],
)
def test_bad_values_are_reported_on_their_field(base, script_folder, extra, field):
    _, problems = validate_config(
        ScriptProcessingConfig, {**base, **_values(script_folder, **extra)}
    )
    assert problems and all(p.field.split(".")[0] == field for p in problems), problems


def test_declared_ports_wire_in_the_designer(base, script_folder):
    design = Design(name="d", settings=base)
    design = add_node(design, "DataLoading", name="Load")
    design = add_node(design, "ScriptProcessing", name="Clean")
    design = add_node(design, "XGBoostTraining", name="Train")
    # By default a script reads tabular data and writes processed data.
    assert connection_problem(design, "Load", "Clean") is None
    design = set_node_values(
        design, "Clean", {"input_ports": {"model": "model artifacts"}, "output_ports": {}}
    )
    problem = connection_problem(design, "Load", "Clean")
    assert problem and "accepts model artifacts" in problem
    design = set_node_values(
        design, "Clean", {**_values(script_folder), "output_ports": {"splits": "processed data"}}
    )
    design = connect(connect(design, "Load", "Clean"), "Clean", "Train")
    assert ("Clean", "Train") in design.edges


def test_a_required_declared_input_without_a_producer_is_unconnected(base, script_folder):
    design = Design(name="d", settings=base)
    design = add_node(design, "ScriptProcessing", name="Clean")
    design = set_node_values(design, "Clean", _values(script_folder))
    problems = validate_design(design).for_node("Clean")
    assert [(p.field, p.code) for p in problems] == [("raw", "unconnected")]


def test_the_step_type_is_registered_from_its_folder_alone():
    step_type = REGISTRY.get("ScriptProcessing")
    assert step_type.config_class is ScriptProcessingConfig
    assert step_type.builder_class().__name__ == "ScriptProcessingStepBuilder"


def test_the_default_ports_serialize_without_a_warning(base, script_folder):
    """The server log repeated PydanticSerializationUnexpectedValue for the default ports
    (plain strings where the field holds PortKind)."""
    values = {
        k: v for k, v in _values(script_folder).items() if k not in ("input_ports", "output_ports")
    }
    config = ScriptProcessingConfig.model_validate({**base, **values})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dumped = config.model_dump(mode="json")
        config.model_dump()
    assert dumped["input_ports"] == {"data": "tabular data"}
    assert dumped["output_ports"] == {"output": "processed data"}


def _reader_of_every_kind(starter: str, script_folder) -> tuple[PipelineDAG, dict, dict]:
    """The starter with a ScriptProcessing node per output (kind) of its nodes, reading it:
    (dag, configs, {reader: (producer, kind)})."""
    from builders.designs.config_io import configs_from_document
    from builders.fileio import read_json
    from builders.starters import FOLDER

    document = read_json(FOLDER / starter / "config.json", "starter")
    adjacency = read_json(FOLDER / starter / "dag.json", "starter")
    configs = configs_from_document(document)
    base = {k: getattr(next(iter(configs.values())), k) for k in ("author", "bucket", "role")}
    base |= {"service_name": next(iter(configs.values())).service_name}
    readers = {}
    for node, config in list(configs.items()):
        for port in REGISTRY.for_config(config).outputs:
            name = f"Read-{node}-{port.name}"[:50]
            values = _values(script_folder, input_ports={"given": port.kind.value})
            configs[name] = ScriptProcessingConfig(**base, **values)
            adjacency[name] = [node]
            readers[name] = (node, port)
    for config in configs.values():
        if hasattr(config, "source_dir") and config.source_dir == "inference":
            config.source_dir = str(FOLDER / starter / "inference")
        if getattr(config, "inference_source_dir", None) == "inference":
            config.inference_source_dir = str(FOLDER / starter / "inference")
    return PipelineDAG.from_adjacency(adjacency), configs, readers


def test_every_port_kind_a_step_produces_feeds_a_script_input(script_folder):
    """A script input of kind "model evaluation" fed by ModelEvaluation crashed compile:
    'EvaluationOutput' object has no attribute 'decode' (issue 17). Each reads files: an
    evaluation its report's folder, a SageMaker model its model.tar.gz."""
    produced = {p.kind for t in REGISTRY for p in t.outputs if t.name != "FeatureFilter"}
    produced -= NOT_FILES  # a name or a number: a script refuses them (test below)
    covered = set()
    for starter in ("xgboost_quality_gate", "xgboost_end_to_end"):
        dag, configs, readers = _reader_of_every_kind(starter, script_folder)
        steps = {}
        pending = list(compile_pipeline(dag, configs).definition["Steps"])
        while pending:
            step = pending.pop()
            steps[step["Name"]] = step
            pending += step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", [])
        for reader, (producer, port) in readers.items():
            inputs = {
                i["InputName"]: i["S3Input"] for i in steps[reader]["Arguments"]["ProcessingInputs"]
            }
            source = str(inputs["given"]["S3Uri"])
            assert "ModelName" not in source and producer in source, (reader, source)
            covered.add(port.kind)
    assert covered == produced


@pytest.mark.parametrize("kind", sorted(kind.value for kind in NOT_FILES))
def test_a_script_refuses_a_port_of_a_kind_that_is_no_files(base, script_folder, kind):
    _, problems = validate_config(
        ScriptProcessingConfig, {**base, **_values(script_folder, input_ports={"given": kind})}
    )
    assert [(p.field, f"'given' is a {kind}, not files" in p.message) for p in problems] == [
        ("input_ports", True)
    ]
