"""The Deploy page under AppTest: the sandbox by default, AWS (a moto server on 127.0.0.1
reached through AWS_ENDPOINT_URL), and failures that leave the design as it was."""

from __future__ import annotations

import http.client
import time

import pytest
import streamlit as st
from app_support import app, create_from_starter, open_on, plain, texts
from support import FaultyServer, start_moto

from builders.deploying.deploy import READ_TIMEOUT, STATUS_TIMEOUT
from builders.deploying.sandbox import sandbox, stop_sandbox
from builders.designs.design import add_node, new_design, set_node_values
from builders.localrun import RunStore
from builders.starters import design_from_starter
from components.text import without_html_page

DEPLOY = "pages/deploy.py"


@pytest.fixture(autouse=True)
def fresh_machine(no_aws_credentials):
    """No AWS credentials, and an empty sandbox."""
    host_port = sandbox().endpoint_url.removeprefix("http://")  # moto's state is per process:
    connection = http.client.HTTPConnection(host_port, timeout=10)  # other tests' pipelines go
    connection.request("POST", "/moto-api/reset")
    assert connection.getresponse().status == 200


@pytest.fixture(scope="module", autouse=True)
def stop_the_sandbox_after():
    yield
    stop_sandbox()


@pytest.fixture
def aws(monkeypatch):
    """An AWS account as boto3 sees it, served by a moto server of its own."""
    server, url = start_moto()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    st.cache_data.clear()
    yield url
    server.stop()


def deploy_page(space, starter: str = "pytorch_model_registration"):
    at = create_from_starter(app(), "fraud", starter)
    return at.switch_page(DEPLOY).run()


def press_deploy(at):
    return at.button(key="deploy").click().run()


def success(at) -> str:
    return plain(at.success[0].value)


def value_of(at, label: str) -> str:
    return next(t.value for t in at.text_input if t.label == label)


def finished_run(at, space):
    """The page once the sandbox's newest run has ended (the panel refreshes on its own in a
    browser; AppTest runs the page again)."""
    store = RunStore(space.root / "runs")
    deadline = time.monotonic() + 120
    while not store.runs()[0].finished:
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.2)
    return at.run()


def step_table(at) -> dict[str, str]:
    table = next(d.value for d in at.dataframe if "step" in d.value.columns)
    return dict(zip(table["step"], table["status"], strict=True))


def test_a_fresh_machine_deploys_to_the_sandbox_and_runs_every_step(space):
    at = deploy_page(space)
    before = space.load("fraud")
    assert at.radio(key="target").value == "Local sandbox"
    assert "runs every step here" in texts(at)
    assert "No runs of ml-team-fraud-pytorch-us-east-1 yet" in texts(at)
    press_deploy(at)
    assert not at.exception and not at.error
    assert "Pipeline **ml-team-fraud-pytorch-us-east-1** created" in success(at)
    assert value_of(at, "Pipeline ARN").startswith("arn:aws:sagemaker:us-east-1:")
    execution = value_of(at, "Execution ARN").rsplit("/", 1)[-1]
    at = finished_run(at, space)
    assert at.selectbox(key="sandbox_run").value == execution
    assert f"Run **{execution}**: **Succeeded**" in texts(at)
    assert step_table(at) == {
        "PyTorchModel-CreateModel": "succeeded",
        "Packaging": "succeeded",
        "Payload": "succeeded",
        "ModelRegistration-RegisterModel": "succeeded",
    }
    at.selectbox(key=f"step_detail:{execution}").set_value("Packaging").run()
    output = next(t.value for t in at.text_input if t.label == "Output packaged_model")
    assert output.startswith("s3://my-ml-bucket/") and execution in output
    assert "[local run] attempt 1 of Processing step Packaging" in at.code[-1].value
    assert space.load("fraud") == before  # a deploy never changes the design


def test_rerun_from_a_step_and_delete_runs(space):
    at = finished_run(press_deploy(deploy_page(space)), space)
    first = at.selectbox(key="sandbox_run").value
    at.selectbox(key="rerun_step").set_value("Payload").run()
    at = finished_run(at.button(key="rerun").click().run(), space)
    rerun = at.selectbox(key="sandbox_run").value
    assert rerun != first and "re-run of " + first in at.selectbox(key="sandbox_run").format_func(
        rerun
    )
    states = step_table(at)
    assert states["Payload"] == states["ModelRegistration-RegisterModel"] == "succeeded"
    assert states["Packaging"] == states["PyTorchModel-CreateModel"] == "cached"
    table = next(d.value for d in at.dataframe if "step" in d.value.columns)
    took = dict(zip(table["step"], table["duration"], strict=True))
    assert took["Packaging"] == "—" and took["Payload"].endswith(" s")  # never a bare None
    at.button(key="delete_run").click().run()
    assert [run.execution_id for run in RunStore(space.root / "runs").runs()] == [first]
    assert at.selectbox(key="sandbox_run").value == first


def test_a_second_deploy_updates_and_uploads_nothing(space):
    at = press_deploy(deploy_page(space))
    assert "created" in success(at) and "0 files uploaded" not in success(at)
    finished_run(at, space)
    press_deploy(at)
    assert "updated" in success(at)
    assert "0 files uploaded" in success(at)
    assert len(at.selectbox(key="sandbox_run").options) == 2  # two runs listed


def test_deploy_without_starting_an_execution(space):
    at = deploy_page(space)
    at.toggle(key="start_execution").set_value(False).run()
    press_deploy(at)
    assert at.success and not any(t.label == "Execution ARN" for t in at.text_input)
    assert "No runs of ml-team-fraud-pytorch-us-east-1 yet" in texts(at)


def test_changes_to_a_deployed_pipeline_are_shown_and_deployed_once_confirmed(space):
    design = design_from_starter("pytorch_model_registration", "fraud")
    at = open_on(DEPLOY, design, space)
    at.toggle(key="start_execution").set_value(False).run()
    assert "created" in success(press_deploy(at))

    packaging = next(node for node in design.nodes if node.name == "Packaging")
    changed = set_node_values(
        design, "Packaging", {**packaging.values, "use_large_processing_instance": True}
    )
    at = open_on(DEPLOY, changed, space)  # another session, the same sandbox
    at.toggle(key="start_execution").set_value(False).run()
    press_deploy(at)
    assert not at.success and not at.error
    assert "This deploy changes the pipeline **ml-team-fraud-pytorch-us-east-1**" in texts(at)
    assert at.code[0].value == "~ Packaging: Arguments.ProcessingResources changed"
    at.button(key="cancel_deploy").click().run()
    assert not at.code and "This deploy changes" not in texts(at) and not at.success

    press_deploy(at)
    at.button(key="confirm_deploy").click().run()
    assert "Pipeline **ml-team-fraud-pytorch-us-east-1** updated" in success(at)
    assert "This deploy changes" not in texts(at)


def test_an_incomplete_design_cannot_be_deployed(space):
    at = open_on(DEPLOY, add_node(new_design("draft"), "Payload"), space)
    assert "7 problems to fix before it can be deployed" in texts(at)
    assert not [b for b in at.button if b.key == "deploy"]


def test_no_design_open(space):
    at = app().switch_page(DEPLOY).run()
    assert "No design is open" in texts(at)


def test_aws_without_credentials_says_what_to_do_and_keeps_the_design(space):
    at = deploy_page(space)
    before = space.load("fraud")
    at.radio(key="target").set_value("AWS").run()
    assert "No AWS credentials found" in texts(at)
    assert texts(at).count("credentials") == 1  # said once, not again under the executions
    press_deploy(at)
    assert "Deploy failed at preflight" in [s.label for s in at.status]
    assert "credentials" in at.error[0].value.lower()
    assert "Your design is unchanged" in texts(at)
    assert space.load("fraud") == before and at.session_state["design"] == before


def test_aws_missing_bucket_then_deploys_with_a_console_link(space, aws):
    at = deploy_page(space)
    assert at.radio(key="target").value == "AWS"  # credentials found: AWS is the default
    press_deploy(at)
    assert "Deploy failed at preflight" in [s.label for s in at.status]
    assert "does not exist" in at.error[0].value

    import boto3

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-ml-bucket")
    press_deploy(at)
    assert not at.error
    assert "created on the AWS us-east-1" in success(at)
    assert "Execution status: **Succeeded**" in texts(at)
    assert "The steps could not be listed" in texts(at)  # moto has no ListPipelineExecutionSteps
    assert value_of(at, "Execution ARN").startswith("arn:aws:sagemaker:us-east-1:")
    assert at.get("link_button")[0].proto.url.startswith("https://us-east-1.console.aws.amazon")


def test_an_endpoint_that_never_answers_fails_in_time_and_says_where(space, monkeypatch):
    """The deploy gives up at the page's deadline, naming the stage and the endpoint; the
    page answers the next click without waiting on that endpoint again."""
    server = FaultyServer("hang")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    st.cache_data.clear()
    try:
        at = deploy_page(space)
        before = space.load("fraud")
        assert at.radio(key="target").value == "AWS"
        at.number_input(key="deploy_timeout").set_value(2).run()
        started = time.monotonic()
        press_deploy(at)
        assert time.monotonic() - started < 2 + READ_TIMEOUT + STATUS_TIMEOUT + 10
        assert "Deploy failed at preflight" in [s.label for s in at.status]
        message = plain(at.error[0].value)
        assert f"Gave up after 2 s during 'preflight', waiting on {server.url}" in message
        assert "Your design is unchanged" in texts(at) and space.load("fraud") == before
        started = time.monotonic()
        at.toggle(key="start_execution").set_value(False).run()  # the next click
        assert time.monotonic() - started < STATUS_TIMEOUT  # the failed listing was kept
    finally:
        server.close()


def test_a_design_without_a_stored_region_deploys_to_the_region_it_shows(space):
    """Designs made before settings stored their defaults have no region in the settings:
    the page once deployed to region '' (`Invalid endpoint`, an HTML error page in Recent
    executions). The region is the one the pipeline was compiled for."""
    design = design_from_starter("xgboost_end_to_end", "fraud")
    design = design.model_copy(
        update={"settings": {k: v for k, v in design.settings.items() if k != "region"}}
    )
    at = open_on(DEPLOY, design, space)
    assert not at.exception and not at.error
    assert "<html" not in texts(at).lower() and "Could not list" not in texts(at)
    press_deploy(at)
    assert not at.exception
    assert value_of(at, "Pipeline ARN").startswith("arn:aws:sagemaker:us-east-1:")


def test_an_unknown_region_is_a_message_not_a_deploy(space):
    design = design_from_starter("xgboost_end_to_end", "fraud")
    design = design.model_copy(update={"settings": {**design.settings, "region": "mars-1"}})
    at = open_on(DEPLOY, design, space)
    assert not at.exception
    assert "to fix before it can be deployed" in texts(at) or "not an AWS region" in texts(at)
    assert not [b for b in at.button if b.key == "deploy"]


def test_a_deploy_failure_stays_in_view_with_its_reason(space):
    at = deploy_page(space)
    at.radio(key="target").set_value("AWS").run()
    press_deploy(at)
    failure = at.error[0]
    assert "credentials" in failure.value.lower() and "Deploy failed at preflight" in failure.value
    assert not _inside_status(at, failure)  # not in the collapsed progress box
    at.toggle(key="start_execution").set_value(False).run()  # any later rerun keeps it
    assert "Deploy failed at preflight" in at.error[0].value


def _inside_status(at, element) -> bool:
    """Whether `element` is drawn inside an expander or st.status box."""
    stack = [(at.main, False)]
    while stack:
        block, inside = stack.pop()
        for child in block.children.values():
            if child is element:
                return inside
            if hasattr(child, "children"):
                boxed = inside or child.type in ("expandable", "expander", "status")
                stack.append((child, boxed))
    raise AssertionError("element not found")


def test_recent_executions_never_show_an_html_page():
    message = "AWS refused ListPipelineExecutions (500): <!doctype html>\n<html><h1>Error</h1>"
    assert without_html_page(message) == (
        "AWS refused ListPipelineExecutions (500) (the service answered with an error page)."
    )
    assert without_html_page("plain words") == "plain words"


def test_aws_re_run_from_a_step_starts_a_selective_execution(space, aws):
    import boto3

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-ml-bucket")
    at = press_deploy(deploy_page(space))
    first = value_of(at, "Execution ARN")
    at.selectbox(key="aws_rerun_step").set_value("Payload").run()
    at.button(key="aws_rerun").click().run()
    assert not at.error
    (started,) = [plain(s.value) for s in at.success if "and the steps after it" in s.value]
    arn = started.split()[1]
    assert arn != first and arn.startswith(first.rsplit("/", 1)[0] + "/")
    listed = next(d.value for d in at.dataframe if "execution" in d.value.columns)
    assert arn.rsplit("/", 1)[-1] in set(listed["execution"])  # read again at once
