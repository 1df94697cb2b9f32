"""A Lambda call: by ARN, or a handler of the code folder that deploy creates with the SDK's
Lambda helper; checked without running it, compiled offline to the SDK's LambdaStep, and run
by the sandbox in a bounded process of its own."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile

import boto3
import botocore.session
import pytest
from botocore.validate import ParamValidator
from support import start_moto

from builders.compiling.compile import compile_pipeline
from builders.deploying.deploy import Target, deploy
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG
from builders.localrun.definition import parse_definition
from builders.localrun.runner import executor_of
from builders.step_types.lambda_call.config import LambdaCallConfig, Runtime
from builders.step_types.lambda_call.deployment import CODE_TAG
from builders.step_types.lambda_call.local import run_lambda
from builders.step_types.python_function.config import PythonFunctionConfig

HANDLER = """
import json, os, time

def check(event, context):
    if event.get("fail"):
        raise ValueError("the data is too small: " + str(event["rows"]))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("hog"):
        hoard = bytearray(event["hog"] * 1024 * 1024)
    return {
        "rows": event["rows"],
        "ratio": "0.25",
        "passed": "true",
        "where": event.get("data", "s3://my-ml-bucket/none"),
        "name": context.function_name,
        "level": os.environ.get("LEVEL"),
        "left": context.get_remaining_time_in_millis() > 0,
    }

def one(event):
    return event

async def later(event, context):
    return event
"""
ARN = "arn:aws:lambda:us-east-1:111122223333:function:their-check"
LAMBDA = botocore.session.get_session().get_service_model("lambda")


@pytest.fixture
def code(tmp_path):
    folder = tmp_path / "lambda_code"
    folder.mkdir()
    (folder / "checks.py").write_text(textwrap.dedent(HANDLER))
    return folder


def values(code, **extra) -> dict:
    return {
        "source_dir": str(code),
        "handler": "checks.check",
        "inputs": {"rows": "120"},
        "outputs": {"rows": "Integer", "ratio": "Float", "passed": "Boolean", "name": "String"},
        "environment": {"LEVEL": "debug"},
        **extra,
    }


def problems(base, code, **extra) -> dict[str | None, str]:
    dag = PipelineDAG.from_adjacency({"Check": []})
    found, _ = check_and_wire(
        dag, {"Check": LambdaCallConfig}, {"Check": {**base, **values(code, **extra)}}
    )
    return {p.field: p.message for p in found if p.node == "Check"}


def test_a_deployable_handler_passes_the_check(base, code):
    assert problems(base, code) == {}


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"handler": "checks.nothing"}, "handler", "no top-level function 'nothing'"),
        ({"handler": "other.check"}, "handler", "other.py is not in the code folder"),
        ({"handler": "checks.one"}, "handler", "must take two arguments, (event, context)"),
        ({"handler": "checks.later"}, "handler", "is async"),
        ({"handler": "check"}, "handler", "must be file.function"),
        ({"source_dir": None}, "function_arn", "is required, unless"),
        ({"function_arn": "arn:aws:lambda:us-east-1:1234:function:x"}, "function_arn", "pattern"),
        ({"input_ports": {"rows": "tabular data"}}, "inputs", "'rows' is an input port too"),
        ({"output_ports": {"rows": "tabular data"}}, "output_ports", "'rows' is an output too"),
        ({"environment": {"1BAD": "x"}}, "environment.1BAD.[key]", "Lambda API's pattern"),
    ],
)
def test_what_lambda_would_refuse_is_refused_on_its_field(base, code, extra, field, words):
    found = problems(base, code, **extra)
    assert field in found and words in found[field], found


def test_the_python_runtimes_offered_are_lambdas_own():
    assert set(Runtime.__args__) <= set(LAMBDA.shape_for("Runtime").enum)


# -- compiled offline to the SDK's LambdaStep ----------------------------------------------
def design(base, code, **extra):
    """A function step's output checked by the Lambda, and an ARN-only call after it."""
    (code / "features.py").write_text("def make(features):\n    return None\n")
    dag = PipelineDAG.from_adjacency({"Make": [], "Check": ["Make"], "Theirs": ["Check"]})
    configs = {
        "Make": PythonFunctionConfig(
            **base,
            source_dir=str(code),
            function="features.py:make",
            input_ports={},
            output_ports={"features": "tabular data"},
        ),
        "Check": LambdaCallConfig(
            **base,
            **values(
                code, input_ports={"data": "tabular data"}, output_ports={"where": "tabular data"}
            ),
            **extra,
        ),
        "Theirs": LambdaCallConfig(**base, function_arn=ARN, input_ports={"data": "tabular data"}),
    }
    return dag, configs


def steps_of(compiled) -> dict[str, dict]:
    return {s["Name"]: s for s in compiled.definition["Steps"]}


def test_the_sdks_lambda_step_names_the_function_it_will_deploy(base, code, no_network):
    compiled = compile_pipeline(*design(base, code))
    check, theirs = steps_of(compiled)["Check"], steps_of(compiled)["Theirs"]
    name = "ml-team-fraud-us-east-1-Check"
    assert check["Type"] == "Lambda"
    assert check["FunctionArn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert check["Arguments"]["rows"] == 120  # "120" read as JSON
    assert check["Arguments"]["data"]["Std:JsonGet"]["Path"] == "Result['outputs']['features']"
    assert check["OutputParameters"] == [
        {"OutputName": "rows", "OutputType": "Integer"},
        {"OutputName": "ratio", "OutputType": "Float"},
        {"OutputName": "passed", "OutputType": "Boolean"},
        {"OutputName": "name", "OutputType": "String"},
        {"OutputName": "where", "OutputType": "String"},
    ]
    assert theirs["FunctionArn"] == ARN
    assert theirs["Arguments"] == {"data": {"Get": "Steps.Check.OutputParameters['where']"}}
    for step in (check, theirs):
        assert LAMBDA_ARN.fullmatch(step["FunctionArn"])
    (deployment,) = compiled.deploy_actions  # the ARN-only call deploys nothing
    assert (deployment.function_name, deployment.handler) == (name, "checks.check")
    with zipfile.ZipFile(io.BytesIO(deployment.code)) as archive:
        assert sorted(archive.namelist()) == ["checks.py", "features.py"]


LAMBDA_ARN = re.compile(LAMBDA.shape_for("FunctionArn").metadata["pattern"])


def test_the_function_lambda_is_asked_to_create_conforms_to_its_request_shape(base, code):
    (deployment,) = compile_pipeline(*design(base, code)).deploy_actions
    request = {
        "FunctionName": deployment.function_name,
        "Runtime": deployment.runtime,
        "Role": deployment.role,
        "Handler": deployment.handler,
        "Code": {"S3Bucket": deployment.bucket, "S3Key": "lambda/x/code"},
        "Timeout": deployment.timeout,
        "MemorySize": deployment.memory,
        "Environment": {"Variables": deployment.environment},
    }
    report = ParamValidator().validate(
        request, LAMBDA.operation_model("CreateFunction").input_shape
    )
    assert not report.has_errors(), report.generate_report()


def test_a_long_pipeline_name_gives_a_function_name_lambda_takes(base, code):
    long = {**base, "service_name": "x" * 60}
    (deployment,) = compile_pipeline(*design(long, code)).deploy_actions
    assert len(deployment.function_name) == 64
    assert deployment.arn.endswith(":function:" + deployment.function_name)


def test_the_sandbox_runs_lambda_steps(base, code):
    spec = parse_definition(compile_pipeline(*design(base, code)).definition)
    assert executor_of(spec.steps["Check"]) is run_lambda


# -- deployed with the SDK's helper and run in the sandbox -----------------------------------
@pytest.fixture(scope="module")
def sandbox():
    server, url = start_moto()
    yield url
    server.stop()


def lambda_design(base, code, **extra):
    dag = PipelineDAG.from_adjacency({"Check": []})
    return dag, {"Check": LambdaCallConfig(**base, **values(code, **extra))}


def run_in(sandbox, tmp_path, base, dag, configs):
    target = Target("sandbox", "us-east-1", endpoint_url=sandbox, runs=tmp_path / "runs")
    compiled = compile_pipeline(dag, configs)
    said = []
    result = deploy(
        compiled, target, role_arn=base["role"], start=True, progress=lambda *m: said.append(m)
    )
    run = target.runner().execution(result.execution_arn.rsplit("/", 1)[-1]).wait()
    return run, said, target


def client(sandbox, service):
    return boto3.client(
        service, endpoint_url=sandbox, region_name="us-east-1", aws_access_key_id="x",
        aws_secret_access_key="x",
    )  # fmt: skip


def test_deploy_creates_the_function_and_the_sandbox_runs_its_handler(
    sandbox, base, code, tmp_path
):
    run, said, _ = run_in(sandbox, tmp_path, base, *lambda_design(base, code))
    assert run.status == "Succeeded", run.failure_reason
    step = run.steps["Check"]
    assert step.properties["OutputParameters"] == {
        "rows": 120,
        "ratio": 0.25,
        "passed": True,
        "name": "ml-team-fraud-us-east-1-Check",
    }
    assert (
        "lambda functions",
        "ml-team-fraud-us-east-1-Check: checks.check from the code folder (python3.12).",
    ) in said
    function = client(sandbox, "lambda").get_function(FunctionName="ml-team-fraud-us-east-1-Check")
    configuration = function["Configuration"]
    assert (configuration["Handler"], configuration["MemorySize"]) == ("checks.check", 256)
    assert configuration["Environment"]["Variables"] == {"LEVEL": "debug"}
    assert (
        function["Tags"][CODE_TAG] == "s3://my-ml-bucket/lambda/ml-team-fraud-us-east-1-Check/code"
    )


def test_a_second_deploy_updates_the_functions_code_and_settings(sandbox, base, code, tmp_path):
    run_in(sandbox, tmp_path, base, *lambda_design(base, code, function_name="twice"))
    (code / "checks.py").write_text(
        textwrap.dedent(HANDLER).replace('"ratio": "0.25"', '"ratio": 0.5')
    )
    run, _, _ = run_in(
        sandbox, tmp_path, base, *lambda_design(base, code, function_name="twice", memory_mb=512)
    )
    assert run.status == "Succeeded", run.failure_reason
    assert run.steps["Check"].properties["OutputParameters"]["ratio"] == 0.5
    configuration = client(sandbox, "lambda").get_function(FunctionName="twice")["Configuration"]
    assert configuration["MemorySize"] == 512


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        ({"rows": "5", "fail": "true"}, "ValueError: the data is too small: 5"),
        ({"rows": "5", "sleep": "30"}, "ran over its limit of 2 s"),
        ({"rows": "5", "hog": "2048"}, "MemoryError"),
        ({"rows": '"many"'}, "gives 'rows' as 'many', not a Integer"),
    ],
)
def test_a_failing_call_fails_its_step_saying_why(sandbox, base, code, tmp_path, inputs, reason):
    dag, configs = lambda_design(base, code, inputs=inputs, timeout_seconds=2)
    run, _, _ = run_in(sandbox, tmp_path, base, dag, configs)
    assert run.status == "Failed"
    assert reason in run.steps["Check"].reason, run.steps["Check"].reason


def test_an_answer_without_a_declared_output_names_it(sandbox, base, code, tmp_path):
    dag, configs = lambda_design(base, code, outputs={"verdict": "String"})
    run, _, _ = run_in(sandbox, tmp_path, base, dag, configs)
    assert "The function's answer has no 'verdict'" in run.steps["Check"].reason


def test_a_call_by_arn_alone_says_it_cannot_run_here_and_what_to_do(sandbox, base, tmp_path):
    dag = PipelineDAG.from_adjacency({"Theirs": []})
    configs = {"Theirs": LambdaCallConfig(**base, function_arn=ARN)}
    run, said, _ = run_in(sandbox, tmp_path, base, dag, configs)
    reason = run.steps["Theirs"].reason
    assert run.status == "Failed" and "Cannot run locally" in reason
    assert "clear its function ARN and give the handler in your code folder" in reason
    assert not any(stage == "lambda functions" for stage, _ in said)


# -- a condition compares a number the function returns --------------------------------------
def gated(base, code, compare="ratio"):
    """Check -> Gate(compare) -> if: Script, else: Stop."""
    from builders.step_types.condition.config import ConditionConfig
    from builders.step_types.fail.config import FailConfig
    from builders.step_types.script_processing.config import ScriptProcessingConfig

    (code / "process.py").write_text("print('ok')\n")
    dag = PipelineDAG.from_adjacency(
        {"Check": [], "Gate": ["Check"], "Script": ["Gate"], "Stop": ["Gate"]}
    )
    values_ = values(code, outputs={"rows": "Integer", "ratio": "Float", "passed": "Boolean"})
    classes = {
        "Check": LambdaCallConfig,
        "Gate": ConditionConfig,
        "Script": ScriptProcessingConfig,
        "Stop": FailConfig,
    }
    raw = {
        "Check": {**base, **values_},
        "Gate": {
            **base,
            "compare": compare,
            "operator": "<=",
            "threshold": 0.5,
            "if_steps": ["Script"],
        },
        "Script": {**base, "script_folder": str(code), "input_ports": {}},
        "Stop": {**base},
    }
    return dag, classes, raw


def test_a_condition_compares_the_number_it_names(base, code):
    dag, classes, raw = gated(base, code)
    assert check_and_wire(dag, classes, raw)[0] == []
    configs = {node: classes[node](**raw[node]) for node in dag.nodes}
    (gate,) = [s for s in compile_pipeline(dag, configs).definition["Steps"] if s["Name"] == "Gate"]
    (condition,) = gate["Arguments"]["Conditions"]
    assert condition == {
        "Type": "LessThanOrEqualTo",
        "LeftValue": {"Get": "Steps.Check.OutputParameters['ratio']"},
        "RightValue": 0.5,
    }


def test_a_condition_naming_no_number_of_its_parent_says_so(base, code):
    """The numbers the parent returns are listed (a Boolean is not one)."""
    dag, classes, raw = gated(base, code, compare="passed")
    (problem,) = check_and_wire(dag, classes, raw)[0]
    assert (problem.node, problem.field) == ("Gate", "passed")
    assert "could come from Check.rows, Check.ratio" in problem.message


def test_a_job_cannot_declare_a_value_port(base, code):
    from builders.graph.validation import validate_config
    from builders.step_types.script_processing.config import ScriptProcessingConfig

    _, found = validate_config(
        ScriptProcessingConfig,
        {**base, "script_folder": str(code), "input_ports": {"n": "value"}},
        "Script",
    )
    assert [(p.field, "is a value" in p.message) for p in found] == [("input_ports", True)]
    assert (
        "declare it in outputs" in problems(base, code, output_ports={"n": "value"})["output_ports"]
    )


def test_a_handler_taking_any_positional_arguments_is_callable(base, code):
    (code / "checks.py").write_text("def check(*args):\n    return {}\n")
    assert problems(base, code) == {}
