"""Deploying to an endpoint: the SDK's EndpointConfig and Endpoint steps, and the sandbox
serving the model on 127.0.0.1 through its inference code and asking it the sample requests."""

from __future__ import annotations

import gzip
import io
import json
import socket
import tarfile
import time

import pytest
from localrun_support import BUCKET, REGION, build
from request_shapes import definition_problems
from support import BASE, start_moto

from builders.compiling.sagemaker_env import offline_build
from builders.compiling.sdk import jobs
from builders.configs.fields import form_fields
from builders.graph.validation import validate_config
from builders.localrun import LocalRunner, RunStore
from builders.registry import REGISTRY
from builders.step_types.endpoint.builder import SAMPLE_PAYLOAD_TAG
from builders.step_types.endpoint.config import EndpointStepConfig
from builders.step_types.endpoint_config.config import EndpointConfigStepConfig

SETTINGS = {**BASE, "bucket": BUCKET}
EXECUTION_ID = {"Get": "Execution.PipelineExecutionId"}


def request_problems(step: dict) -> list[str]:
    """Why SageMaker's request shapes (botocore's model, read by the tests' own checker)
    refuse this definition step."""
    return definition_problems({"Steps": [step]})


def request_of(node: str, config, **inputs) -> dict:
    """The definition step a node's registered builder makes, as the definition JSON has it."""
    builder_class = REGISTRY.for_config(config).builder_class()
    step = builder_class(config, node_name=node).create_step(dependencies=[], **inputs)
    with offline_build(config.region):
        return json.loads(json.dumps(step.to_request(), default=lambda v: v.expr))


# -- configs and the SDK's steps -----------------------------------------------------------
def test_an_endpoint_configuration_on_instances_with_data_capture():
    config = EndpointConfigStepConfig(
        **SETTINGS, initial_instance_count=2, variant_name="Blue", data_capture=True
    )
    step = request_of("Serving", config, model="fraud-model")
    assert step["Type"] == "EndpointConfig"
    arguments = step["Arguments"]
    assert arguments["ProductionVariants"] == [
        {
            "VariantName": "Blue",
            "ModelName": "fraud-model",
            "InitialVariantWeight": 1,
            "InitialInstanceCount": 2,
            "InstanceType": "ml.m5.large",
        }
    ]
    # A configuration per run: SageMaker refuses to create one whose name exists.
    assert arguments["EndpointConfigName"] == {
        "Std:Join": {"On": "-", "Values": [f"{config.pipeline_name}-Serving", EXECUTION_ID]}
    }
    capture = arguments["DataCaptureConfig"]
    assert capture["DestinationS3Uri"] == f"{config.pipeline_s3_loc}/data-capture"
    assert capture["InitialSamplingPercentage"] == 100 and capture["EnableCapture"] is True
    assert request_problems(step) == []


def test_a_serverless_configuration_has_memory_and_concurrency_and_no_instances():
    config = EndpointConfigStepConfig(
        **SETTINGS, serving="serverless", serverless_memory_mb=4096, serverless_max_concurrency=8
    )
    step = request_of("Serving", config, model={"Get": "Steps.Model.ModelName"})
    (variant,) = step["Arguments"]["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 4096, "MaxConcurrency": 8}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert "DataCaptureConfig" not in step["Arguments"]
    assert request_problems(step) == []


CONFIG, ENDPOINT = EndpointConfigStepConfig, EndpointStepConfig


@pytest.mark.parametrize(
    ("cls", "values", "field", "words"),
    [
        (CONFIG, {"serving": "serverless", "data_capture": True}, "data_capture", "serverless"),
        (CONFIG, {"serverless_memory_mb": 3000}, "serverless_memory_mb", "whole number of GB"),
        (CONFIG, {"serverless_memory_mb": 7168}, "serverless_memory_mb", "at most 6144"),
        (CONFIG, {"serverless_max_concurrency": 201}, "serverless_max_concurrency", "at most"),
        (CONFIG, {"variant_name": "all traffic"}, "variant_name", "letters, digits and hyphens"),
        (CONFIG, {"instance_type": "ml.m5.lage"}, "instance_type", "did you mean ml.m5.large"),
        (CONFIG, {"data_capture_percentage": 101}, "data_capture_percentage", "at most 100"),
        (CONFIG, {"cache_enabled": True}, "cache_enabled", "does not cache endpoint steps"),
        (ENDPOINT, {"endpoint_name": "-fraud"}, "endpoint_name", "start and end with a letter"),
        (ENDPOINT, {"endpoint_name": "a" * 64}, "endpoint_name", "63 at most"),
    ],
)
def test_what_sagemaker_refuses_is_refused_naming_the_field(cls, values, field, words):
    found = {p.field: p.message for p in validate_config(cls, {**SETTINGS, **values})[1]}
    assert words in found.get(field, ""), found


def test_the_form_offers_instances_or_serverless():
    specs = {spec.name: spec for spec in form_fields(EndpointConfigStepConfig)}
    assert specs["serving"].options == ("instances", "serverless")
    assert (specs["serverless_memory_mb"].ge, specs["serverless_memory_mb"].le) == (1024, 6144)
    assert specs["data_capture"].kind == "bool" and specs["data_capture_s3_uri"].advanced
    assert specs["instance_type"].parameter and specs["initial_instance_count"].parameter


def test_the_endpoint_is_named_after_the_pipeline_and_tagged_with_its_samples():
    config = EndpointStepConfig(**SETTINGS)
    step = request_of("Deploy", config, endpoint_config="fraud-config", payload="s3://b/p.tar.gz")
    assert step["Type"] == "Endpoint"
    assert step["Arguments"]["EndpointName"] == config.pipeline_name == "ml-team-fraud-us-east-1"
    assert step["Arguments"]["EndpointConfigName"] == "fraud-config"
    assert step["Arguments"]["Tags"] == [{"Key": SAMPLE_PAYLOAD_TAG, "Value": "s3://b/p.tar.gz"}]
    assert request_problems(step) == []
    named = EndpointStepConfig(**SETTINGS, endpoint_name="fraud-live")
    bare = request_of("Deploy", named, endpoint_config="fraud-config")
    assert bare["Arguments"]["EndpointName"] == "fraud-live" and not bare["Arguments"]["Tags"]


# -- served in the sandbox -----------------------------------------------------------------
INFERENCE = """
import json, os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "weights.json")) as handle:
        return json.load(handle)["weights"]
def input_fn(body, content_type):
    text = body.decode() if isinstance(body, bytes) else body
    if content_type == "application/json":
        return [[float(v) for v in json.loads(text).values()]]
    return [[float(v) for v in line.split(",")] for line in text.splitlines() if line]
def predict_fn(rows, weights):
    if any(13.0 in row for row in rows):
        raise ValueError("unlucky row")
    if any(7.0 in row for row in rows):
        import time
        time.sleep(50)  # a model that hangs
    return [sum(w * v for w, v in zip(weights, row)) for row in rows]
def output_fn(scores, accept):
    if accept == "application/json":
        return json.dumps({"predictions": scores}), accept
    return "\\n".join(str(score) for score in scores), accept
"""


def archive(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue())


@pytest.fixture(scope="module")
def sandbox():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def runner(sandbox, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox, region=REGION)
    s3 = runner.aws.s3
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    put = runner.aws.s3.put_object
    put(
        Bucket=BUCKET,
        Key="serve/model.tar.gz",
        Body=archive({"weights.json": '{"weights": [1, 2]}'}),
    )
    put(Bucket=BUCKET, Key="serve/code.tar.gz", Body=archive({"inference.py": INFERENCE}))
    put(
        Bucket=BUCKET,
        Key="broken/code.tar.gz",
        Body=archive({"inference.py": "import nothing_here\n"}),
    )
    samples = {"payload_sample.csv": "3.0,4.0", "payload_sample.json": '{"a": "1.5", "b": "2"}'}
    put(Bucket=BUCKET, Key="samples/Fraud.tar.gz", Body=archive(samples))
    manifest = {"response_types": ["application/json"], "content_types": ["text/csv"]}
    put(Bucket=BUCKET, Key="samples/Fraud.manifest.json", Body=json.dumps(manifest).encode())
    put(Bucket=BUCKET, Key="unlucky/Fraud.tar.gz", Body=archive({"payload_sample.csv": "13,1"}))
    put(Bucket=BUCKET, Key="hangs/Fraud.tar.gz", Body=archive({"payload_sample.csv": "7,1"}))
    return runner


def serving_pipeline(code: str = "serve", payload: str | None = "samples", **endpoint) -> str:
    """Model (own inference code) -> EndpointConfig -> Endpoint, built by the builders."""
    capture = EndpointConfigStepConfig(**SETTINGS, data_capture=True)
    deploy = EndpointStepConfig(**SETTINGS, **endpoint)

    def steps(sdk):
        container = jobs.Container(
            image="123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:latest",
            model_data=f"s3://{BUCKET}/serve/model.tar.gz",
            role=BASE["role"],
            environment={
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": f"s3://{BUCKET}/{code}/code.tar.gz",
            },
            instance_type="ml.m5.large",
        )
        create = sdk.backend.model_step("Model", container, session=sdk.session, depends_on=[])

        def built(node, config, **inputs):
            builder_class = REGISTRY.for_config(config).builder_class()
            builder = builder_class(config, node_name=node, sagemaker_session=sdk.session)
            return builder.create_step(**inputs)

        serving = built("Serving", capture, model=create.properties.ModelName)
        samples = f"s3://{BUCKET}/{payload}/Fraud.tar.gz" if payload else None
        live = built(
            "Live", deploy, endpoint_config=serving.properties.EndpointConfigName, payload=samples
        )
        return [create, serving, live]

    return build(steps)


def read(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_the_endpoint_serves_the_model_and_answers_the_sample_requests(runner):
    run = runner.run(serving_pipeline(), pipeline_name="serve")

    assert run.status == "Succeeded", run.failure_reason
    live = run.steps["Live"]
    answers = json.loads(
        (runner.store.step_folder(run.execution_id, "Live") / "invocations.json").read_text()
    )
    assert [(a["sample"], a["status"], json.loads(a["body"])) for a in answers] == [
        ("payload_sample.csv", 200, {"predictions": [11.0]}),  # 1 * 3 + 2 * 4
        ("payload_sample.json", 200, {"predictions": [5.5]}),
    ]  # the manifest's response type asked for JSON
    assert {a["accept"] for a in answers} == {"application/json"}
    assert live.reason.startswith("Endpoint ml-team-fraud-us-east-1 created; served on 127.0.0.1")
    assert live.outcome == "created; 2 sample(s) answered"
    assert "payload_sample.csv (text/csv -> application/json): 200 in" in live.reason
    # The sandbox's SageMaker has the endpoint on this run's configuration.
    sagemaker = runner.aws.sagemaker
    endpoint = sagemaker.describe_endpoint(EndpointName="ml-team-fraud-us-east-1")
    configuration = run.steps["Serving"].properties["EndpointConfigName"]
    assert configuration.endswith(run.execution_id)
    assert endpoint["EndpointConfigName"] == configuration == live.properties["EndpointConfigName"]
    assert live.properties["EndpointStatus"] == endpoint["EndpointStatus"]
    # Data capture: the requests and answers in S3, as SageMaker's capture writes them.
    destination = (
        f"pipelines/{EndpointConfigStepConfig(**SETTINGS).pipeline_name}/1.0.0/data-capture"
    )
    listed = runner.aws.s3.list_objects_v2(Bucket=BUCKET, Prefix=destination)["Contents"]
    keys = [item["Key"] for item in listed]
    captured = [
        json.loads(line)
        for key in keys
        if key.startswith(f"{destination}/ml-team-fraud-us-east-1/AllTraffic/")
        for line in read(runner.aws.s3, BUCKET, key).decode().splitlines()
    ]
    inputs = [c["captureData"]["endpointInput"] for c in captured]
    assert {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "3.0,4.0",
        "encoding": "CSV",
    } in inputs
    # The model server ended with the step: its port no longer answers.
    port = json.loads(
        (runner.store.step_folder(run.execution_id, "Live") / "model_server.port").read_text()
    )["port"]
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_a_second_run_switches_the_live_endpoint_to_its_configuration(runner):
    first = runner.run(serving_pipeline(endpoint_name="fraud-live"), pipeline_name="redeploy")
    second = runner.run(serving_pipeline(endpoint_name="fraud-live"), pipeline_name="redeploy")
    assert first.status == second.status == "Succeeded", second.failure_reason
    assert second.steps["Live"].reason.startswith("Endpoint fraud-live updated")
    endpoint = runner.aws.sagemaker.describe_endpoint(EndpointName="fraud-live")
    assert (
        endpoint["EndpointConfigName"] == second.steps["Serving"].properties["EndpointConfigName"]
    )
    log = runner.store.log_tail(second.execution_id, "Live", 50)
    before = first.steps["Serving"].properties["EndpointConfigName"]
    assert f"updated endpoint fraud-live from configuration {before} to" in log


def test_a_sample_the_model_cannot_answer_fails_the_step_with_its_error(runner):
    run = runner.run(serving_pipeline(payload="unlucky"), pipeline_name="unlucky")
    assert run.status == "Failed"
    reason = run.steps["Live"].reason
    assert reason.startswith("Endpoint ml-team-fraud-us-east-1 answered 500 to the sample request")
    assert "ValueError: unlucky row" in reason


def test_without_a_payload_the_endpoint_is_served_and_pinged_only(runner):
    run = runner.run(serving_pipeline(payload=None), pipeline_name="no-payload")
    assert run.status == "Succeeded", run.failure_reason
    assert "No payload connected: no sample request was sent." in run.steps["Live"].reason
    assert 'GET /ping HTTP/1.1" 200' in runner.store.log_tail(run.execution_id, "Live", 50)


def test_inference_code_that_cannot_load_the_model_fails_the_step(runner):
    run = runner.run(serving_pipeline(code="broken"), pipeline_name="broken")
    assert run.status == "Failed"
    reason = run.steps["Live"].reason
    assert reason.startswith("The model server did not serve the model")
    assert "No module named 'nothing_here'" in reason


def test_stopping_the_run_ends_the_model_server_at_once(runner):
    execution = runner.start(serving_pipeline(payload="hangs"), pipeline_name="hangs")
    deadline = time.monotonic() + 120
    while "model server listening" not in runner.store.log_tail(execution.id, "Live", 50):
        assert time.monotonic() < deadline and execution.running, "the model did not serve"
        time.sleep(0.1)
    started = time.monotonic()
    execution.stop()
    run = execution.wait(timeout=30)
    assert run.status == "Stopped" and run.steps["Live"].state == "stopped"
    assert time.monotonic() - started < 15  # not the 50 s the model hangs
    port_file = runner.store.step_folder(run.execution_id, "Live") / "model_server.port"
    with (
        pytest.raises(OSError),
        socket.create_connection(
            ("127.0.0.1", json.loads(port_file.read_text())["port"]), timeout=2
        ),
    ):
        pass
