"""Deploy against a real moto server on 127.0.0.1: first deploy, re-deploy, start, failures."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError
from support import PATIENT, STARTERS, ForwardingProxy, load_starter, start_moto

from builders.cli import main as cli
from builders.compiling.compile import compile_pipeline
from builders.deploying.deploy import (
    Target,
    deploy,
    execution_status,
    explain,
    recent_executions,
)
from builders.errors import DeployError

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def compiled():
    dag, configs, folder = load_starter("xgboost_end_to_end")
    return compile_pipeline(dag, configs, base_dir=folder)


def sandbox(url: str) -> Target:
    return Target("sandbox", REGION, endpoint_url=url)


def run(compiled, target: Target, **kwargs):
    kwargs.setdefault("role_arn", ROLE)
    return deploy(compiled, target, tags={"author": "ml-team", "design": "fraud"}, **kwargs)


def test_first_deploy_creates_bucket_uploads_and_creates_the_pipeline(moto, compiled):
    stages = []
    result = run(compiled, sandbox(moto), progress=lambda stage, _: stages.append(stage))
    assert result.created and result.uploaded == len(compiled.staged_objects)
    assert result.skipped == 0 and result.identity.startswith("arn:aws:sts::")
    assert stages[0] == "preflight" and stages[-1] == "upsert"
    target = sandbox(moto)
    s3, sagemaker = target.client("s3"), target.client("sagemaker")
    for obj in compiled.staged_objects:
        assert s3.get_object(Bucket=obj.bucket, Key=obj.key)["Body"].read() == obj.content
    described = sagemaker.describe_pipeline(PipelineName=compiled.name)
    assert json.loads(described["PipelineDefinition"]) == compiled.definition
    assert described["RoleArn"] == ROLE
    tags = sagemaker.list_tags(ResourceArn=result.pipeline_arn)["Tags"]
    assert {"Key": "author", "Value": "ml-team"} in tags
    assert {"Key": "design", "Value": "fraud"} in tags


def test_deploying_again_updates_and_uploads_nothing_new(moto, compiled):
    run(compiled, sandbox(moto))
    again = run(compiled, sandbox(moto))
    assert not again.created
    assert (again.uploaded, again.skipped) == (0, len(compiled.staged_objects))


def test_redeploying_updates_the_pipelines_tags(moto, compiled):
    """As the SDK's upsert does: UpdatePipeline takes no tags, so they are added after it."""
    target = sandbox(moto)
    first = deploy(compiled, target, role_arn=ROLE, tags={"author": "ml-team", "design": "v1"})
    deploy(compiled, target, role_arn=ROLE, tags={"design": "v2", "owner": "fraud-team"})
    tags = target.client("sagemaker").list_tags(ResourceArn=first.pipeline_arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {
        "author": "ml-team",  # kept
        "design": "v2",  # updated
        "owner": "fraud-team",  # added
    }


def test_start_runs_the_pipeline_in_the_sandbox_and_follows_it(moto, tmp_path):
    dag, configs, folder = load_starter("pytorch_model_registration")
    compiled = compile_pipeline(dag, configs, base_dir=folder)
    target = Target("sandbox", REGION, endpoint_url=moto, runs=tmp_path / "runs")
    document = json.loads((folder / "config.json").read_text())
    result = run(compiled, target, start=True, config_document=document)
    assert result.execution_arn.startswith(result.pipeline_arn + "/execution/")
    execution_id = result.execution_arn.rsplit("/", 1)[-1]
    target.runner().execution(execution_id).wait()
    status = execution_status(target, result.execution_arn)
    assert status.status == "Succeeded" and status.finished, status.failure_reason
    assert [(s["step"], s["status"]) for s in status.steps] == [
        (name, "succeeded") for name in compiled.step_names
    ]
    # The records outlive the sandbox: read with no sandbox at all, as after a restart.
    stopped = Target("sandbox", REGION, runs=tmp_path / "runs")
    (recent,) = recent_executions(stopped, compiled.name)
    assert recent["arn"] == result.execution_arn and recent["status"] == "Succeeded"
    assert execution_status(stopped, result.execution_arn).steps == status.steps


def test_status_on_aws_says_why_steps_are_missing(moto, compiled, aws_env, monkeypatch):
    """moto does not implement ListPipelineExecutionSteps: the status is still shown."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    aws = Target("aws", REGION)
    aws.client("s3").create_bucket(Bucket="my-ml-bucket")
    result = run(compiled, aws, start=True)
    status = execution_status(aws, result.execution_arn, timeout=PATIENT)
    assert status.status == "Succeeded" and status.steps is None
    assert status.steps_note.startswith("The steps could not be listed: ")


def test_recent_executions_of_a_pipeline_not_deployed(moto):
    assert recent_executions(sandbox(moto), "never-deployed") == []


def test_aws_target_needs_an_existing_bucket(moto, compiled, aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)  # the standard chain, pointed at moto
    target = Target("aws", REGION)
    with pytest.raises(DeployError) as raised:
        run(compiled, target)
    assert raised.value.stage == "preflight"
    assert "The bucket 'my-ml-bucket' does not exist" in str(raised.value)
    target.client("s3").create_bucket(Bucket="my-ml-bucket")
    result = run(compiled, target, start=True)
    assert result.created and result.execution_arn
    assert result.console_url.startswith("https://us-east-1.console.aws.amazon.com/sagemaker/")


def test_a_wrong_role_stops_before_anything_is_changed(moto, compiled):
    with pytest.raises(DeployError) as raised:
        run(compiled, sandbox(moto), role_arn="SageMakerExecutionRole")
    assert raised.value.stage == "preflight" and "not an IAM role ARN" in str(raised.value)
    pipelines = sandbox(moto).client("sagemaker").list_pipelines()["PipelineSummaries"]
    assert pipelines == []


def test_the_sandbox_going_away_mid_deploy_names_the_stage(compiled):
    server, url = start_moto()

    def stop_after_preflight(stage, message):
        if stage == "preflight" and message.startswith("Bucket"):
            server.stop()

    with pytest.raises(DeployError) as raised:
        run(compiled, sandbox(url), progress=stop_after_preflight)
    assert raised.value.stage == "stage code"
    assert "sandbox stopped answering during 'stage code'" in str(raised.value)


def test_no_credentials(compiled, aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(DeployError) as raised:
        run(compiled, Target("aws", REGION))
    assert raised.value.stage == "preflight"
    assert "No AWS credentials were found" in str(raised.value)


def test_an_unknown_profile(compiled, aws_env):
    with pytest.raises(DeployError, match="profile 'nope' does not exist"):
        run(compiled, Target("aws", REGION, profile="nope"))


def client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("code", "stage", "expected"),
    [
        ("ExpiredToken", "preflight", "expired or invalid"),
        ("AccessDeniedException", "upsert", "Access denied to CreatePipeline"),
        ("ThrottlingException", "upsert", "kept throttling"),
        ("ValidationException", "upsert", "SageMaker refused the pipeline definition"),
        ("InternalFailure", "start", "AWS refused CreatePipeline during 'start'"),
    ],
)
def test_aws_errors_in_words(code, stage, expected):
    message = explain(client_error(code, "details", "CreatePipeline"), stage, Target("aws", REGION))
    assert expected in message


def throttle(calls: int):
    """Answers the first `calls` CreatePipeline requests with throttling, then forwards."""
    seen = []

    def intercept(handler) -> bool:
        if handler.headers.get("X-Amz-Target") != "SageMaker.CreatePipeline":
            return False
        seen.append(1)
        if len(seen) > calls:
            return False
        payload = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        handler.send_response(400)
        handler.send_header("Content-Type", "application/x-amz-json-1.1")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
        return True

    return intercept, seen


def test_throttling_is_retried_with_backoff(moto, compiled, aws_env):
    intercept, create_calls = throttle(2)
    proxy = ForwardingProxy(moto, intercept)
    try:
        target = Target("aws", REGION, endpoint_url=proxy.url)
        target.client("s3").create_bucket(Bucket="my-ml-bucket")
        result = run(compiled, target)
    finally:
        proxy.stop()
    assert result.created and len(create_calls) == 3


def test_cli_deploys_to_the_sandbox_and_waits(space, capsys):
    folder = STARTERS / "pytorch_model_registration"
    code = cli(
        ["deploy", "--dag", str(folder / "dag.json"), "--config", str(folder / "config.json"),
         "--target", "sandbox", "--start", "--wait"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Pipeline ARN: arn:aws:sagemaker:us-east-1:123456789012:pipeline/" in out
    assert "Execution ARN: " in out and "Execution Succeeded" in out
    for step in ("PyTorchModel-CreateModel", "Packaging", "Payload"):
        assert re.search(rf"^  {step}: succeeded in \d+\.\d s$", out, re.MULTILINE), out
    assert f"Runs, logs and job folders: {space.root / 'runs'}" in out


def test_cli_deploy_without_credentials_is_a_message(aws_env, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    folder = STARTERS / "pytorch_model_registration"
    code = cli(
        ["deploy", "--dag", str(folder / "dag.json"), "--config", str(folder / "config.json"),
         "--target", "aws"]
    )  # fmt: skip
    assert code == 1
    assert "preflight: No AWS credentials were found" in capsys.readouterr().err


def test_cli_shows_the_changes_and_deploys_them_only_when_confirmed(
    moto, aws_env, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    Target("aws", REGION).client("s3").create_bucket(Bucket="my-ml-bucket")
    folder = tmp_path / "design"
    shutil.copytree(STARTERS / "pytorch_model_registration", folder)
    command = ["deploy", "--dag", str(folder / "dag.json"), "--config", str(folder / "config.json"),
               "--target", "aws"]  # fmt: skip
    assert cli(command) == 0
    assert "Changes to the deployed" not in capsys.readouterr().out  # a new pipeline

    assert cli(command) == 0  # the same definition again: nothing to confirm
    assert "  No changes: the deployed definition is the same." in capsys.readouterr().out

    document = json.loads((folder / "config.json").read_text())
    document["configuration"]["specific"]["Packaging"]["use_large_processing_instance"] = True
    (folder / "config.json").write_text(json.dumps(document))
    assert cli(command) == 1  # no terminal to ask on (pytest's stdin), no --yes
    refused = capsys.readouterr()
    assert "  ~ Packaging: Arguments.ProcessingResources changed" in refused.out
    assert "run again with --yes" in refused.err and "[upsert]" not in refused.out
    name = "ml-team-fraud-pytorch-us-east-1"
    deployed = Target("aws", REGION).client("sagemaker").describe_pipeline(PipelineName=name)
    assert '"ml.m5.4xlarge"' not in deployed["PipelineDefinition"]  # unchanged

    declined = answered_in_a_terminal(command, "n")
    assert "Deploy these changes? [y/N]" in declined.stdout and declined.returncode == 1
    assert "[upsert]" not in declined.stdout

    assert cli([*command, "--yes"]) == 0
    confirmed = capsys.readouterr().out
    assert "~ Packaging: Arguments.ProcessingResources changed" in confirmed
    assert f"Pipeline {name} updated." in confirmed


def answered_in_a_terminal(command: list[str], answer: str) -> subprocess.CompletedProcess:
    """The CLI as a person runs it, its stdin a terminal on which `answer` is typed."""
    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer.encode() + b"\n")
        return subprocess.run(
            [sys.executable, "-m", "builders", *command],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(controller)
        os.close(terminal)
