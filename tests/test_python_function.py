"""A Python function as a step: checked without running it, compiled to the SDK's own function
step offline (what the SDK would upload is staged), and run by the sandbox as SageMaker would.
"""

from __future__ import annotations

import json
import pickletools
import subprocess
import sys
import textwrap
import warnings
import zipfile
from io import BytesIO

import botocore.session
import pytest
from botocore.validate import ParamValidator

from builders.compiling.compile import compile_pipeline
from builders.compiling.sdk import backend
from builders.deploying.definition_diff import diff_definitions
from builders.errors import StepBuildError
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG
from builders.localrun.definition import parse_definition
from builders.localrun.runner import executor_of
from builders.registry import REGISTRY
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.python_function.config import PythonFunctionConfig
from builders.step_types.python_function.local import run_function_step
from builders.step_types.script_processing.config import ScriptProcessingConfig

FEATURES = """
import pathlib

def build_features(data, features, scale: float = 1.0, *, label="is_fraud"):
    rows = 0
    for path in sorted(pathlib.Path(data).glob("*.csv")):
        text = path.read_text()
        (pathlib.Path(features) / path.name).write_text(text)
        rows += len(text.splitlines())
    return {"rows": rows, "scale": scale, "label": label}

async def later(data):
    return data

def positional(data, /, features):
    return data
"""
SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")


@pytest.fixture
def code(tmp_path):
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "features.py").write_text(textwrap.dedent(FEATURES))
    (folder / "requirements.txt").write_text("pandas\n")
    return folder


def values(code, **extra) -> dict:
    return {
        "source_dir": str(code),
        "function": "features.py:build_features",
        "requirements": "requirements.txt",
        "arguments": {"scale": "2.5"},
        "input_ports": {"data": "tabular data"},
        "output_ports": {"features": "processed data"},
        **extra,
    }


def design(base, code, **extra):
    dag = PipelineDAG.from_adjacency({"Load": [], "Features": ["Load"], "Script": ["Features"]})
    configs = {
        "Load": DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/raw/"]),
        "Features": PythonFunctionConfig(**base, **values(code, **extra)),
        "Script": ScriptProcessingConfig(
            **base,
            script_folder=str(code),
            script="features.py",
            input_ports={"rows": "processed data"},
        ),
    }
    return dag, configs


def problems(base, code, **extra) -> dict[str | None, str]:
    """The check's problems of the function node, by field."""
    dag = PipelineDAG.from_adjacency({"Features": []})
    classes = {"Features": PythonFunctionConfig}
    found = check_and_wire(dag, classes, {"Features": {**base, **values(code, **extra)}})[0]
    return {p.field: p.message for p in found if p.node == "Features" and p.code != "unconnected"}


# -- checked without running it -----------------------------------------------------------
def test_a_valid_function_passes_the_check(base, code):
    assert problems(base, code) == {}


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"function": "features.py:build"}, "function", "no top-level function 'build'"),
        ({"function": "missing.py:build_features"}, "function", "missing.py is not in the code"),
        ({"function": "features.py:later"}, "function", "is async"),
        ({"function": "features.py:positional"}, "function", "by position only"),
        ({"arguments": {"speed": "1"}}, "arguments", "takes no argument named 'speed'"),
        ({"input_ports": {"raw": "tabular data"}}, "input_ports", "takes no argument named 'raw'"),
        ({"output_ports": {}}, "arguments", "needs a value for 'features'"),
        ({"arguments": {"data": "1"}}, "arguments", "'data' is a port"),
        ({"function": "features.build_features"}, "function", "features.py:build_features"),
        ({"source_dir": "s3://my-ml-bucket/code/"}, "source_dir", "must be a local folder"),
        ({"python_version": "3.12"}, "python_version", "give your image_uri"),
    ],
)
def test_what_the_sdk_would_refuse_is_refused_on_its_field(base, code, extra, field, words):
    found = problems(base, code, **extra)
    assert field in found and words in found[field], found


def test_a_config_with_the_default_ports_dumps_without_a_warning(base, tmp_path):
    """The default ports are PortKinds like given ones: dumping the config (every check and
    the compile do) printed pydantic's serializer warning for the default outputs."""
    from builders.step_types.python_function.config import DEFAULT_OUTPUTS, PythonFunctionConfig

    (tmp_path / "f.py").write_text("def run(data, output):\n    return None\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = PythonFunctionConfig(**base, source_dir=str(tmp_path), function="f.py:run")
        dumped = config.model_dump(mode="json")
    assert dumped["output_ports"] == DEFAULT_OUTPUTS


def test_a_syntax_error_names_its_line(base, code):
    (code / "features.py").write_text("def build_features(data, features):\n    return (\n")
    assert "syntax error at line" in problems(base, code)["function"]


def test_keyword_arguments_with_defaults_need_no_value(base, code):
    (code / "features.py").write_text(
        "def build_features(data, features, *, n=3, **rest):\n  pass\n"
    )
    assert problems(base, code, arguments={"anything": "1"}) == {}


def test_the_check_does_not_run_the_users_code(base, code, tmp_path):
    marker = tmp_path / "ran"
    (code / "features.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n\ndef build_features(data, features):\n  pass\n"
    )
    assert problems(base, code, arguments={}) == {}
    assert not marker.exists()


# -- compiled to the SDK's function step, offline -------------------------------------------
@pytest.fixture
def compiled(base, code, no_network):
    dag, configs = design(base, code)
    return compile_pipeline(dag, configs)


def step_of(compiled, name):
    return next(s for s in compiled.definition["Steps"] if s["Name"] == name)


def staged(compiled) -> dict[str, bytes]:
    return {o.s3_uri: o.content for o in compiled.staged_objects}


def test_the_sdks_function_step_with_its_channels_and_arguments(compiled):
    step = step_of(compiled, "Features")
    assert step["Type"] == "Training"
    job = step["Arguments"]
    algorithm = job["AlgorithmSpecification"]
    assert algorithm["ContainerEntrypoint"][-1].endswith(
        "/sagemaker_remote_function_bootstrap/job_driver.sh"
    )
    assert algorithm["TrainingImage"].endswith("sagemaker-base-python-310:1.0")
    words = algorithm["ContainerArguments"]
    assert words[words.index("--client_python_version") + 1] == "3.10"
    build = words[words.index("--func_step_s3_dir") + 1]
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in job["InputDataConfig"]
    }
    assert set(channels) == {
        "sagemaker_remote_function_bootstrap",
        "pre_exec_script_and_dependencies",
        build,  # the workspace, where the SDK's bootstrap looks for it
        "data",
    }
    assert channels["data"] == {
        "Get": "Steps.Load.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri"
    }
    code_folder = "s3://my-ml-bucket/pipelines/ml-team-fraud-us-east-1/1.0.0/code/"
    for name in ("sagemaker_remote_function_bootstrap", "pre_exec_script_and_dependencies", build):
        assert channels[name].startswith(code_folder)  # content-addressed, as all staged code
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"


def test_what_the_sdk_uploads_is_staged_and_content_addressed(compiled, code):
    objects = staged(compiled)
    step = step_of(compiled, "Features")
    words = step["Arguments"]["AlgorithmSpecification"]["ContainerArguments"]
    base_uri = words[words.index("--s3_base_uri") + 1]
    build = words[words.index("--func_step_s3_dir") + 1]
    for part in ("function", "arguments"):
        for name in ("payload.pkl", "metadata.json"):
            assert f"{base_uri}/Features/{build}/{part}/{name}" in objects
    requirements = next(
        v for k, v in objects.items() if k.endswith("/requirements.txt") and b"sagemaker" in v
    )
    assert requirements.startswith(b"pandas\n")
    assert (code / "requirements.txt").read_text() == "pandas\n"  # the SDK appends in place
    workspace = next(v for k, v in objects.items() if k.endswith("/workspace.zip"))
    names = zipfile.ZipFile(BytesIO(workspace)).namelist()
    assert sorted(names) == [
        "sagemaker_remote_function_workspace/features.py",
        "sagemaker_remote_function_workspace/requirements.txt",
        "sagemaker_remote_function_workspace/sm_function_step.py",
    ]


def test_the_serialized_function_holds_no_code_and_runs_anywhere(compiled, code, tmp_path):
    """The payloads reference `sm_function_step.run` and `features.build_features`: loaded in
    a fresh process with the workspace on its path, they are those functions."""
    objects = staged(compiled)
    function = next(v for k, v in objects.items() if k.endswith("/function/payload.pkl"))
    arguments = next(v for k, v in objects.items() if k.endswith("/arguments/payload.pkl"))
    assert b"build_features" not in function and b"co_code" not in function
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "sm_function_step.py").write_text("def run(**kwargs):\n    return kwargs\n")
    (workspace / "features.py").write_text((code / "features.py").read_text())
    script = textwrap.dedent(
        """
        import pickle, sys
        function = pickle.loads(open(sys.argv[1], "rb").read())
        args, kwargs = pickle.loads(open(sys.argv[2], "rb").read())
        print("RESULT", function.__module__, function.__name__, kwargs["function"].__module__,
              kwargs["function"].__name__, kwargs["arguments"], kwargs["inputs"])
        """
    )
    (tmp_path / "f.pkl").write_bytes(function)
    (tmp_path / "a.pkl").write_bytes(arguments)
    shown = subprocess.run(
        [sys.executable, "-c", script, tmp_path / "f.pkl", tmp_path / "a.pkl"],
        capture_output=True,
        text=True,
        cwd=workspace,
        # As in the job: SDK 3's modules (the arguments' pipeline-variable placeholders)
        # need a region to import.
        env={"PYTHONPATH": str(workspace), "AWS_DEFAULT_REGION": "us-east-1"},
        check=True,
    ).stdout
    shown = shown[shown.index("RESULT ") + 7 :].split(maxsplit=4)
    assert shown[:4] == ["sm_function_step", "run", "features", "build_features"]
    assert "'scale': 2.5" in shown[4] and "/opt/ml/input/data/data" in shown[4]


def test_compiling_twice_gives_the_same_definition_and_objects(base, code):
    dag, configs = design(base, code)
    first, second = compile_pipeline(dag, configs), compile_pipeline(dag, configs)
    if backend().MAJOR == 2:
        assert first.definition_json == second.definition_json
        assert staged(first) == staged(second)
        return
    # SDK 3 signs the payloads with a key pair of each compile: its public key is in the
    # step's environment and the build folder holds it, so the payloads of one compile are
    # never overwritten by another's. All else is the same.
    (build1, key1), (build2, key2) = (build_and_key(c) for c in (first, second))
    assert key1 != key2 and build1 != build2
    normalized = first.definition_json.replace(build1, "B").replace(json.dumps(key1)[1:-1], "K")
    assert normalized == second.definition_json.replace(build2, "B").replace(
        json.dumps(key2)[1:-1], "K"
    )
    assert {k: v for k, v in staged(first).items() if f"/{build1}/" not in k} == {
        k: v for k, v in staged(second).items() if f"/{build2}/" not in k
    }


def build_and_key(compiled) -> tuple[str, str]:
    """(the build folder, the public key in the environment) of the function step."""
    job = step_of(compiled, "Features")["Arguments"]
    words = job["AlgorithmSpecification"]["ContainerArguments"]
    return words[words.index("--func_step_s3_dir") + 1], job["Environment"].get(
        "REMOTE_FUNCTION_SECRET_KEY", ""
    )


# -- what a deploy reports --------------------------------------------------------------
def test_an_unchanged_function_step_is_reported_unchanged(base, code):
    """SDK 3 signs the payloads with a key pair of each compile (its public key is in the
    step's environment, a fingerprint of it in the build folder): that alone is no change."""
    dag, configs = design(base, code)
    deployed, again = compile_pipeline(dag, configs), compile_pipeline(dag, configs)
    diff = diff_definitions(deployed.definition_json, again.definition_json)
    assert diff.empty, diff.lines()


@pytest.mark.parametrize(
    "change",
    [
        {"arguments": {"scale": "3.5"}},  # only in the pickled arguments: the build folder
        {"arguments": {"scale": "2.5", "label": "fraud"}},
        {"requirements": None},  # the requirements channel and the build folder
    ],
)
def test_a_changed_payload_is_reported(base, code, change):
    dag, configs = design(base, code)
    deployed = compile_pipeline(dag, configs).definition_json
    changed = {**configs, "Features": configs["Features"].model_copy(update=change)}
    diff = diff_definitions(deployed, compile_pipeline(dag, changed).definition_json)
    assert [c.name for c in diff.changed] == ["Features"]
    assert "Arguments.AlgorithmSpecification" in diff.changed[0].what


def test_another_key_under_the_same_build_folder_is_reported(base, code):
    """Only the key the build folder names is the compile's own: a definition whose
    environment names another key (its payloads would not verify) is a change."""
    dag, configs = design(base, code)
    deployed = compile_pipeline(dag, configs).definition
    other = json.loads(json.dumps(deployed))
    environment = step_of_definition(other, "Features")["Arguments"]["Environment"]
    if backend().MAJOR == 2:
        environment["REMOTE_FUNCTION_SECRET_KEY"] = "not a key"
    else:
        environment["REMOTE_FUNCTION_SECRET_KEY"] = compile_pipeline(dag, configs).definition[
            "Steps"
        ][1]["Arguments"]["Environment"]["REMOTE_FUNCTION_SECRET_KEY"]
    diff = diff_definitions(deployed, other)
    assert [c.name for c in diff.changed] == ["Features"]
    assert "Arguments.Environment" in diff.changed[0].what


def step_of_definition(definition: dict, name: str) -> dict:
    return next(step for step in definition["Steps"] if step["Name"] == name)


def test_a_changed_function_moves_to_a_new_build_folder(base, code):
    dag, configs = design(base, code)
    before = step_of(compile_pipeline(dag, configs), "Features")
    (code / "features.py").write_text((code / "features.py").read_text() + "\n# changed\n")
    after = step_of(compile_pipeline(dag, configs), "Features")

    def build(step):
        words = step["Arguments"]["AlgorithmSpecification"]["ContainerArguments"]
        return words[words.index("--func_step_s3_dir") + 1]

    assert build(before) != build(after)


def test_later_steps_read_the_declared_outputs_from_the_results(compiled):
    script = step_of(compiled, "Script")
    (source,) = [
        i["S3Input"]["S3Uri"]
        for i in script["Arguments"]["ProcessingInputs"]
        if i["InputName"] == "rows"
    ]
    assert source["Std:JsonGet"]["Path"] == "Result['outputs']['features']"
    values = source["Std:JsonGet"]["S3Uri"]["Std:Join"]["Values"]
    assert values == [{"Get": "Steps.Features.OutputDataConfig.S3OutputPath"}, "results.json"]
    assert "Features" in script["DependsOn"]


def test_the_training_request_conforms_to_sagemakers_shapes(compiled):
    step = step_of(compiled, "Features")
    request = {"TrainingJobName": "pipelines-x-Features", **placeholders(step["Arguments"])}
    shape = SAGEMAKER.operation_model("CreateTrainingJob").input_shape
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


def test_a_missing_requirements_file_is_named_on_its_field(base, code):
    assert (
        "deps.txt is not in the code folder"
        in problems(base, code, requirements="deps.txt")["requirements"]
    )


def test_a_file_named_like_the_entry_module_is_refused_on_the_code_folder(base, code):
    (code / "sm_function_step.py").write_text("x = 1\n")
    dag, configs = design(base, code)
    with pytest.raises(StepBuildError) as caught:
        compile_pipeline(dag, configs)
    assert (caught.value.node, caught.value.field) == ("Features", "source_dir")
    assert "Rename your file" in caught.value.message


def placeholders(value):
    """Pipeline expressions as the values SageMaker substitutes (strings of their kind)."""
    if isinstance(value, list):
        return [placeholders(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("Get", "Std:Join", "Std:JsonGet"):
            return "s3://placeholder/value"
        return {key: placeholders(item) for key, item in value.items()}
    return value


# -- the sandbox's executor ------------------------------------------------------------------
def test_the_sandbox_runs_any_sdk_function_step_with_the_sdks_runtime(compiled):
    spec = parse_definition(compiled.definition)
    assert executor_of(spec.steps["Features"]) is run_function_step
    assert executor_of(spec.steps["Load"]) is not run_function_step
    assert REGISTRY.get("PythonFunction").local_run


def test_the_payload_pickles_are_plain_pickle(compiled):
    """Nothing but pickle itself is needed to read them (cloudpickle is not in the data)."""
    function = next(v for k, v in staged(compiled).items() if k.endswith("/function/payload.pkl"))
    ops = {op.name for op, _, _ in pickletools.genops(function)}
    assert "STACK_GLOBAL" in ops and b"cloudpickle" not in function
    metadata = next(v for k, v in staged(compiled).items() if k.endswith("/function/metadata.json"))
    assert json.loads(metadata)["sha256_hash"]


# -- run by the sandbox ----------------------------------------------------------------------
RUNS = """
import json

def summarize(report, limit: int = 3):
    with open("lookup.json") as handle:  # relative to the code folder, its working folder
        lookup = json.load(handle)
    with open(report + "/report.txt", "w") as handle:
        handle.write(lookup["greeting"] * limit)
    return {"limit": limit}

def broken(report):
    raise ValueError("the lookup has no greeting")
"""


@pytest.fixture(scope="module")
def sandbox():
    from support import start_moto

    server, url = start_moto()
    yield url
    server.stop()


def run_function(sandbox, tmp_path, base, function):
    from builders.deploying.deploy import Target, deploy

    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "report.py").write_text(RUNS)
    (folder / "lookup.json").write_text('{"greeting": "hi "}')
    config = PythonFunctionConfig(
        **base,
        source_dir=str(folder),
        function=f"report.py:{function}",
        input_ports={},
        output_ports={"report": "data metadata"},
    )
    compiled = compile_pipeline(PipelineDAG.from_adjacency({"Report": []}), {"Report": config})
    target = Target("sandbox", "us-east-1", endpoint_url=sandbox, runs=tmp_path / "runs")
    result = deploy(compiled, target, role_arn=base["role"], start=True)
    runner = target.runner()
    return runner, runner.execution(result.execution_arn.rsplit("/", 1)[-1]).wait()


def test_the_sandbox_runs_the_function_in_its_workspace(sandbox, base, tmp_path):
    runner, run = run_function(sandbox, tmp_path, base, "summarize")
    assert run.status == "Succeeded", run.failure_reason
    step = run.steps["Report"]
    bucket, _, key = step.outputs["report"][len("s3://") :].partition("/")
    text = runner.aws.s3.get_object(Bucket=bucket, Key=f"{key}/report.txt")["Body"].read()
    assert text == b"hi hi hi "
    assert step.attempts == 1 and step.job_name.endswith("-Report")


def test_a_failing_function_fails_its_step_with_its_error(sandbox, base, tmp_path):
    _, run = run_function(sandbox, tmp_path, base, "broken")
    assert run.status == "Failed"
    assert "ValueError('the lookup has no greeting')" in run.steps["Report"].reason


def test_the_instance_type_can_be_a_pipeline_parameter(base, code):
    from builders.configs.parameters import Binding, PipelineParameter

    dag, configs = design(base, code)
    parameter = PipelineParameter(
        name="FunctionInstance",
        type="String",
        default="ml.m5.xlarge",
        bindings=(Binding(node="Features", field="instance_type"),),
    )
    compiled = compile_pipeline(dag, configs, parameters=[parameter])
    resources = step_of(compiled, "Features")["Arguments"]["ResourceConfig"]
    assert resources["InstanceType"] == {"Get": "Parameters.FunctionInstance"}


def test_a_function_file_the_gitignore_leaves_out_is_refused(base, code):
    (code / ".gitignore").write_text("features.py\n")
    dag, configs = design(base, code)
    with pytest.raises(StepBuildError) as caught:
        compile_pipeline(dag, configs)
    assert (caught.value.node, caught.value.field) == ("Features", "function")
    assert "left out of the code folder by its .gitignore" in caught.value.message


def test_a_function_in_a_package_of_the_code_folder(base, code):
    (code / "pkg").mkdir()
    (code / "pkg" / "steps.py").write_text("def run(data, features):\n    return None\n")
    assert problems(base, code, function="pkg/steps.py:run", arguments={}) == {}
    found = problems(base, code, function="pkg/steps.py:walk", arguments={})
    assert "steps.py has no top-level function 'walk' (it defines run)" in found["function"]
    dag, configs = design(base, code, function="pkg/steps.py:run", arguments={})
    assert step_of(compile_pipeline(dag, configs), "Features")["Type"] == "Training"


def test_a_code_folder_not_found_here_is_left_to_compiling(base, code, tmp_path):
    """A relative folder is found from the current folder when checking; compiling, which
    knows the config file's folder, reads it (and says when it is not there)."""
    assert problems(base, code, source_dir="no/such/folder") == {}
    assert problems(base, code, source_dir=str(tmp_path / "missing")) == {}


def test_an_edited_file_is_read_again(base, code):
    """Same size, other name: the check sees the edit (it caches by the file's version)."""
    assert problems(base, code) == {}
    text = (code / "features.py").read_text()
    (code / "features.py").write_text(text.replace("def build_features(", "def build_featurez("))
    assert "no top-level function 'build_features'" in problems(base, code)["function"]


def test_a_refusal_names_the_line_of_the_function(base, code):
    found = problems(base, code, arguments={"speed": "1"})
    assert "takes no argument named 'speed' (line 4)" in found["arguments"]
