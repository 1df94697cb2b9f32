"""Deploy never hangs: endpoints on 127.0.0.1 that refuse, reset, hang, answer HTML, or die
mid-deploy at each stage. Every case ends in time with a message naming the stage, the
endpoint and what to check."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
from support import (
    REPO,
    STARTERS,
    FaultyServer,
    ForwardingProxy,
    free_port,
    load_starter,
    start_moto,
)

from builders.compiling.compile import compile_pipeline
from builders.deploying.deploy import READ_TIMEOUT, Target, deploy
from builders.errors import DeployError

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def compiled():
    dag, configs, folder = load_starter("pytorch_model_registration")
    return compile_pipeline(dag, configs, base_dir=folder)


def deploy_to(compiled, url: str, timeout: float) -> tuple[DeployError, float]:
    started = time.monotonic()
    with pytest.raises(DeployError) as raised:
        deploy(compiled, Target("aws", REGION, endpoint_url=url), role_arn=ROLE, timeout=timeout)
    return raised.value, time.monotonic() - started


def test_a_refused_connection(compiled, aws_env):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    error, seconds = deploy_to(compiled, url, timeout=30)
    assert error.stage == "preflight" and seconds < 30
    assert url in error.message and "refused" in error.message
    assert "Check the network" in error.message


@pytest.mark.parametrize("behaviour", ["reset", "html"])
def test_a_reset_or_an_html_page(compiled, aws_env, behaviour):
    server = FaultyServer(behaviour)
    try:
        error, seconds = deploy_to(compiled, server.url, timeout=30)
    finally:
        server.close()
    assert error.stage == "preflight" and seconds < 30
    assert server.url in error.message
    if behaviour == "html":
        assert "not an AWS response" in error.message and "AWS_ENDPOINT_URL" in error.message
    else:
        assert "closed before an answer" in error.message or "refused" in error.message


SLACK = 3.0  # seconds past the deadline a loaded machine may take to notice and unwind


def test_an_endpoint_that_never_answers_ends_at_the_deadline(compiled, aws_env):
    server = FaultyServer("hang")
    try:
        error, seconds = deploy_to(compiled, server.url, timeout=3)
    finally:
        server.close()
    assert seconds < 3 + SLACK < READ_TIMEOUT  # the read in flight ends at the deadline too
    assert error.stage == "preflight"
    assert f"Gave up after 3 s during 'preflight', waiting on {server.url}" in error.message
    assert "--timeout" in error.message


@pytest.mark.timeout(60)
@pytest.mark.parametrize("behaviour", ["trickle", "drip", "half-open", "endless"])
def test_an_endpoint_that_answers_forever_ends_at_the_deadline(compiled, aws_env, behaviour):
    """Every byte within the read timeout, so no read ever times out: only the deadline
    ends these (a trickle kept a 15 s deploy waiting for 300 s)."""
    server = FaultyServer(behaviour)
    try:
        error, seconds = deploy_to(compiled, server.url, timeout=3)
    finally:
        server.close()
    assert seconds < 3 + SLACK
    assert error.stage == "preflight"
    assert f"Gave up after 3 s during 'preflight', waiting on {server.url}" in error.message


def test_an_endpoint_that_is_not_a_url(compiled, aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    with pytest.raises(DeployError) as raised:
        deploy(compiled, Target("aws", REGION), role_arn=ROLE)
    assert raised.value.stage == "preflight"
    assert "The endpoint not a url cannot be used" in raised.value.message


def dies_at(stage: str):
    """A proxy intercept that stops the proxy at the first request of `stage`."""

    def first_of_stage(handler) -> bool:
        target = handler.headers.get("X-Amz-Target", "")
        path = handler.path.split("?")[0].strip("/")
        return {
            "preflight": True,
            "stage code": not target and "/" in path,  # an S3 object, not a bucket
            "upsert": target.endswith(("CreatePipeline", "UpdatePipeline")),
            "start": target.endswith("StartPipelineExecution"),
        }[stage]

    def intercept(handler) -> bool:
        if not first_of_stage(handler):
            return False
        threading.Thread(target=handler.server.stop, daemon=True).start()
        handler.close_connection = True  # no answer: the connection just ends
        return True

    return intercept


@pytest.mark.parametrize("stage", ["preflight", "stage code", "upsert", "start"])
def test_the_endpoint_dies_mid_deploy(compiled, aws_env, stage):
    server, moto = start_moto()
    proxy = ForwardingProxy(moto, dies_at(stage))
    try:
        Target("aws", REGION, endpoint_url=moto).client("s3").create_bucket(Bucket="my-ml-bucket")
        started = time.monotonic()
        with pytest.raises(DeployError) as raised:
            deploy(
                compiled,
                Target("aws", REGION, endpoint_url=proxy.url),
                role_arn=ROLE,
                start=True,
                timeout=60,
            )
    finally:
        server.stop()
    assert time.monotonic() - started < 60
    assert raised.value.stage == stage
    assert proxy.url in raised.value.message and "Check the network" in raised.value.message


@pytest.mark.timeout(120)
@pytest.mark.parametrize("behaviour", ["hang", "trickle"])
def test_cli_deploy_to_a_hanging_endpoint_says_where_it_waited(tmp_path, behaviour):
    """As a user runs it: progress first, then the message, within the --timeout (the whole
    command: reading the deployed pipeline and the deploy share it)."""
    server = FaultyServer(behaviour)
    folder = STARTERS / "pytorch_model_registration"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": server.url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable, "-m", "builders", "deploy", "--dag", str(folder / "dag.json"),
        "--config", str(folder / "config.json"), "--target", "aws", "--timeout", "4",
    ]  # fmt: skip
    try:
        started = time.monotonic()
        run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=100)
        # A process start and the SDK's import come on top of the deadline.
        assert time.monotonic() - started < 4 + SLACK + 15
    finally:
        server.close()
    assert run.returncode == 1, run.stderr
    assert f"[preflight] Reading the deployed pipeline from {server.url}" in run.stdout
    assert f"Gave up after 4 s during 'preflight', waiting on {server.url}" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr and "INFO" not in run.stderr
