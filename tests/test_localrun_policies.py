"""The local runner's caching and retries, at the edges a mutation tool found unguarded.

SageMaker's rules, written out here rather than read from the runner: a cache hit is the
newest earlier success whose key attributes (HyperParameters among a training step's) are
equal, within ExpireAfter (a month is 30 days); a failed step is never a hit. A retry policy
allows MaxAttempts retries, waits IntervalSeconds * BackoffRate^(n-1) before the n-th, none
after ExpireAfterMin minutes, and each attempt starts in a new container.
"""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timedelta, timezone

import pytest
from localrun_support import BUCKET, REGION, build, read_text, upload_scripts
from support import start_moto

from builders.compiling.sagemaker_env import offline_build
from builders.compiling.sdk import backend, jobs
from builders.localrun import LocalRunner, RunStore
from builders.localrun.cache import CacheIndex, cache_key
from builders.localrun.definition import parse_definition
from builders.localrun.retry import retry_delay

SCRIPTS = {
    # Fails (its own code: never retried) the first time it runs, succeeds after.
    "fails_once": """
        import os, pathlib, sys
        marker = pathlib.Path(sys.argv[1])
        if not marker.exists():
            marker.write_text("failed once")
            sys.exit("the first run fails")
        out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output")
        (out / "data").mkdir(parents=True, exist_ok=True)
        (out / "data" / "lines.txt").write_text("second time lucky\\n")
    """,
    # Each attempt counts itself in a file; every attempt but the last one it is told of
    # leaves a stale file in its output folder and is killed by SIGKILL.
    "killed_until": """
        import os, pathlib, signal, sys
        counter, last = pathlib.Path(sys.argv[1]), int(sys.argv[2])
        attempt = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(attempt))
        out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output")
        (out / "data").mkdir(parents=True, exist_ok=True)
        if attempt < last:
            (out / "data" / f"stale-{attempt}.txt").write_text("from a killed attempt")
            os.kill(os.getpid(), signal.SIGKILL)
        (out / "data" / "lines.txt").write_text(f"attempt {attempt}\\n")
    """,
}


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def runner(sandbox_url, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    for name, source in SCRIPTS.items():
        body = textwrap.dedent(source).encode()
        runner.aws.s3.put_object(Bucket=BUCKET, Key=f"code/{name}/step.py", Body=body)
    return runner


def sdk_cache(expire_after="PT1H"):
    """The installed SDK's CacheConfig, through the backend builders use."""
    with offline_build(REGION):
        return backend().cache_config(expire_after)


def sdk_retry(max_attempts: int, interval: float = 0, backoff: float = 2.0):
    """The installed SDK's SageMakerJobStepRetryPolicy for a job's internal error."""
    with offline_build(REGION):
        (policy,) = backend().retry_policies(
            [],
            ["SageMaker.JOB_INTERNAL_ERROR"],
            max_attempts=max_attempts,
            interval_seconds=interval,
            backoff_rate=backoff,
        )
    return policy


def one_step(script: str, arguments: list[str], **options) -> str:
    return build(lambda sdk: [sdk.step("Only", script, arguments, **options)])


def listed(s3, uri: str) -> list[str]:
    prefix = uri.split(f"{BUCKET}/", 1)[1] + "/"
    answer = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"][len(prefix) :] for item in answer.get("Contents", []))


# -- caching ---------------------------------------------------------------------------------
def test_a_failed_step_is_never_a_cache_hit(runner, tmp_path):
    definition = one_step("fails_once", [str(tmp_path / "marker")], cache_config=sdk_cache())
    failed = runner.run(definition, pipeline_name="cache-failed")
    assert failed.steps["Only"].state == "failed"

    again = runner.run(definition, pipeline_name="cache-failed")
    step = again.steps["Only"]
    assert step.state == "succeeded" and step.source_execution is None
    assert read_text(runner.aws.s3, step.outputs["data"] + "/lines.txt") == "second time lucky\n"


def test_the_newest_earlier_result_is_the_hit(runner):
    definition = one_step("copy", ["x"], cache_config=sdk_cache())
    s3 = runner.aws.s3
    oldest = runner.run(definition, pipeline_name="cache-newest")
    (old_output,) = oldest.steps["Only"].outputs.values()
    kept = s3.get_object(Bucket=BUCKET, Key=old_output.split(f"{BUCKET}/", 1)[1] + "/lines.txt")
    body = kept["Body"].read()
    # The oldest run's output goes missing: the next run runs the step again...
    s3.delete_object(Bucket=BUCKET, Key=old_output.split(f"{BUCKET}/", 1)[1] + "/lines.txt")
    newer = runner.run(definition, pipeline_name="cache-newest")
    assert newer.steps["Only"].state == "succeeded"
    # ...and comes back: both earlier results are valid hits now, the newer one wins.
    s3.put_object(Bucket=BUCKET, Key=old_output.split(f"{BUCKET}/", 1)[1] + "/lines.txt",
                  Body=body)  # fmt: skip
    third = runner.run(definition, pipeline_name="cache-newest")
    assert third.steps["Only"].state == "cached"
    assert third.steps["Only"].source_execution == newer.execution_id


@pytest.mark.parametrize(
    ("expire_after", "lasts"),
    [("P1M", timedelta(days=30)), ("P1Y", timedelta(days=365)), ("P2W", timedelta(days=14)),
     ("PT90M", timedelta(minutes=90)), ("P1DT1H", timedelta(hours=25))],
)  # fmt: skip
def test_a_cached_result_expires_after_its_duration(runner, expire_after, lasts):
    definition = one_step("copy", ["x"], cache_config=sdk_cache(expire_after))
    run = runner.run(definition, pipeline_name="cache-expiry")
    step = parse_definition(definition).steps["Only"]
    record = run.steps["Only"]
    index = CacheIndex(runner.store, "cache-expiry", exclude="none")
    ended = datetime.fromisoformat(record.ended)
    assert index.lookup(step, record.cache_key, ended + lasts - timedelta(minutes=1))
    assert index.lookup(step, record.cache_key, ended + lasts)  # "within": the end included
    assert not index.lookup(step, record.cache_key, ended + lasts + timedelta(minutes=1))


def training_definition(hyperparameters: dict[str, str], **changes) -> str:
    """A cached XGBoost training step built by the SDK; `changes` to its job."""

    def steps(sdk):
        options = {
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
            "role": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
            "instance_count": 1,
            "instance_type": "ml.m5.large",
            "output_path": f"s3://{BUCKET}/models",
            "base_job_name": "Train",
            "hyperparameters": hyperparameters,
            "channels": (jobs.Channel("train", f"s3://{BUCKET}/rows/"),),
            **changes,
        }
        job = jobs.TrainingJob(**options)  # no code: the image's own algorithm
        step = sdk.backend.training_step("Train", job, session=sdk.session, depends_on=[])
        step.cache_config = sdk_cache()
        return [step]

    return build(steps)


def training_key(definition: str) -> str:
    step = parse_definition(definition).steps["Train"]
    return cache_key(step, step.arguments)


def test_a_training_steps_cache_key_holds_its_hyperparameters_not_its_resources():
    key = training_key(training_definition({"max_depth": "5", "eta": "0.2"}))
    assert key == training_key(training_definition({"eta": "0.2", "max_depth": "5"}))
    assert key != training_key(training_definition({"max_depth": "6", "eta": "0.2"}))
    assert key != training_key(training_definition({"max_depth": "5"}))
    assert key != training_key(
        training_definition({"max_depth": "5", "eta": "0.2"}, environment={"MODE": "fast"})
    )
    # Where the model goes and what the job runs on are not key attributes.
    assert key == training_key(
        training_definition(
            {"max_depth": "5", "eta": "0.2"},
            instance_type="ml.m5.xlarge",
            output_path=f"s3://{BUCKET}/elsewhere",
            max_runtime_seconds=600,
        )
    )


# -- retries ---------------------------------------------------------------------------------
def test_max_attempts_counts_the_retries_after_the_first_attempt(runner, tmp_path):
    """MaxAttempts 2: a first attempt and two retries; a job killed three times fails."""
    survives = one_step(
        "killed_until", [str(tmp_path / "a"), "3"], retry_policies=[sdk_retry(max_attempts=2)]
    )
    run = runner.run(survives, pipeline_name="retry-count")
    assert run.steps["Only"].state == "succeeded" and run.steps["Only"].attempts == 3

    killed_too_often = one_step(
        "killed_until", [str(tmp_path / "b"), "4"], retry_policies=[sdk_retry(max_attempts=2)]
    )
    run = runner.run(killed_too_often, pipeline_name="retry-count")
    assert run.steps["Only"].state == "failed" and run.steps["Only"].attempts == 3
    assert (tmp_path / "b").read_text() == "3"  # no fourth attempt ran


def test_each_attempt_starts_in_a_new_container(runner, tmp_path):
    definition = one_step(
        "killed_until", [str(tmp_path / "count"), "3"], retry_policies=[sdk_retry(max_attempts=5)]
    )
    run = runner.run(definition, pipeline_name="retry-container")
    step = run.steps["Only"]
    assert step.state == "succeeded" and step.attempts == 3
    # Only what the attempt that succeeded wrote is its output: no killed attempt's files.
    assert listed(runner.aws.s3, step.outputs["data"]) == ["lines.txt"]


def test_the_wait_before_each_retry_grows_by_the_backoff_rate(runner, tmp_path):
    definition = one_step(
        "killed_until",
        [str(tmp_path / "count"), "4"],
        retry_policies=[sdk_retry(max_attempts=5, interval=0.1, backoff=3.0)],
    )
    run = runner.run(definition, pipeline_name="retry-backoff")
    assert run.steps["Only"].attempts == 4
    log = runner.store.log_tail(run.execution_id, "Only", lines=200)
    waits = [
        line.rsplit("retrying in ", 1)[1] for line in log.splitlines() if "retrying in" in line
    ]
    assert waits == ["0.1 s", "0.3 s", "0.9 s"]  # 0.1 * 3^0, 0.1 * 3^1, 0.1 * 3^2


POLICY = {"ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"], "IntervalSeconds": 10,
          "BackoffRate": 2.0, "MaxAttempts": 3}  # fmt: skip


def test_expire_after_min_counts_minutes_from_the_first_attempt():
    policy = {**POLICY, "ExpireAfterMin": 2}
    now = datetime.now(timezone.utc)
    kind = "SageMaker.JOB_INTERNAL_ERROR"
    assert retry_delay((policy,), kind, 1, now - timedelta(seconds=90)) == 10
    assert retry_delay((policy,), kind, 1, now - timedelta(seconds=150)) is None
    assert retry_delay((policy,), kind, 2, now - timedelta(minutes=30)) is None


def test_a_policy_retries_only_the_failures_it_names():
    now = datetime.now(timezone.utc)
    assert retry_delay((POLICY,), "Step.THROTTLING", 1, now) is None
    assert retry_delay((POLICY,), None, 1, now) is None
    throttling = {**POLICY, "ExceptionType": ["Step.THROTTLING"], "IntervalSeconds": 1}
    assert retry_delay((POLICY, throttling), "Step.THROTTLING", 1, now) == 1


def test_the_definition_the_sdk_writes_is_what_the_runner_reads():
    """The policies above are the SDK's keys: a check that the names line up."""
    definition = one_step("copy", ["x"], retry_policies=[sdk_retry(3, 10, 2.0)])
    (written,) = json.loads(definition)["Steps"][0]["RetryPolicies"]
    assert written == {**POLICY, "ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"]}


def test_an_hour_of_expire_after_min_ends_retries_half_a_minute_past_it():
    policy = {**POLICY, "ExpireAfterMin": 60}
    now = datetime.now(timezone.utc)
    kind = "SageMaker.JOB_INTERNAL_ERROR"
    assert retry_delay((policy,), kind, 1, now - timedelta(minutes=59, seconds=30)) == 10
    assert retry_delay((policy,), kind, 1, now - timedelta(minutes=60, seconds=30)) is None


def test_a_policy_without_interval_or_rate_waits_1_then_2_then_4_seconds():
    """SageMaker's defaults: IntervalSeconds 1, BackoffRate 2.0."""
    policy = {"ExceptionType": ["SageMaker.JOB_INTERNAL_ERROR"], "MaxAttempts": 5}
    now = datetime.now(timezone.utc)
    waits = [retry_delay((policy,), "SageMaker.JOB_INTERNAL_ERROR", n, now) for n in (1, 2, 3)]
    assert waits == [1.0, 2.0, 4.0]
