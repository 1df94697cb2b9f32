"""The tuned-endpoint starter, compiled by the real SDK, deployed to a moto sandbox with its
sample data and run end to end: XGBoost tuned for real, the best model packaged, registered
and served on 127.0.0.1, the payload's samples answered."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from support import load_starter, start_moto

from builders.compiling.compile import compile_pipeline
from builders.deploying.deploy import Target, deploy
from builders.localrun.node_status import node_states

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning"),
]
STARTER = "xgboost_tuned_endpoint"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


@pytest.fixture(scope="module")
def starter_run(tmp_path_factory):
    server, url = start_moto()
    try:
        dag, configs, base_dir = load_starter(STARTER)
        compiled = compile_pipeline(dag, configs, base_dir=base_dir)
        folder = tmp_path_factory.mktemp("serving")
        target = Target("sandbox", "us-east-1", endpoint_url=url, runs=folder / "runs")
        said = []
        result = deploy(
            compiled,
            target,
            role_arn=ROLE,
            start=True,
            config_document=json.loads((base_dir / "config.json").read_text()),
            progress=lambda stage, message: said.append((stage, message)),
        )
        # Its sample data, and no other starter's: their data nodes are named apart.
        assert ("sample data", f"1 sample file(s) placed ({STARTER}).") in said
        runner = target.runner()
        run = runner.execution(result.execution_arn.rsplit("/", 1)[-1]).wait()
        yield runner, list(dag.nodes), run
    finally:
        server.stop()


def get(s3, uri: str) -> bytes:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def members(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_every_step_runs_and_every_node_shows_its_state(starter_run):
    _, nodes, run = starter_run
    assert run.status == "Succeeded", run.failure_reason
    assert {step.state for step in run.steps.values()} == {"succeeded"}
    states = node_states(run, nodes)
    assert set(states) == set(nodes) and {s.state for s in states.values()} == {"succeeded"}
    # The tuning node's last-run section lists its trials.
    reason = states["XGBoostTuning"].reason
    assert reason.startswith("4 trial(s), Random search, maximize val:auc. Best: trial")
    assert reason.count("\nTrial ") == 4


def test_the_trials_ran_for_real_and_the_best_model_is_packaged(starter_run):
    runner, _, run = starter_run
    tuning = run.steps["XGBoostTuning"].properties
    summaries = tuning["TrainingJobSummaries"]
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries]
    assert len(values) == 4 and values == sorted(values, reverse=True)  # maximized: best first
    assert all(0.8 < value <= 1.0 for value in values)  # AUCs of models that learned
    tuned = [s["TunedHyperParameters"] for s in summaries]
    assert all(0.05 <= float(t["eta"]) <= 0.5 and 2 <= int(t["max_depth"]) <= 8 for t in tuned)
    assert len({json.dumps(t, sort_keys=True) for t in tuned}) == 4  # four different trials
    best = tuning["BestTrainingJob"]["TrainingJobName"]
    assert best == summaries[0]["TrainingJobName"]
    trial_model = members(
        get(runner.aws.s3, run.steps["XGBoostTuning"].outputs["model"])
    )  # the best trial's model, the tuning's output
    assert run.steps["XGBoostTuning"].outputs["model"].endswith(f"/{best}/output/model.tar.gz")
    packaged_uri = run.steps["Packaging"].outputs["packaged_model"] + "/model.tar.gz"
    packaged = members(get(runner.aws.s3, packaged_uri))
    assert packaged["xgboost-model"] == trial_model["xgboost-model"]
    assert "code/inference.py" in packaged
    model = run.steps["XGBoostModel-CreateModel"].properties["PrimaryContainer"]
    assert model["ModelDataUrl"] == packaged_uri


def test_the_best_model_is_registered_and_answers_the_sample_requests(starter_run):
    runner, _, run = starter_run
    package = run.steps["ModelRegistration-RegisterModel"].properties["ModelPackageArn"]
    described = runner.aws.sagemaker.describe_model_package(ModelPackageName=package)
    registered = described["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]
    assert (
        registered
        == run.steps["XGBoostModel-CreateModel"].properties["PrimaryContainer"]["ModelDataUrl"]
    )
    folder = runner.store.step_folder(run.execution_id, "Endpoint")
    answers = json.loads((folder / "invocations.json").read_text())
    assert [(a["sample"], a["content_type"], a["status"]) for a in answers] == [
        ("payload_sample.csv", "text/csv", 200)
    ]
    (score,) = json.loads(answers[0]["body"])["predictions"]
    assert 0.0 <= score <= 1.0
    endpoint = runner.aws.sagemaker.describe_endpoint(
        EndpointName="ml-team-fraud-xgboost-tuned-us-east-1"
    )
    assert (
        endpoint["EndpointConfigName"]
        == run.steps["EndpointConfig"].properties["EndpointConfigName"]
    )
    capture = run.steps["EndpointConfig"].properties["DataCaptureConfig"]["DestinationS3Uri"]
    bucket, _, prefix = capture[len("s3://") :].partition("/")
    listed = runner.aws.s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    assert listed["KeyCount"] == 1 and listed["Contents"][0]["Key"].endswith(".jsonl")
