"""The local runner runs SDK-built pipelines against a moto sandbox on 127.0.0.1.

Parameters, conditions on property files, Fail steps, failures and what they stop, caching,
selective re-runs, retries, unsupported steps, parallel steps and stopping a run.
"""

from __future__ import annotations

import functools
import io
import json
import tarfile
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from localrun_support import (
    BUCKET,
    REGION,
    build,
    data_of,
    read_text,
    steps_json,
    upload_scripts,
)
from support import start_moto

from builders.compiling.sagemaker_env import image_uri, offline_build
from builders.compiling.sdk import backend, jobs
from builders.localrun import LocalRunError, LocalRunner, RunStore
from builders.localrun.cache import CacheIndex
from builders.localrun.definition import parse_definition


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def runner(sandbox_url, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    return runner


@functools.cache
def sdk_objects() -> Any:
    """The SDK's workflow classes these tests build steps with (imported offline, once)."""
    with offline_build(REGION):
        return backend().workflow


def quality_gate_pipeline() -> tuple[str, list]:
    """Evaluate -> Gate (AUC >= Threshold) -> Register, else Fail with a message."""
    threshold = sdk_objects().ParameterFloat(name="Threshold", default_value=0.8)
    auc = sdk_objects().ParameterString(name="Auc", default_value="0.91")
    report = sdk_objects().PropertyFile(
        name="Report", output_name="evaluation", path="evaluation.json"
    )

    def steps(sdk):
        evaluate = sdk.step(
            "Evaluate", "evaluate", [auc], outputs=("evaluation",), property_files=[report]
        )
        register = sdk.step("Register", "copy", ["registered"])
        fail = sdk_objects().FailStep(
            name="TooWeak",
            error_message=sdk_objects().Join(on=" ", values=["AUC is below", threshold]),
        )
        gate = sdk_objects().ConditionStep(
            name="Gate",
            conditions=[
                sdk_objects().ConditionGreaterThanOrEqualTo(
                    left=sdk_objects().JsonGet(
                        step_name="Evaluate", property_file=report, json_path="metrics.auc.value"
                    ),
                    right=threshold,
                )
            ],
            if_steps=[register],
            else_steps=[fail],
        )
        return [evaluate, gate]

    return build(steps, [threshold, auc])


def states(run) -> dict[str, str]:
    return {name: step.state for name, step in run.steps.items()}


def test_a_quality_gate_registers_or_fails_on_the_property_file(runner):
    definition = quality_gate_pipeline()

    passed = runner.run(definition, pipeline_name="gate")
    assert passed.status == "Succeeded", passed.failure_reason
    assert states(passed) == {
        "Evaluate": "succeeded",
        "Gate": "succeeded",
        "Register": "succeeded",
        "TooWeak": "skipped",
    }
    assert passed.steps["Gate"].properties == {"Outcome": "True"}
    # The metric against the threshold, as the canvas and the panel show it (issue 17).
    assert passed.steps["Gate"].outcome == "AUC 0.91 >= 0.8: if branch"
    assert passed.steps["Gate"].reason == "AUC 0.91 >= 0.8: if branch"
    assert "condition Gate was True" in passed.steps["TooWeak"].reason
    assert passed.parameters == {"Threshold": 0.8, "Auc": "0.91"}
    register_output = passed.steps["Register"].outputs["data"]
    assert f"/runs/{passed.execution_id}/Register/data" in register_output  # per-run output
    assert read_text(runner.aws.s3, register_output + "/lines.txt") == "registered\n"

    failed = runner.run(definition, pipeline_name="gate", parameters={"Auc": "0.5"})
    assert failed.status == "Failed"
    assert failed.failure_reason == "AUC is below 0.8"
    assert failed.steps["Gate"].outcome == "AUC 0.5 < 0.8: else branch"
    assert states(failed) == {
        "Evaluate": "succeeded",
        "Gate": "succeeded",
        "Register": "skipped",
        "TooWeak": "failed",
    }
    evaluations = {run.steps["Evaluate"].outputs["evaluation"] for run in (passed, failed)}
    assert len(evaluations) == 2  # each run its own

    stricter = runner.run(definition, pipeline_name="gate", parameters={"Threshold": 0.95})
    assert stricter.failure_reason == "AUC is below 0.95"


def branches_pipeline() -> str:
    """Broken -> AfterBroken, and an independent Slow -> AfterSlow."""

    def steps(sdk):
        broken = sdk.step("Broken", "fail")
        after_broken = sdk.step("AfterBroken", "copy", ["x"], inputs={"data": data_of(broken)})
        slow = sdk.step("Slow", "sleep", ["0.3"])
        after_slow = sdk.step("AfterSlow", "copy", ["done"], inputs={"data": data_of(slow)})
        return [broken, after_broken, slow, after_slow]

    return build(steps)


def test_a_failing_script_stops_its_descendants_and_other_branches_finish(runner):
    run = runner.run(branches_pipeline(), pipeline_name="branches")

    assert run.status == "Failed"
    broken = run.steps["Broken"]
    assert broken.state == "failed"
    # The exception and its message, not a traceback cut mid-path; the log has the rest.
    assert (
        broken.reason == "The job exited with code 1: ValueError: column 'amount' has text in row 7"
    )
    assert run.failure_reason.startswith("Step Broken failed: The job exited with code 1")
    assert run.steps["AfterBroken"].state == "skipped"
    assert run.steps["AfterBroken"].reason == "Not run: step Broken failed."
    assert run.steps["Slow"].state == "succeeded"
    assert run.steps["AfterSlow"].state == "succeeded"
    assert read_text(runner.aws.s3, run.steps["AfterSlow"].outputs["data"] + "/lines.txt")
    log = runner.store.log_tail(run.execution_id, "Broken")
    assert "reading the data" in log and "Traceback" in log
    assert broken.started and broken.ended and broken.duration >= 0


def cached_pipeline(enabled=True, expire_after="PT1H") -> str:
    """First -> Second, both cached; Uncached reads First and is never cached."""
    cache = sdk_objects().CacheConfig(enable_caching=enabled, expire_after=expire_after)

    def steps(sdk):
        first = sdk.step("First", "copy", ["first"], cache_config=cache)
        second = sdk.step(
            "Second", "copy", ["second"], inputs={"data": data_of(first)}, cache_config=cache
        )
        uncached = sdk.step("Uncached", "copy", ["u"], inputs={"data": data_of(first)})
        return [first, second, uncached]

    return build(steps)


def test_cached_steps_return_the_earlier_runs_results(runner):
    definition = cached_pipeline()
    first_run = runner.run(definition, pipeline_name="cached")
    assert set(states(first_run).values()) == {"succeeded"}

    second_run = runner.run(definition, pipeline_name="cached")
    assert states(second_run) == {"First": "cached", "Second": "cached", "Uncached": "succeeded"}
    for name in ("First", "Second"):
        cached, earlier = second_run.steps[name], first_run.steps[name]
        assert cached.source_execution == first_run.execution_id
        assert cached.outputs == earlier.outputs  # the earlier run's locations
        assert cached.properties == earlier.properties
        assert first_run.execution_id in cached.reason
    uncached = second_run.steps["Uncached"]
    assert second_run.execution_id in uncached.outputs["data"]
    text = read_text(runner.aws.s3, uncached.outputs["data"] + "/lines.txt")
    assert text == "first\nu\n"  # read the cached step's (first run's) output

    # Another pipeline name never shares the cache.
    other = runner.run(definition, pipeline_name="another")
    assert set(states(other).values()) == {"succeeded"}


def test_changed_arguments_expiry_and_lost_outputs_run_the_step_again(runner):
    runner.run(cached_pipeline(), pipeline_name="cached")
    store = runner.store

    changed = cached_pipeline().replace('"first"', '"first, changed"')
    run = runner.run(changed, pipeline_name="cached")
    assert states(run) == {"First": "succeeded", "Second": "succeeded", "Uncached": "succeeded"}

    spec = parse_definition(cached_pipeline(expire_after="PT10M"))
    first = run.steps["First"]
    index = CacheIndex(store, "cached", exclude="none")
    soon = datetime.now(timezone.utc) + timedelta(minutes=9)
    later = datetime.now(timezone.utc) + timedelta(minutes=11)
    assert index.lookup(spec.steps["First"], first.cache_key, soon)
    assert not index.lookup(spec.steps["First"], first.cache_key, later)

    s3 = runner.aws.s3
    for output in first.outputs.values():
        s3.delete_object(Bucket=BUCKET, Key=output.split(f"{BUCKET}/", 1)[1] + "/lines.txt")
    again = runner.run(changed, pipeline_name="cached")
    assert again.steps["First"].state == "succeeded"  # the cached outputs are gone
    assert "outputs are gone" in store.log_tail(again.execution_id, "First")

    disabled = runner.run(cached_pipeline(enabled=False), pipeline_name="cached")
    assert set(states(disabled).values()) == {"succeeded"}


def test_a_rerun_from_a_step_reuses_the_earlier_results_for_the_rest(runner):
    first_run = runner.run(cached_pipeline(enabled=False), pipeline_name="rerun")
    rerun = runner.rerun_from(first_run.execution_id, ["Second"]).wait()

    assert rerun.status == "Succeeded"
    assert rerun.source_execution == first_run.execution_id
    assert rerun.selected_steps == ["Second"]
    assert states(rerun) == {"First": "cached", "Second": "succeeded", "Uncached": "cached"}
    assert rerun.steps["First"].outputs == first_run.steps["First"].outputs
    assert "not selected" in rerun.steps["First"].reason
    assert rerun.steps["First"].reason.startswith("Cached from run")  # its state's word
    second = rerun.steps["Second"].outputs["data"]
    assert rerun.execution_id in second
    assert read_text(runner.aws.s3, second + "/lines.txt") == "first\nsecond\n"

    broken = runner.run(branches_pipeline(), pipeline_name="rerun-broken")
    with pytest.raises(LocalRunError, match="AfterBroken reads from Broken, which has no results"):
        runner.rerun_from(broken.execution_id, ["AfterBroken"])
    again = runner.rerun_from(broken.execution_id, ["Broken"]).wait()
    assert again.steps["Slow"].state == "cached"
    assert again.steps["Broken"].state == "failed"


def test_a_job_killed_by_a_signal_is_retried_per_its_retry_policy(runner, tmp_path):
    policy = sdk_objects().SageMakerJobStepRetryPolicy(
        exception_types=[sdk_objects().SageMakerJobExceptionTypeEnum.INTERNAL_ERROR],
        interval_seconds=0,
        max_attempts=2,
    )

    def steps(marker, policies):
        return lambda sdk: [sdk.step("Flaky", "killed_once", [marker], retry_policies=policies)]

    run = runner.run(build(steps(str(tmp_path / "m1"), [policy])), pipeline_name="retry")
    assert run.status == "Succeeded"
    assert run.steps["Flaky"].attempts == 2
    assert "SageMaker.JOB_INTERNAL_ERROR" in runner.store.log_tail(run.execution_id, "Flaky")

    unretried = runner.run(build(steps(str(tmp_path / "m2"), [])), pipeline_name="retry")
    assert unretried.steps["Flaky"].attempts == 1
    assert "killed by signal 9" in unretried.steps["Flaky"].reason


def test_a_step_type_that_cannot_run_locally_stops_the_run_before_it_starts(runner):
    """(A Lambda step runs when deploy made its function: tests/test_lambda_call.py.)"""

    def steps(sdk):
        CallbackStep = sdk.backend.workflow.CallbackStep

        queue = "https://sqs.us-east-1.amazonaws.com/123456789012/approvals"
        notify = CallbackStep(name="Notify", sqs_queue_url=queue, inputs={}, outputs=[])
        return [sdk.step("Work", "copy", ["w"]), notify]

    run = runner.run(build(steps), pipeline_name="callback")
    assert run.status == "Failed"
    assert run.steps["Notify"].state == "failed"
    assert "not Callback steps" in run.steps["Notify"].reason
    assert run.failure_reason.startswith("Step Notify failed: Cannot run locally")
    assert run.steps["Work"].state == "skipped"


def two_sleepers() -> str:
    return build(
        lambda sdk: [sdk.step("Left", "sleep", ["0.3"]), sdk.step("Right", "sleep", ["0.3"])]
    )


def test_independent_steps_run_side_by_side_within_the_limit(runner, sandbox_url, tmp_path):
    side_by_side = runner.run(two_sleepers(), pipeline_name="parallel")
    left, right = side_by_side.steps["Left"], side_by_side.steps["Right"]
    assert left.started < right.ended and right.started < left.ended

    one_at_a_time = LocalRunner(
        RunStore(tmp_path / "serial"), endpoint_url=sandbox_url, region=REGION, max_parallel=1
    )
    serial = one_at_a_time.run(two_sleepers(), pipeline_name="parallel")
    first, second = sorted(serial.steps.values(), key=lambda step: step.started)
    assert first.ended <= second.started


def test_stopping_a_run_ends_its_running_job(runner):
    definition = build(
        lambda sdk: [
            sdk.step("Long", "sleep", ["60"]),
            sdk.step("Next", "copy", ["n"], depends_on=["Long"]),
        ]
    )
    execution = runner.start(definition, pipeline_name="stop")
    deadline = time.monotonic() + 30
    while runner.store.load(execution.id).steps["Long"].state != "running":
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    execution.stop()
    run = execution.wait(timeout=30)
    assert run.status == "Stopped"
    assert run.steps["Long"].state == "stopped"
    assert run.steps["Long"].duration < 30
    # A step that never started is not counted as stopped: it was skipped.
    assert run.steps["Next"].state == "skipped" and "stopped before" in run.steps["Next"].reason


TRAIN_SCRIPT = """
import json, os, pathlib, sys
import helper  # a module beside the entry point, as in a source_dir
model_dir = pathlib.Path(os.environ["SM_MODEL_DIR"])
train = pathlib.Path(os.environ["SM_CHANNEL_TRAIN"])
rows = [line for path in sorted(train.iterdir()) for line in path.read_text().splitlines()]
seen = {
    "argv": sys.argv[1:],
    "hps": json.loads(os.environ["SM_HPS"]),
    "channels": json.loads(os.environ["SM_CHANNELS"]),
    "rows": len(rows),
    "hyperparameters_file": json.loads(
        pathlib.Path(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json").read_text()
    ),
}
(model_dir / "weights.json").write_text(json.dumps({"weights": helper.WEIGHTS, "seen": seen}))
pathlib.Path(os.environ["SM_OUTPUT_DATA_DIR"], "report.txt").write_text("ok")
print("val_auc=0.5")
print("val_auc=0.87")
"""
INFERENCE_SCRIPT = """
import json, os
def model_fn(model_dir):
    with open(os.path.join(model_dir, "weights.json")) as handle:
        return json.load(handle)["weights"]
def input_fn(body, content_type):
    return [[float(v) for v in line.split(",")] for line in body.splitlines() if line]
def predict_fn(rows, weights):
    return [sum(w * v for w, v in zip(weights, row)) for row in rows]
def output_fn(scores, accept):
    return "\\n".join(str(score) for score in scores), accept
"""


def source_archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def train_model_score_pipeline(s3) -> str:
    """Train (a script of its own, sklearn image) -> Model (own inference code) -> Score."""
    role = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"

    def steps(sdk):
        train = sdk.backend.training_step(
            "Train",
            jobs.TrainingJob(
                framework="sklearn",
                framework_version="1.2-1",
                py_version="py3",
                image=image_uri("sklearn", REGION, "1.2-1", py_version="py3", scope="training"),
                role=role,
                instance_type="ml.m5.large",
                instance_count=1,
                output_path=f"s3://{BUCKET}/models",
                base_job_name="Train",
                code=f"s3://{BUCKET}/code/train/sourcedir.tar.gz",
                entry_point="train.py",
                code_location=f"s3://{BUCKET}/code",
                stage_folder=sdk.stage_folder,
                channels=(jobs.Channel("train", f"s3://{BUCKET}/rows/"),),
                hyperparameters={"epochs": 3, "lr": 0.1, "name": "fraud"},
                metric_definitions=({"Name": "val:auc", "Regex": "val_auc=([0-9.]+)"},),
            ),
            session=sdk.session,
            depends_on=[],
        )
        container = jobs.Container(
            image="123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:latest",
            model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
            role=role,
            environment={
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": f"s3://{BUCKET}/code/serve/sourcedir.tar.gz",
            },
            instance_type="ml.m5.large",
        )
        create = sdk.backend.model_step("Model", container, session=sdk.session, depends_on=[])
        transform = jobs.TransformJob(
            model_name=create.properties.ModelName,
            instance_type="ml.m5.large",
            instance_count=1,
            output_path=sdk.run_output("Score"),
            base_job_name="Score",
            data=f"s3://{BUCKET}/rows/",
            content_type="text/csv",
            accept="text/csv",
            split_type="Line",
            assemble_with="Line",
            join_source="Input",
            input_filter="$[1:]",
        )
        score = sdk.backend.transform_step("Score", transform, session=sdk.session, depends_on=[])
        return [train, create, score]

    return build(steps, s3=s3)


def test_training_gets_sagemakers_environment_and_the_model_scores_a_batch(runner):
    s3 = runner.aws.s3
    train_code = {"train.py": TRAIN_SCRIPT, "helper.py": "WEIGHTS = [1.0, 2.0]\n"}
    s3.put_object(Bucket=BUCKET, Key="code/train/sourcedir.tar.gz", Body=source_archive(train_code))
    s3.put_object(
        Bucket=BUCKET,
        Key="code/serve/sourcedir.tar.gz",
        Body=source_archive({"inference.py": INFERENCE_SCRIPT}),
    )
    s3.put_object(Bucket=BUCKET, Key="rows/batch.csv", Body=b"1,1.0,2.0\n2,3.0,0.5\n")

    definition = train_model_score_pipeline(s3)
    run = runner.run(definition, pipeline_name="train-score")
    assert run.status == "Succeeded", run.failure_reason
    train = run.steps["Train"]
    declared = steps_json(definition)["Train"]["Arguments"]
    model_uri = train.properties["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_uri == f"s3://{BUCKET}/models/{train.job_name}/output/model.tar.gz"
    assert train.properties["FinalMetricDataList"] == [{"MetricName": "val:auc", "Value": 0.87}]
    bucket, _, key = model_uri[len("s3://") :].partition("/")
    archive = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert tar.getnames() == ["weights.json"]
        seen = json.loads(tar.extractfile("weights.json").read())["seen"]
    assert seen["argv"] == ["--epochs", "3", "--lr", "0.1", "--name", "fraud"]
    assert seen["hps"] == {"epochs": 3, "lr": 0.1, "name": "fraud"}
    # Every channel of the definition (SDK 3 adds its code and drivers), as SageMaker lists them.
    assert sorted(seen["channels"]) == sorted(c["ChannelName"] for c in declared["InputDataConfig"])
    assert seen["rows"] == 2
    # hyperparameters.json holds the definition's values, as SageMaker writes them.
    assert seen["hyperparameters_file"]["name"] == declared["HyperParameters"]["name"]
    assert train.outputs["output"].endswith(f"/{train.job_name}/output/output.tar.gz")

    model = run.steps["Model-CreateModel"]
    assert model.properties["PrimaryContainer"]["ModelDataUrl"] == model_uri
    scored = read_text(s3, run.steps["Score"].outputs["output"] + "/batch.csv.out")
    assert scored == "1,1.0,2.0,5.0\n2,3.0,0.5,4.0\n"


def test_a_builtin_algorithm_fails_its_step_saying_it_cannot_run_locally(runner):
    def steps(sdk):
        job = jobs.TrainingJob(  # no code: the image's own algorithm
            image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            role="arn:aws:iam::123456789012:role/SageMakerExecutionRole",
            instance_type="ml.m5.large",
            instance_count=1,
            output_path=f"s3://{BUCKET}/models",
            base_job_name="Builtin",
            channels=(jobs.Channel("train", f"s3://{BUCKET}/code/copy/"),),
        )
        return [sdk.backend.training_step("Builtin", job, session=sdk.session, depends_on=[])]

    run = runner.run(build(steps), pipeline_name="builtin")
    assert run.status == "Failed"
    reason = run.steps["Builtin"].reason
    assert reason.startswith("Cannot run locally: it runs the built-in algorithm of")
    assert "sagemaker-xgboost:1.7-1" in reason
