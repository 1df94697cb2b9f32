"""Pipelines built with the real SageMaker SDK for the local runner's tests.

Each step is a ProcessingStep running a small stdlib script (uploaded to the sandbox's S3 as
its code input), so a run takes a fraction of a second per step. Outputs go to per-run
locations (Std:Join with the execution id), as the SDK does by default.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from builders.compiling.sagemaker_env import estimator_construction, offline_build, pipeline_session

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


def build(make_steps, parameters=()) -> str:
    """The definition of the pipeline `make_steps(sdk)` returns, built offline by the SDK."""
    with offline_build(REGION):
        sdk = Sdk()
        from sagemaker.workflow.pipeline import Pipeline

        steps = make_steps(sdk)
        pipeline = Pipeline(
            name="local-run-test",
            parameters=list(parameters),
            steps=steps,
            sagemaker_session=sdk.session,
        )
        return pipeline.definition()


class Sdk:
    """The SDK objects the tests build steps from."""

    def __init__(self):
        from sagemaker.processing import ProcessingInput, ProcessingOutput, Processor
        from sagemaker.workflow.execution_variables import ExecutionVariables
        from sagemaker.workflow.functions import Join
        from sagemaker.workflow.steps import ProcessingStep

        self.session = pipeline_session(REGION, BUCKET)
        self.Input, self.Output, self.Processor = ProcessingInput, ProcessingOutput, Processor
        self.ProcessingStep, self.Join = ProcessingStep, Join
        self.execution_id = ExecutionVariables.PIPELINE_EXECUTION_ID

    def estimator(self, estimator_class: Any, **options: Any) -> Any:
        """An SDK estimator on the offline session, built as the project's builders build one
        (its constructor asks boto3's default session for a client)."""
        with estimator_construction(REGION):
            return estimator_class(sagemaker_session=self.session, **options)

    def run_output(self, step: str, name: str = "data") -> Any:
        """s3://BUCKET/runs/<execution id>/<step>/<name>, as a Std:Join."""
        return self.Join(on="/", values=[f"s3://{BUCKET}/runs", self.execution_id, step, name])

    def step(
        self,
        name: str,
        script: str,
        arguments: list[Any] | None = None,
        inputs: dict[str, Any] | None = None,
        outputs: tuple[str, ...] = ("data",),
        **options: Any,
    ):
        """A ProcessingStep running SCRIPTS[script]; `inputs` maps input names to S3 URIs."""
        processor = self.Processor(
            role=ROLE,
            image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs:latest",
            entrypoint=["python3", f"{CODE}/step.py"],
            instance_count=1,
            instance_type="ml.m5.large",
            sagemaker_session=self.session,
        )
        step_args = processor.run(
            inputs=[
                self.Input(
                    source=f"s3://{BUCKET}/code/{script}/", destination=CODE, input_name="code"
                ),
                *[
                    self.Input(
                        source=uri, destination=f"/opt/ml/processing/input/{key}", input_name=key
                    )
                    for key, uri in (inputs or {}).items()
                ],
            ],
            outputs=[
                self.Output(
                    output_name=output,
                    source=f"/opt/ml/processing/output/{output}",
                    destination=self.run_output(name, output),
                )
                for output in outputs
            ],
            arguments=arguments,
        )
        return self.ProcessingStep(name=name, step_args=step_args, **options)


def data_of(step) -> Any:
    return step.properties.ProcessingOutputConfig.Outputs["data"].S3Output.S3Uri


def read_text(s3, uri: str) -> str:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def steps_json(definition: str) -> dict[str, Any]:
    return {step["Name"]: step for step in json.loads(definition)["Steps"]}
