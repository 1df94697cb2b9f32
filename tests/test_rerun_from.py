"""Re-run from a step, against a moto server on 127.0.0.1: SageMaker's selective execution on
AWS, the local runner's re-run in the sandbox."""

from __future__ import annotations

import json

import pytest
from localrun_support import REGION, ROLE
from support import PATIENT, load_starter

from builders.compiling.compile import compile_pipeline
from builders.deploying.deploy import Target, deploy, recent_executions
from builders.deploying.rerun import rerun_from, steps_to_rerun
from builders.errors import DeployError


@pytest.fixture(scope="module")
def compiled():
    dag, configs, folder = load_starter("xgboost_end_to_end")
    return compile_pipeline(dag, configs, base_dir=folder)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["Payload"], ["Payload", "ModelRegistration-RegisterModel"]),
        (["DataLoadingCalibration"], ["DataLoadingCalibration", "BatchTransform"]),
        (
            ["Packaging"],
            [
                "Packaging",
                "XGBoostModel-CreateModel",
                "Payload",
                "ModelRegistration-RegisterModel",
                "BatchTransform",
            ],
        ),
    ],
)
def test_the_chosen_steps_and_every_step_after_them_run_again(compiled, chosen, expected):
    # Read by hand from the starter's definition (its DependsOn and property references).
    assert sorted(steps_to_rerun(compiled.definition_json, chosen)) == sorted(expected)


def test_a_step_the_pipeline_does_not_have_is_refused_by_name(compiled):
    with pytest.raises(DeployError, match="unknown: Evaluate"):
        steps_to_rerun(compiled.definition_json, ["Evaluate"])


def test_on_aws_a_selective_execution_of_the_ended_one_is_started(
    moto, compiled, aws_env, monkeypatch
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    aws = Target("aws", REGION)
    aws.client("s3").create_bucket(Bucket="my-ml-bucket")
    first = deploy(compiled, aws, role_arn=ROLE, start=True)
    arn = rerun_from(aws, compiled.name, first.execution_arn, ["Payload"], timeout=PATIENT)
    assert arn != first.execution_arn and arn.startswith(first.pipeline_arn + "/execution/")
    listed = {row["arn"] for row in recent_executions(aws, compiled.name, timeout=PATIENT)}
    assert listed == {first.execution_arn, arn}
    ran = aws.client("sagemaker").describe_pipeline_definition_for_execution(
        PipelineExecutionArn=arn
    )
    assert json.loads(ran["PipelineDefinition"]) == compiled.definition


def test_on_aws_an_unknown_execution_is_a_message_not_a_traceback(
    moto, compiled, aws_env, monkeypatch
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    aws = Target("aws", REGION)
    missing = f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{compiled.name}/execution/nope"
    with pytest.raises(DeployError) as raised:
        rerun_from(aws, compiled.name, missing, ["Payload"])
    assert raised.value.stage == "start" and "Traceback" not in raised.value.message


def test_in_the_sandbox_the_runner_re_runs_and_reuses_the_rest(moto, tmp_path):
    dag, configs, folder = load_starter("pytorch_model_registration")
    compiled = compile_pipeline(dag, configs, base_dir=folder)
    target = Target("sandbox", REGION, endpoint_url=moto, runs=tmp_path / "runs")
    document = json.loads((folder / "config.json").read_text())
    first = deploy(compiled, target, role_arn=ROLE, start=True, config_document=document)
    target.runner().execution(first.execution_arn.rsplit("/", 1)[-1]).wait()
    last = compiled.step_names[-1]
    arn = rerun_from(target, compiled.name, first.execution_arn, [last])
    again = target.runner().execution(arn.rsplit("/", 1)[-1])
    again.wait()
    steps = again.run.steps
    assert steps[last].state == "succeeded" and steps[last].source_execution is None
    first_id = first.execution_arn.rsplit("/", 1)[-1]
    reused = {name: steps[name].source_execution for name in compiled.step_names[:-1]}
    assert reused == dict.fromkeys(compiled.step_names[:-1], first_id)
