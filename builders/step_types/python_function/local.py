"""The sandbox runs a function step as SageMaker would: the SDK's runtime, in a fresh process.

Any definition step the SDK's `@step` wrote (a training job whose entry point is the SDK's
job driver) is run here, not only this project's: its channels are downloaded to
/opt/ml/input/data/<channel> under the job's container root, its workspace is unpacked
there, and `sandbox/sm_invoke_local.py` runs the SDK's `invoke_function` (the module the
step's job driver names) with the step's own container arguments. The function and its
arguments come from the sandbox's S3, where deploy staged them, and its results go back
there (results.json beside the pickle), where later steps read them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from builders.localrun import s3io
from builders.localrun.context import StepContext, StepFailed, StepResult, unsupported
from builders.localrun.definition import StepSpec
from builders.localrun.errors import LocalRunError
from builders.localrun.unzip import UnsafeZipError, extract_zip
from builders.step_types.python_function.function_step import WORKSPACE_FOLDER

JOB_DRIVER_NAME = "job_driver.sh"
JOB_DRIVER = f"/sagemaker_remote_function_bootstrap/{JOB_DRIVER_NAME}"
LAUNCHER = Path(__file__).parent / "sandbox" / "sm_invoke_local.py"
DEPENDENCIES = "pre_exec_script_and_dependencies"


def executor_for(step: StepSpec) -> Any:
    """`run_function_step` for a step the SDK's function step wrote, else None."""
    if step.type != "Training":
        return None
    algorithm = step.arguments.get("AlgorithmSpecification") or {}
    entry = algorithm.get("ContainerEntrypoint") or []
    return run_function_step if entry and str(entry[-1]).endswith(JOB_DRIVER) else None


def run_function_step(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    name = ctx.job_name()
    arguments = [str(word) for word in args["AlgorithmSpecification"].get("ContainerArguments")]
    _download_channels(ctx, args.get("InputDataConfig") or [])
    _unpack_workspace(ctx, _value_after(arguments, "--func_step_s3_dir"))
    if any(ctx.local(f"/opt/ml/input/data/{DEPENDENCIES}").glob("*")):
        ctx.note("the requirements are not installed locally: the job uses this Python's packages")
    env = ctx.job_env(
        {
            **(args.get("Environment") or {}),
            "TRAINING_JOB_NAME": name,
            "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        }
    )
    timeout = (args.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    command = [ctx.python, str(LAUNCHER), _runtime(ctx), *arguments]
    result = ctx.run(command, env, timeout)
    results = args["OutputDataConfig"]["S3OutputPath"]
    properties = {
        **args,
        "TrainingJobName": name,
        "TrainingJobArn": ctx.arn("training-job", name.lower()),
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
    }
    return StepResult(properties, {**_outputs(ctx, results), "results": results}, result.seconds)


def _download_channels(ctx: StepContext, channels: list[dict[str, Any]]) -> None:
    for channel in channels:
        name = channel["ChannelName"]
        source = (channel.get("DataSource") or {}).get("S3DataSource")
        if not source or source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise unsupported(f"channel {name} does not read an S3 prefix")
        count = s3io.download(ctx.aws.s3, source["S3Uri"], ctx.local(f"/opt/ml/input/data/{name}"))
        ctx.note(f"channel {name}: {count} file(s) from {source['S3Uri']}")


def _unpack_workspace(ctx: StepContext, build: str) -> None:
    archive = ctx.local(f"/opt/ml/input/data/{build}/workspace.zip")
    if not archive.is_file():
        raise StepFailed(f"The step has no workspace (channel {build}/workspace.zip).")
    try:
        names = extract_zip(archive, ctx.root, label="workspace.zip")
    except UnsafeZipError as error:
        raise StepFailed(str(error)) from None
    if not all(n.startswith(f"{WORKSPACE_FOLDER}/") for n in names):
        raise StepFailed(f"The workspace.zip of the step has files outside {WORKSPACE_FOLDER}/.")
    ctx.note(f"workspace: {len(names)} file(s) unpacked")


def _runtime(ctx: StepContext) -> str:
    """The package of the SDK's function runtime the job driver runs (`python -m
    <package>.invoke_function`): sagemaker.remote_function in SDK 2.x, under
    sagemaker.core in 3.x."""
    driver = ctx.local(f"/opt/ml/input/data/sagemaker_remote_function_bootstrap/{JOB_DRIVER_NAME}")
    text = driver.read_text(errors="replace") if driver.is_file() else ""
    found = re.search(r"python -m ([A-Za-z_][\w.]*)\.invoke_function", text)
    if not found:
        raise StepFailed("The step's job driver does not run the SDK's invoke_function.")
    return found.group(1)


def _value_after(words: list[str], option: str) -> str:
    try:
        return words[words.index(option) + 1]
    except (ValueError, IndexError):
        raise StepFailed(f"The step's container arguments have no {option}.") from None


def _outputs(ctx: StepContext, results: str) -> dict[str, str]:
    """The output ports' S3 URIs the function's entry returned (results.json)."""
    uri = f"{results.rstrip('/')}/results.json"
    if not s3io.exists(ctx.aws.s3, uri):
        return {}
    try:
        returned = (s3io.read_json(ctx.aws.s3, uri) or {}).get("Result") or {}
    except LocalRunError:
        return {}
    outputs = returned.get("outputs") if isinstance(returned, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {
        str(port): value
        for port, value in outputs.items()
        if isinstance(value, str) and value.startswith("s3://")
    }
