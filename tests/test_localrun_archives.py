"""The runner's unpackers refuse every crafted archive of the shared set
(tests/crafted_archives.py), in real runs against the sandbox: a training job's source
archive, a transform's model archive and its inference code archive. The step fails naming
the archive (its S3 URI) and the member; nothing lands outside the job's folder.

And a transform whose model has no inference code fails saying it cannot run locally."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from crafted_archives import crafted_archives, escaped, prepare_outside
from localrun_support import BUCKET, REGION, build, steps_json, upload_scripts
from support import start_moto
from test_localrun import INFERENCE_SCRIPT, TRAIN_SCRIPT, source_archive

from builders.compiling.sagemaker_env import image_uri
from builders.compiling.sdk import jobs
from builders.localrun import LocalRunner, RunStore

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:latest"
CRAFTED = f"s3://{BUCKET}/crafted/archive.tar.gz"
KINDS = [case.kind for case in crafted_archives(Path("/placeholder"))]


@pytest.fixture(scope="module")
def sandbox_url():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def runner(sandbox_url, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox_url, region=REGION)
    upload_scripts(runner.aws.s3)
    s3 = runner.aws.s3
    s3.put_object(Bucket=BUCKET, Key="rows/batch.csv", Body=b"1,1.0,2.0\n")
    s3.put_object(
        Bucket=BUCKET, Key="honest/model.tar.gz", Body=source_archive({"weights.json": "{}"})
    )
    s3.put_object(
        Bucket=BUCKET,
        Key="honest/sourcedir.tar.gz",
        Body=source_archive({"train.py": TRAIN_SCRIPT, "inference.py": INFERENCE_SCRIPT}),
    )
    return runner


def training_code(s3) -> str:
    """Train, its source archive the crafted one."""

    def steps(sdk):
        job = jobs.TrainingJob(
            framework="sklearn",
            framework_version="1.2-1",
            py_version="py3",
            image=image_uri("sklearn", REGION, "1.2-1", py_version="py3", scope="training"),
            role=ROLE,
            instance_type="ml.m5.large",
            instance_count=1,
            output_path=f"s3://{BUCKET}/models",
            base_job_name="Train",
            code=CRAFTED,
            entry_point="train.py",
            code_location=f"s3://{BUCKET}/code",
            stage_folder=sdk.stage_folder,
            channels=(jobs.Channel("train", f"s3://{BUCKET}/rows/"),),
        )
        return [sdk.backend.training_step("Train", job, session=sdk.session, depends_on=[])]

    return build(steps, s3=s3)


@functools.cache
def transform(model_data: str, code: str | None) -> str:
    """Model -> Score (batch transform) with the given model and inference code archives."""

    def steps(sdk):
        environment = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": code}
        container = jobs.Container(
            image=IMAGE,
            model_data=model_data,
            role=ROLE,
            environment=environment if code else {},
            instance_type="ml.m5.large",
        )
        create = sdk.backend.model_step("Model", container, session=sdk.session, depends_on=[])
        score = jobs.TransformJob(
            model_name=create.properties.ModelName,
            instance_type="ml.m5.large",
            instance_count=1,
            output_path=sdk.run_output("Score"),
            base_job_name="Score",
            data=f"s3://{BUCKET}/rows/",
            content_type="text/csv",
        )
        return [
            create,
            sdk.backend.transform_step("Score", score, session=sdk.session, depends_on=[]),
        ]

    return build(steps)


def code_folder(definition: str) -> str:
    """Where a training job's code is unpacked: SDK 2's script mode to /opt/ml/code, SDK 3's
    drivers to the `code` channel's folder."""
    algorithm = steps_json(definition)["Train"]["Arguments"]["AlgorithmSpecification"]
    return "opt/ml/input/data/code" if "ContainerEntrypoint" in algorithm else "opt/ml/code"


UNPACKERS = {
    # name: (definition, step, the folder the archive is unpacked to, under the container)
    "training source archive": (training_code, "Train", code_folder),
    "transform model archive": (
        lambda s3: transform(CRAFTED, f"s3://{BUCKET}/honest/sourcedir.tar.gz"),
        "Score",
        "opt/ml/model",
    ),
    "transform inference code archive": (
        lambda s3: transform(f"s3://{BUCKET}/honest/model.tar.gz", CRAFTED),
        "Score",
        "opt/ml/code",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unpacker", UNPACKERS)
def test_the_step_fails_naming_the_archive_and_the_member(runner, tmp_path, unpacker, kind):
    definition, step, folder = UNPACKERS[unpacker]
    outside = prepare_outside(tmp_path / "outside")
    case = next(c for c in crafted_archives(outside) if c.kind == kind)
    runner.aws.s3.put_object(Bucket=BUCKET, Key="crafted/archive.tar.gz", Body=case.content)

    built = definition(runner.aws.s3)
    run = runner.run(built, pipeline_name="crafted")

    assert run.status == "Failed"
    reason = run.steps[step].reason
    assert reason.startswith(f"The archive {CRAFTED} has a member '{case.member}'"), reason
    folder = folder if isinstance(folder, str) else folder(built)
    unpacked = runner.store.step_folder(run.execution_id, step) / "container" / folder
    assert escaped(outside, tmp_path, unpacked) == []


def test_a_model_without_inference_code_fails_saying_it_cannot_run_locally(runner):
    run = runner.run(transform(f"s3://{BUCKET}/honest/model.tar.gz", None), pipeline_name="bare")

    assert run.status == "Failed"
    assert run.steps["Score"].reason == (
        "Cannot run locally: its model has no inference code (SAGEMAKER_PROGRAM) and the image "
        f"{IMAGE} has no default handler the local run knows. Run the pipeline on AWS, or "
        "change the step."
    )
