"""Pipelines built with the installed SageMaker SDK (through the backend builders use) for
the local runner's tests.

Each step is a ProcessingStep running a small stdlib script (uploaded to the sandbox's S3 as
its code input), so a run takes a fraction of a second per step. Outputs go to per-run
locations (Std:Join with the execution id), as the SDK does by default.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from builders.compiling.sagemaker_env import offline_build, pipeline_session
from builders.compiling.sdk import backend, jobs
from builders.compiling.staging import CodeStager

REGION = "us-east-1"
BUCKET = "local-run-tests"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
CODE = "/opt/ml/processing/input/code"

SCRIPTS = {
    # Writes evaluation.json with the AUC given as its first argument.
    "evaluate": """
        import json, os, sys
        root = os.environ["SM_PIPELINE_CONTAINER_ROOT"] + "/opt/ml/processing/output/evaluation"
        os.makedirs(root, exist_ok=True)
        with open(root + "/evaluation.json", "w") as handle:
            json.dump({"metrics": {"auc": {"value": float(sys.argv[1])}}}, handle)
        print("auc", sys.argv[1])
    """,
    # Copies its `data` input (if any) to its `data` output and adds a line naming the step.
    "copy": """
        import os, pathlib, sys
        root = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing")
        out = root / "output/data"
        out.mkdir(parents=True, exist_ok=True)
        text = ""
        source = root / "input/data"
        if source.is_dir():
            text = "".join(p.read_text() for p in sorted(source.rglob("*")) if p.is_file())
        (out / "lines.txt").write_text(text + sys.argv[1] + "\\n")
    """,
    # Fails the way a job script with a bug does.
    "fail": """
        import sys
        print("reading the data")
        print("about to fail", file=sys.stderr)
        raise ValueError("column 'amount' has text in row 7")
    """,
    # Is killed by a signal on its first attempt (marker file absent), succeeds after.
    "killed_once": """
        import os, pathlib, signal, sys
        marker = pathlib.Path(sys.argv[1])
        if not marker.exists():
            marker.write_text("killed once")
            os.kill(os.getpid(), signal.SIGKILL)
        out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output")
        out = out / "data"
        out.mkdir(parents=True, exist_ok=True)
        (out / "lines.txt").write_text("survived\\n")
    """,
    # Records when it ran, sleeps, then writes its output.
    "sleep": """
        import os, pathlib, sys, time
        start = time.time()
        time.sleep(float(sys.argv[1]))
        out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output")
        out = out / "data"
        out.mkdir(parents=True, exist_ok=True)
        (out / "span.txt").write_text(f"{start} {time.time()}")
    """,
}


def upload_scripts(s3) -> None:
    """Each script to s3://BUCKET/code/<name>/step.py (the bucket is created if needed)."""
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    for name, source in SCRIPTS.items():
        body = textwrap.dedent(source).encode()
        s3.put_object(Bucket=BUCKET, Key=f"code/{name}/step.py", Body=body)


def build(make_steps, parameters=(), s3=None) -> str:
    """The definition of the pipeline `make_steps(sdk)` returns, built offline by the SDK.

    What the build staged (a training job's code and drivers) is uploaded with `s3`.
    """
    with offline_build(REGION):
        sdk = Sdk()
        steps = make_steps(sdk)
        pipeline = sdk.backend.pipeline("local-run-test", steps, list(parameters), sdk.session)
        definition = pipeline.definition()
    if sdk.stager.objects:
        assert s3 is not None, "the pipeline staged files: build(..., s3=runner.aws.s3)"
        for item in sdk.stager.objects:
            s3.put_object(Bucket=item.bucket, Key=item.key, Body=item.content)
    return definition


class Sdk:
    """Builds the tests' steps with the installed SDK, through the backend builders use."""

    def __init__(self):
        self.backend = backend()
        self.session = pipeline_session(REGION, BUCKET)
        self.stager = CodeStager()
        self.execution_id = self.backend.execution_id

    def join(self, values: list[Any], on: str = "/") -> Any:
        return self.backend.join(values, on)

    def run_output(self, step: str, name: str = "data") -> Any:
        """s3://BUCKET/runs/<execution id>/<step>/<name>, as a Std:Join."""
        return self.join([f"s3://{BUCKET}/runs", self.execution_id, step, name])

    def stage_folder(self, folder) -> str:
        """Where a folder the SDK writes for a job is staged (3.x's container drivers)."""
        return self.stager.folder(str(folder), f"s3://{BUCKET}/staged", node="test", field="sdk")

    def step(
        self,
        name: str,
        script: str,
        arguments: list[Any] | None = None,
        inputs: dict[str, Any] | None = None,
        outputs: tuple[str, ...] = ("data",),
        *,
        property_files: list[Any] = (),
        depends_on: list[Any] = (),
        cache_config: Any = None,
        retry_policies: list[Any] | None = None,
        max_runtime_seconds: int | None = None,
        environment: dict[str, str] | None = None,
    ):
        """A ProcessingStep running SCRIPTS[script]; `inputs` maps input names to S3 URIs."""
        job = jobs.ProcessingJob(
            image="123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs:latest",
            entrypoint=("python3", f"{CODE}/step.py"),
            role=ROLE,
            instance_type="ml.m5.large",
            instance_count=1,
            volume_size_gb=30,
            base_job_name=name,
            inputs=(
                jobs.ProcessingInput("code", f"s3://{BUCKET}/code/{script}/", CODE),
                *(
                    jobs.ProcessingInput(key, uri, f"/opt/ml/processing/input/{key}")
                    for key, uri in (inputs or {}).items()
                ),
            ),
            outputs=tuple(
                jobs.ProcessingOutput(
                    output, f"/opt/ml/processing/output/{output}", self.run_output(name, output)
                )
                for output in outputs
            ),
            arguments=tuple(arguments or ()),
            environment=dict(environment or {}),
            max_runtime_seconds=max_runtime_seconds,
        )
        step = self.backend.processing_step(
            name,
            job,
            session=self.session,
            depends_on=list(depends_on),
            property_files=list(property_files),
        )
        step.cache_config = cache_config
        if retry_policies is not None:
            step.retry_policies = retry_policies
        return step


def data_of(step) -> Any:
    return step.properties.ProcessingOutputConfig.Outputs["data"].S3Output.S3Uri


def read_text(s3, uri: str) -> str:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def steps_json(definition: str) -> dict[str, Any]:
    return {step["Name"]: step for step in json.loads(definition)["Steps"]}
