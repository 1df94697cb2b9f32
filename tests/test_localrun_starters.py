"""Both starters, compiled by the real SDK, deployed to a moto sandbox with their sample data
and run end to end by the local runner; the checks read what the run left in the sandbox."""

from __future__ import annotations

import csv
import io
import json
import tarfile

import numpy as np
import pytest
import xgboost as xgb
from sklearn.metrics import roc_auc_score
from support import REPO, STARTERS, load_starter, start_moto

from builders.compiling.compile import compile_pipeline
from builders.deploying.deploy import Target, deploy
from builders.designs.config_io import configs_from_document
from builders.graph.dag import load_dag
from builders.localrun import LocalRunner, RunStore, seed_sample_data
from builders.localrun.node_status import node_states
from builders.localrun.sample_data import fraud_transactions, sample_objects

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning"),
]
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
METRICS = REPO / "tests" / "golden" / "starter_metrics.json"  # the same under either SDK


@pytest.fixture(scope="module")
def sandbox():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def own_sandbox():
    """A sandbox of the test's own: its deploy places the sample data the module's shared
    run expects to place."""
    server, url = start_moto()
    yield url
    server.stop()


def deployed_run(starter: str, url: str, folder, *, cache: bool = False, change=None):
    """(runner, compiled, finished run) of a starter deployed to the sandbox with its config
    document (which places its sample data) and started: the deploy runs it locally. With
    `cache`, every step that SageMaker caches has caching on; `change(configs)` edits the
    configs first."""
    dag, configs, base_dir = load_starter(starter)
    for config in configs.values():
        config.cache_enabled = cache and type(config).CACHED_BY_SAGEMAKER
    if change:
        change(configs)
    compiled = compile_pipeline(dag, configs, base_dir=base_dir)
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
    placed = len(sample_objects(starter))
    assert ("sample data", f"{placed} sample file(s) placed ({starter}).") in said
    runner = target.runner()
    execution = runner.execution(result.execution_arn.rsplit("/", 1)[-1])
    return runner, compiled, execution.wait()


@pytest.fixture(scope="module")
def xgboost_run(sandbox, tmp_path_factory):
    return deployed_run("xgboost_end_to_end", sandbox, tmp_path_factory.mktemp("xgboost"))


def get(s3, uri: str) -> bytes:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def members(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_a_cached_second_run_reads_the_first_runs_outputs(own_sandbox, tmp_path):
    runner, compiled, first = deployed_run("xgboost_end_to_end", own_sandbox, tmp_path, cache=True)
    second = runner.run(compiled.definition_json, pipeline_name=compiled.name)
    assert first.status == second.status == "Succeeded", second.failure_reason
    states = {name: step.state for name, step in second.steps.items()}
    # Models are created again (SageMaker never caches them), so the transform that reads
    # the new model's name runs again too.
    ran_again = {"XGBoostModel-CreateModel", "ModelRegistration-RegisterModel", "BatchTransform"}
    assert {name for name, state in states.items() if state != "cached"} == ran_again
    for name in set(states) - ran_again:
        step = second.steps[name]
        assert step.source_execution == first.execution_id
        assert step.outputs == first.steps[name].outputs
        assert all(first.execution_id in uri for uri in step.outputs.values()), step.outputs
    transform = second.steps["BatchTransform"].outputs
    assert all(second.execution_id in uri for uri in transform.values())


def test_every_step_of_the_xgboost_starter_runs(xgboost_run):
    _, compiled, run = xgboost_run
    assert run.status == "Succeeded", run.failure_reason
    assert list(run.steps) == run.step_order and set(run.step_order) == set(compiled.step_names)
    for step in run.steps.values():
        assert step.state == "succeeded", (step.name, step.reason)
        assert step.duration is not None and step.attempts == 1


def test_every_node_of_the_design_shows_its_run_state(xgboost_run):
    """What the canvas colours: each design node's state, its SDK-named steps folded in."""
    _, _, run = xgboost_run
    dag, _, _ = load_starter("xgboost_end_to_end")
    nodes = list(dag.nodes)
    states = node_states(run, nodes)
    assert set(states) == set(nodes)
    assert {status.state for status in states.values()} == {"succeeded"}
    assert states["XGBoostModel"].steps == ("XGBoostModel-CreateModel",)
    assert states["ModelRegistration"].steps == ("ModelRegistration-RegisterModel",)
    assert all(status.execution_id == run.execution_id for status in states.values())
    assert states["XGBoostTraining"].duration == run.steps["XGBoostTraining"].duration


def test_the_splits_and_the_model_scoring_the_test_split(xgboost_run):
    runner, _, run = xgboost_run
    s3 = runner.aws.s3
    processed = run.steps["TabularPreprocessing"].outputs["processed_data"]
    splits = {
        name: csv_rows(get(s3, f"{processed}/{name}/{name}_processed_data.csv"))
        for name in ("train", "val", "test")
    }
    assert {name: len(rows) - 1 for name, rows in splits.items()} == {
        "train": 700,
        "val": 150,
        "test": 150,
    }

    model_uri = run.steps["XGBoostTraining"].properties["ModelArtifacts"]["S3ModelArtifacts"]
    job = run.steps["XGBoostTraining"].job_name
    assert model_uri.endswith(f"/model_artifacts/{job}/output/model.tar.gz")
    model = members(get(s3, model_uri))
    assert set(model) == {"xgboost-model", "metadata/model_features.json"}
    features = json.loads(model["metadata/model_features.json"])["features"]
    booster = xgb.Booster()
    booster.load_model(bytearray(model["xgboost-model"]))
    header, *rows = splits["test"]
    columns = [header.index(name) for name in features]
    matrix = np.array([[float(row[i]) for i in columns] for row in rows])
    labels = [int(float(row[header.index("is_fraud")])) for row in rows]
    assert roc_auc_score(labels, booster.predict(xgb.DMatrix(matrix))) > 0.8

    output = members(get(s3, run.steps["XGBoostTraining"].outputs["output"]))
    assert json.loads(output["metrics.json"])["test_auc"] > 0.8


def test_the_metrics_the_training_prints_are_read_by_its_metric_definitions(xgboost_run):
    _, _, run = xgboost_run
    metrics = {
        metric["MetricName"]: metric["Value"]
        for metric in run.steps["XGBoostTraining"].properties["FinalMetricDataList"]
    }
    assert {"val:auc", "test:auc", "test:logloss", "test:accuracy"} <= set(metrics)
    assert all(0.0 <= value <= 1.0 for value in metrics.values())
    assert metrics["test:auc"] > 0.8


def training_metrics(run) -> dict[str, float]:
    listed = run.steps["XGBoostTraining"].properties["FinalMetricDataList"]
    return {metric["MetricName"]: round(metric["Value"], 6) for metric in listed}


def test_the_starters_runs_give_the_reviewed_metrics_under_either_sdk(
    xgboost_run, gate_run, request
):
    """The same metrics whichever SDK compiled the starters (SDK 2's script mode, SDK 3's
    ModelTrainer layout): one committed file, read by both test environments."""
    runner, _, gate = gate_run
    report_uri = gate.steps["ModelEvaluation"].outputs["evaluation"] + "/evaluation.json"
    evaluation = json.loads(get(runner.aws.s3, report_uri))["metrics"]
    found = {
        "xgboost_end_to_end": {"XGBoostTraining": training_metrics(xgboost_run[2])},
        "xgboost_quality_gate": {
            "XGBoostTraining": training_metrics(gate),
            "ModelEvaluation": {name: round(m["value"], 6) for name, m in evaluation.items()},
        },
    }
    if request.config.getoption("--update-golden"):
        METRICS.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
    assert found == json.loads(METRICS.read_text())


def with_country(data: bytes, every: int = 3) -> bytes:
    """Sample transactions with a `country` column; every `every`th row is from XX, and
    fraud."""
    header, *rows = csv_rows(data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, "country"])
    for number, row in enumerate(rows):
        country = "XX" if number % every == 0 else ("US" if number % 2 else "DE")
        label = "1" if country == "XX" else row[1]
        writer.writerow([row[0], label, *row[2:], country])
    return out.getvalue().encode()


def test_a_categorical_field_is_scored_as_it_was_trained(sandbox, tmp_path):
    """The batch transform serves the packaged model through its inference code, which encodes
    the category as training did (an XX row is fraud)."""
    folder = STARTERS / "xgboost_end_to_end"
    document = json.loads((folder / "config.json").read_text())
    nodes = document["configuration"]["specific"]
    hyper = nodes["XGBoostTraining"]["hyperparameters"]
    hyper["full_field_list"].append("country")
    hyper["cat_field_list"] = ["country"]
    nodes["Payload"]["source_model_inference_input_variable_list"]["country"] = "TEXT"
    nodes["ModelRegistration"]["model_package_group"] = "fraud-categorical"  # a group of its own
    target = Target("sandbox", "us-east-1", endpoint_url=sandbox, runs=tmp_path / "runs")
    s3 = target.client("s3")
    for node, rows, seed in (("DataLoadingTraining", 1000, 1), ("DataLoadingCalibration", 200, 2)):
        location = f"s3://my-ml-bucket/data/categorical/{node}/"
        nodes[node]["data_sources"] = [location]
        bucket, key = location[len("s3://") :].split("/", 1)
        if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key + "transactions.csv",
                      Body=with_country(fraud_transactions(rows, seed)))  # fmt: skip
    compiled = compile_pipeline(
        load_dag(folder / "dag.json"),
        configs_from_document(document),
        name="fraud-categorical",
        base_dir=folder,
    )
    result = deploy(compiled, target, role_arn=ROLE, start=True, config_document=document)
    run = target.runner().execution(result.execution_arn.rsplit("/", 1)[-1]).wait()
    assert run.status == "Succeeded", run.failure_reason

    out = run.steps["BatchTransform"].outputs["output"] + "/part-00000.csv.out"
    rows = csv_rows(get(target.runner().aws.s3, out))
    assert len(rows) == 200 and {len(row) for row in rows} == {7}  # the row, then its score
    flagged = [float(row[6]) for row in rows if row[5] == "XX"]
    assert len(flagged) == 67 and min(flagged) > 0.5


def test_the_batch_transform_scores_every_calibration_row(xgboost_run):
    runner, _, run = xgboost_run
    out = run.steps["BatchTransform"].outputs["output"] + "/part-00000.csv.out"
    rows = csv_rows(get(runner.aws.s3, out))
    assert len(rows) == 200
    # JoinSource Input: the whole input row, then the score of its features ($[2:]).
    assert {len(row) for row in rows} == {6}
    labels = [int(float(row[1])) for row in rows]
    scores = [float(row[5]) for row in rows]
    assert all(0 <= score <= 1 for score in scores)
    assert roc_auc_score(labels, scores) > 0.8


def test_the_package_payload_and_registration_are_the_runs_own(xgboost_run):
    runner, _, run = xgboost_run
    s3, sagemaker = runner.aws.s3, runner.aws.sagemaker
    packaged_uri = run.steps["Packaging"].outputs["packaged_model"] + "/model.tar.gz"
    packaged = members(get(s3, packaged_uri))
    assert {"xgboost-model", "metadata/model_features.json", "code/inference.py"} <= set(packaged)

    payload_uri = run.steps["Payload"].outputs["payload"] + "/FraudDetection.tar.gz"
    samples = members(get(s3, payload_uri))
    assert samples["payload_sample.csv"].decode().split(",") == ["0.0", "0.0", "0.0"]
    manifest = json.loads(get(s3, payload_uri.replace(".tar.gz", ".manifest.json")))
    assert manifest["model_registration_objective"] == "FraudDetection"  # beside the archive

    registration = run.steps["ModelRegistration-RegisterModel"]
    arn = registration.outputs["model_package"]
    described = sagemaker.describe_model_package(ModelPackageName=arn)
    (container,) = described["InferenceSpecification"]["Containers"]
    assert container["ModelDataUrl"] == packaged_uri
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert described["SamplePayloadUrl"] == payload_uri
    assert registration.properties["ModelPackageArn"] == arn

    # The model serves the packaged archive (its inference code), as the registration does.
    model = sagemaker.describe_model(ModelName=run.steps["XGBoostModel-CreateModel"].job_name)
    assert model["PrimaryContainer"]["ModelDataUrl"] == packaged_uri


def test_a_rerun_from_packaging_reuses_the_trained_model(xgboost_run):
    runner, _, run = xgboost_run
    rerun = runner.rerun_from(run.execution_id, ["Packaging"]).wait()
    assert rerun.status == "Succeeded", rerun.failure_reason
    ran = {name for name, step in rerun.steps.items() if step.state == "succeeded"}
    assert ran == {
        "Packaging",
        "Payload",
        "ModelRegistration-RegisterModel",
        "XGBoostModel-CreateModel",  # serves the packaged model
        "BatchTransform",
    }
    assert rerun.steps["XGBoostTraining"].state == "cached"
    assert rerun.steps["XGBoostTraining"].outputs == run.steps["XGBoostTraining"].outputs
    served = rerun.steps["XGBoostModel-CreateModel"].properties["PrimaryContainer"]
    assert served["ModelDataUrl"].startswith(rerun.steps["Packaging"].outputs["packaged_model"])
    assert rerun.execution_id in served["ModelDataUrl"]  # the re-run's own package
    first = run.steps["ModelRegistration-RegisterModel"].properties["ModelPackageVersion"]
    again = rerun.steps["ModelRegistration-RegisterModel"].properties["ModelPackageVersion"]
    assert again == first + 1


def test_the_pytorch_starter_packages_and_registers_its_model(sandbox, tmp_path):
    runner, _, run = deployed_run("pytorch_model_registration", sandbox, tmp_path)
    assert run.status == "Succeeded", run.failure_reason
    assert {step.state for step in run.steps.values()} == {"succeeded"}
    s3 = runner.aws.s3

    model_step = run.steps["PyTorchModel-CreateModel"]
    image = model_step.properties["PrimaryContainer"]["Image"]
    assert "pytorch-inference" in image
    assert runner.aws.sagemaker.describe_model(ModelName=model_step.job_name)["ModelArn"]

    packaged_uri = run.steps["Packaging"].outputs["packaged_model"] + "/model.tar.gz"
    assert set(members(get(s3, packaged_uri))) == {"model.pt", "code/inference.py"}
    payload_uri = run.steps["Payload"].outputs["payload"] + "/FraudDetection.tar.gz"
    assert "payload_sample.csv" in members(get(s3, payload_uri))

    arn = run.steps["ModelRegistration-RegisterModel"].outputs["model_package"]
    described = runner.aws.sagemaker.describe_model_package(ModelPackageName=arn)
    assert described["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == packaged_uri


def test_seeding_leaves_data_already_there_alone(sandbox):
    runner = LocalRunner(RunStore("unused"), endpoint_url=sandbox, region="us-east-1")
    config = json.loads((load_starter("xgboost_end_to_end")[2] / "config.json").read_text())
    config["configuration"]["specific"]["DataLoadingTraining"]["data_sources"] = [
        "s3://another-bucket/mine/"
    ]
    written = seed_sample_data("xgboost_end_to_end", runner.aws.s3, config)
    assert "s3://another-bucket/mine/transactions.csv" in written
    runner.aws.s3.put_object(Bucket="another-bucket", Key="mine/transactions.csv", Body=b"own")
    assert seed_sample_data("xgboost_end_to_end", runner.aws.s3, config) == []
    assert get(runner.aws.s3, "s3://another-bucket/mine/transactions.csv") == b"own"


# -- the quality gate -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gate_run(sandbox, tmp_path_factory):
    return deployed_run("xgboost_quality_gate", sandbox, tmp_path_factory.mktemp("gate"))


def test_a_model_that_passes_the_gate_is_registered_with_its_evaluation(gate_run):
    runner, compiled, run = gate_run
    assert run.status == "Succeeded", run.failure_reason
    assert set(run.steps) == set(compiled.step_names)
    states = {name: step.state for name, step in run.steps.items()}
    assert states.pop("FailBelowThreshold") == "skipped"
    assert set(states.values()) == {"succeeded"}
    assert run.steps["QualityGate"].properties == {"Outcome": "True"}

    s3 = runner.aws.s3
    report_uri = run.steps["ModelEvaluation"].outputs["evaluation"] + "/evaluation.json"
    report = json.loads(get(s3, report_uri))
    assert report["problem_type"] == "binary_classification" and report["rows"] == 150
    # The model scored here, by xgboost directly, on the test split the run wrote.
    model = members(get(s3, run.steps["XGBoostTraining"].outputs["model"]))
    booster = xgb.Booster()
    booster.load_model(bytearray(model["xgboost-model"]))
    features = json.loads(model["metadata/model_features.json"])["features"]
    processed = run.steps["TabularPreprocessing"].outputs["processed_data"]
    header, *rows = csv_rows(get(s3, f"{processed}/test/test_processed_data.csv"))
    matrix = np.array([[float(row[header.index(name)]) for name in features] for row in rows])
    labels = [int(float(row[header.index("is_fraud")])) for row in rows]
    expected = roc_auc_score(labels, booster.predict(xgb.DMatrix(matrix)))
    assert report["metrics"]["auc"]["value"] == pytest.approx(expected)
    assert expected >= 0.75  # what the gate asks

    arn = run.steps["ModelRegistration-RegisterModel"].outputs["model_package"]
    described = runner.aws.sagemaker.describe_model_package(ModelPackageName=arn)
    statistics = described["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert statistics == {"ContentType": "application/json", "S3Uri": report_uri}
    (container,) = described["InferenceSpecification"]["Containers"]
    assert (container["Framework"], container["FrameworkVersion"]) == ("XGBOOST", "1.7-1")


def test_a_model_below_the_threshold_fails_the_run_and_is_not_registered(own_sandbox, tmp_path):
    def unreachable(configs):
        configs["QualityGate"].threshold = 1.01  # no AUC reaches it

    runner, _, run = deployed_run("xgboost_quality_gate", own_sandbox, tmp_path, change=unreachable)
    message = "The model's test AUC is below the quality gate's threshold: it was not registered."
    assert run.status == "Failed" and run.failure_reason == message
    assert run.steps["QualityGate"].properties == {"Outcome": "False"}
    assert run.steps["FailBelowThreshold"].state == "failed"
    for name in ("Packaging", "Payload", "ModelRegistration-RegisterModel"):
        assert run.steps[name].state == "skipped", name
    packages = runner.aws.sagemaker.list_model_packages()["ModelPackageSummaryList"]
    assert packages == []


@pytest.fixture(scope="module")
def code_steps_run(sandbox, tmp_path_factory):
    return deployed_run(
        "features_function_and_lambda", sandbox, tmp_path_factory.mktemp("code_steps")
    )


def test_the_function_and_lambda_starter_runs(code_steps_run):
    """The function ran in the SDK's runtime, the Lambda deployed from the code folder
    answered, the gate compared its fraud rate, and the split read what it passed on."""
    runner, compiled, run = code_steps_run
    assert run.status == "Succeeded", run.failure_reason
    assert set(run.step_order) == set(compiled.step_names)
    states = {name: step.state for name, step in run.steps.items()}
    assert states.pop("TooMuchFraud") == "skipped"
    assert set(states.values()) == {"succeeded"}
    assert run.steps["FraudRateGate"].reason.endswith(" <= 0.5: if branch")
    s3 = runner.aws.s3
    features = run.steps["AddFeatures"].outputs["features"]
    assert f"/runs/{run.execution_id}/AddFeatures/features" in features
    rows = csv_rows(get(s3, f"{features}/features.csv"))
    assert rows[0][-2:] == ["amount_per_transaction", "young_account"] and len(rows) == 401
    results = json.loads(get(s3, run.steps["AddFeatures"].outputs["results"] + "/results.json"))
    assert results["Result"]["value"]["rows"] == 400
    check = run.steps["CheckFeatures"].properties["OutputParameters"]
    assert check["rows"] == 400 and check["passed"] is True and check["checked"] == features
    frauds = sum(int(row[1]) for row in rows[1:])
    assert check["fraud_rate"] == pytest.approx(frauds / 400)
    processed = run.steps["TabularPreprocessing"].outputs["processed_data"]
    splits = {
        name: csv_rows(get(s3, f"{processed}/{name}/{name}_processed_data.csv"))
        for name in ("train", "val", "test")
    }
    assert sum(len(rows) - 1 for rows in splits.values()) == 400
    assert "amount_per_transaction" in splits["train"][0]


def test_a_rerun_from_the_lambda_reads_the_functions_earlier_outputs(code_steps_run):
    """The Lambda reads the function's outputs from its results.json: reused from the first
    run, the function's step points at that run's features."""
    runner, _, first = code_steps_run
    second = runner.rerun_from(first.execution_id, ["CheckFeatures"]).wait()
    assert second.status == "Succeeded", second.failure_reason
    assert second.steps["AddFeatures"].state == "cached"
    checked = second.steps["CheckFeatures"].properties["OutputParameters"]["checked"]
    assert checked == first.steps["AddFeatures"].outputs["features"]
    assert first.execution_id in checked and second.execution_id not in checked
