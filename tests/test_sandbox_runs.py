"""`python -m builders deploy --target sandbox --start --wait` runs the pipeline for real: every
step's state is printed, the outputs land in the sandbox's S3, a failing script fails the run
with its error and stops what depends on it."""

from __future__ import annotations

import http.client
import json
import shutil

import boto3
import pytest
from support import STARTERS, free_port

from builders.cli import main as cli
from builders.deploying.deploy import Target, recent_executions
from builders.deploying.sandbox import sandbox
from builders.localrun import RunStore
from builders.localrun.node_status import latest_node_states

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning"),
]
XGBOOST = STARTERS / "xgboost_end_to_end"


@pytest.fixture(autouse=True)
def empty_sandbox():
    """moto keeps its state per process: start from an empty one (the command stops it)."""
    host_port = sandbox().endpoint_url.removeprefix("http://")
    connection = http.client.HTTPConnection(host_port, timeout=10)
    connection.request("POST", "/moto-api/reset")
    assert connection.getresponse().status == 200


def deploy_and_wait(folder, capsys) -> tuple[int, str, str]:
    code = cli(
        ["deploy", "--dag", str(folder / "dag.json"), "--config", str(folder / "config.json"),
         "--target", "sandbox", "--start", "--wait"]
    )  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sandbox_s3():
    """The sandbox's S3 after the command stopped its server: moto keeps its state per
    process, so a new server on another port serves the same buckets."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    return server, s3


def keys(s3, uri: str) -> set[str]:
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix.rstrip("/") + "/")
    return {item["Key"][len(prefix.rstrip("/")) + 1 :] for item in listed.get("Contents", [])}


def test_the_cli_runs_the_xgboost_starter_and_its_outputs_are_in_s3(space, capsys):
    code, out, err = deploy_and_wait(XGBOOST, capsys)
    assert code == 0, out + err
    assert "[sample data] 2 sample file(s) placed (xgboost_end_to_end)." in out
    assert "Execution Succeeded" in out
    (run,) = RunStore(space.root / "runs").runs()
    for name in run.step_order:
        assert f"  {name}: succeeded in " in out
    server, s3 = sandbox_s3()
    try:
        processed = run.steps["TabularPreprocessing"].outputs["processed_data"]
        assert keys(s3, processed) == {
            f"{split}/{split}_processed_data.csv" for split in ("train", "val", "test")
        }
        model = run.steps["XGBoostTraining"].properties["ModelArtifacts"]["S3ModelArtifacts"]
        bucket, key = model[len("s3://") :].split("/", 1)
        assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
        assert keys(s3, run.steps["Packaging"].outputs["packaged_model"]) == {"model.tar.gz"}
    finally:
        server.stop()
    # The run is readable after the command ended, as after an app restart.
    (recent,) = recent_executions(Target("sandbox", "us-east-1"), run.pipeline_name)
    assert recent["status"] == "Succeeded" and recent["execution"] == run.execution_id


def test_a_failing_script_fails_its_step_and_stops_what_depends_on_it(space, tmp_path, capsys):
    design = tmp_path / "design"
    design.mkdir()
    shutil.copy(XGBOOST / "dag.json", design)
    shutil.copytree(XGBOOST / "inference", design / "inference")
    document = json.loads((XGBOOST / "config.json").read_text())
    preprocessing = document["configuration"]["specific"]["TabularPreprocessing"]
    preprocessing["processing_source_dir"] = "broken"
    (design / "config.json").write_text(json.dumps(document))
    (design / "broken").mkdir()
    (design / "broken" / "tabular_preprocessing.py").write_text(
        "raise ValueError(\"column 'amount' has text in row 7\")\n"
    )

    code, out, err = deploy_and_wait(design, capsys)
    assert code == 1, out + err
    assert "Execution Failed" in out
    assert "Step TabularPreprocessing failed: " in err
    assert "ValueError: column 'amount' has text in row 7" in err
    (run,) = RunStore(space.root / "runs").runs()
    states = {name: step.state for name, step in run.steps.items()}
    assert states["TabularPreprocessing"] == "failed"
    for descendant in ("XGBoostTraining", "Packaging", "Payload", "BatchTransform"):
        assert states[descendant] == "skipped", states
    assert run.steps["XGBoostTraining"].reason == "Not run: step TabularPreprocessing failed."
    assert states["DataLoadingCalibration"] == "succeeded"  # another branch finishes
    # The canvas's view of it: the model node stands for its CreateModel step.
    nodes = json.loads((design / "dag.json").read_text())
    latest, by_node = latest_node_states(run.pipeline_name, nodes)
    assert latest.execution_id == run.execution_id
    assert by_node["TabularPreprocessing"].state == "failed"
    assert "ValueError: column 'amount' has text in row 7" in by_node["TabularPreprocessing"].reason
    assert by_node["XGBoostModel"].state == "skipped"
    assert by_node["DataLoadingCalibration"].state == "succeeded"


def test_the_sandbox_describes_a_failed_run_as_the_run_store_knows_it(space):
    """moto answered DescribePipelineExecution with Succeeded and no reason for a run that
    failed (issue 17): the sandbox answers with the run's status and reason."""
    from localrun_support import BUCKET, ROLE, build, upload_scripts

    from builders.compiling.compile import CompiledPipeline
    from builders.deploying.deploy import deploy

    url = sandbox().endpoint_url
    client = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "aws_access_key_id": "sandbox",
        "aws_secret_access_key": "sandbox",
    }
    upload_scripts(boto3.client("s3", **client))
    definition = build(lambda sdk: [sdk.step("Broken", "fail")])
    compiled = CompiledPipeline("describe-a-failure", definition, (), ())
    target = Target("sandbox", "us-east-1", endpoint_url=url, runs=space.root / "runs")
    arn = deploy(compiled, target, role_arn=ROLE, start=True).execution_arn
    run = target.runner().execution(arn.rsplit("/", 1)[-1]).wait()
    assert run.status == "Failed" and BUCKET

    sagemaker = boto3.client("sagemaker", **client)
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionStatus"] == "Failed"
    assert described["FailureReason"] == run.failure_reason
    assert "ValueError: column 'amount' has text in row 7" in described["FailureReason"]
    (summary,) = sagemaker.list_pipeline_executions(PipelineName="describe-a-failure")[
        "PipelineExecutionSummaries"
    ]
    assert summary["PipelineExecutionStatus"] == "Failed"
