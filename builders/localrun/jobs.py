"""Processing and training steps: the job's script in a subprocess, in the container's layout.

Inputs come from S3 into the folders the definition names; outputs go back to exactly the S3
URIs it names. A training job's /opt/ml/model is packed into
`<S3OutputPath>/<job name>/output/model.tar.gz`, and its /opt/ml/output/data into
`output.tar.gz` beside it, as SageMaker does. A training job runs either the training
toolkit's script mode (SDK 2's estimators: `sagemaker_program`) or the container entry point
the definition gives (SDK 3's ModelTrainer: container_entry.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

from builders.localrun import s3io
from builders.localrun.container_entry import entry_point_command
from builders.localrun.context import StepContext, StepResult, unsupported

PROCESSING_LOCAL_ROOT = "/opt/ml/processing/"


# -- processing ---------------------------------------------------------------------------
def run_processing(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    name = ctx.job_name()
    for item in args.get("ProcessingInputs") or []:
        _download_processing_input(ctx, item)
    outputs = _processing_outputs(ctx, args)
    for folder in outputs.values():
        folder.mkdir(parents=True, exist_ok=True)
    job_config = {**args, "ProcessingJobName": name}
    _write_json(ctx.local("/opt/ml/config/processingjobconfig.json"), job_config)
    _write_json(ctx.local("/opt/ml/config/resourceconfig.json"), _resource_config())
    app = args.get("AppSpecification") or {}
    command = ctx.command(
        [*(app.get("ContainerEntrypoint") or []), *(app.get("ContainerArguments") or [])]
    )
    timeout = (args.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    result = ctx.run(command, ctx.job_env(args.get("Environment")), timeout)
    uris = {}
    for output_name, folder in outputs.items():
        uri = _output_uri(args, output_name)
        count = s3io.upload(ctx.aws.s3, folder, uri)
        ctx.note(f"output {output_name}: {count} file(s) to {uri}")
        uris[output_name] = uri
    properties = {
        **args,
        "ProcessingJobName": name,
        "ProcessingJobArn": ctx.arn("processing-job", name.lower()),
        "ProcessingJobStatus": "Completed",
    }
    return StepResult(properties, uris, result.seconds)


def _download_processing_input(ctx: StepContext, item: dict[str, Any]) -> None:
    source = item.get("S3Input")
    if not source:
        raise unsupported(f"input {item.get('InputName')} is not an S3 input")
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise unsupported(f"input {item.get('InputName')} is a manifest file")
    if source.get("S3InputMode") == "Pipe":
        raise unsupported(f"input {item.get('InputName')} uses Pipe mode")
    local = _processing_path(ctx, source.get("LocalPath", ""))
    count = s3io.download(ctx.aws.s3, source["S3Uri"], local)
    ctx.note(f"input {item.get('InputName')}: {count} file(s) from {source['S3Uri']}")


def _processing_outputs(ctx: StepContext, args: dict[str, Any]) -> dict[str, Path]:
    folders = {}
    for output in (args.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        if "S3Output" not in output:
            raise unsupported(f"output {output.get('OutputName')} is not an S3 output")
        folders[output["OutputName"]] = _processing_path(ctx, output["S3Output"]["LocalPath"])
    return folders


def _output_uri(args: dict[str, Any], output_name: str) -> str:
    for output in args["ProcessingOutputConfig"]["Outputs"]:
        if output["OutputName"] == output_name:
            return output["S3Output"]["S3Uri"]
    raise KeyError(output_name)


def _processing_path(ctx: StepContext, local_path: str) -> Path:
    if not local_path.startswith(PROCESSING_LOCAL_ROOT):
        raise unsupported(f"the local path {local_path} is outside /opt/ml/processing")
    return ctx.local(local_path)


# -- training -----------------------------------------------------------------------------
def run_training(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    name = ctx.job_name()
    algorithm = args.get("AlgorithmSpecification") or {}
    if algorithm.get("TrainingInputMode", "File") == "Pipe":
        raise unsupported("its input mode is Pipe")
    hyperparameters = {k: _decode(v) for k, v in (args.get("HyperParameters") or {}).items()}
    program = hyperparameters.get("sagemaker_program")
    own_entry_point = bool(algorithm.get("ContainerEntrypoint"))  # SDK 3's ModelTrainer
    if not (program or own_entry_point):
        image = algorithm.get("TrainingImage") or algorithm.get("AlgorithmName")
        raise unsupported(f"it runs the built-in algorithm of {image}, not a script")
    channels = _download_channels(ctx, args.get("InputDataConfig") or [])
    _write_training_config(ctx, args, channels)
    for folder in ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/output/intermediate"):
        ctx.local(folder).mkdir(parents=True, exist_ok=True)
    timeout = (args.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    if own_entry_point:
        with entry_point_command(ctx, args, name) as (command, env):
            result = ctx.run(command, env, timeout)
    else:
        command, env = _script_mode(ctx, args, name, hyperparameters, channels)
        result = ctx.run(command, env, timeout)
    prefix = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{name}/output"
    model_uri = f"{prefix}/model.tar.gz"
    _upload_packed(ctx, ctx.local("/opt/ml/model"), model_uri)
    outputs = {"model": model_uri}
    if any(ctx.local("/opt/ml/output/data").iterdir()):
        outputs["output"] = f"{prefix}/output.tar.gz"
        _upload_packed(ctx, ctx.local("/opt/ml/output/data"), outputs["output"])
    properties = {
        **args,
        "TrainingJobName": name,
        "TrainingJobArn": ctx.arn("training-job", name.lower()),
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "ModelArtifacts": {"S3ModelArtifacts": model_uri},
        "FinalMetricDataList": _final_metrics(ctx, algorithm.get("MetricDefinitions") or []),
    }
    return StepResult(properties, outputs, result.seconds)


def _script_mode(
    ctx: StepContext,
    args: dict[str, Any],
    name: str,
    hyperparameters: dict[str, Any],
    channels: dict[str, Any],
) -> tuple[list[str], dict[str, str]]:
    """SDK 2's framework estimators: the training toolkit runs `sagemaker_program` of the
    code at `sagemaker_submit_directory`, with the other hyperparameters as arguments."""
    program = hyperparameters["sagemaker_program"]
    code = ctx.local("/opt/ml/code")
    _download_code(ctx, hyperparameters.get("sagemaker_submit_directory"), code)
    user = {k: v for k, v in hyperparameters.items() if not k.startswith("sagemaker_")}
    env = ctx.job_env(
        {**_sm_environment(ctx, name, program, channels, user), **(args.get("Environment") or {})}
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return [*_program_command(ctx, code / program), *_command_arguments(user)], env


def _decode(value: Any) -> Any:
    """A hyperparameter as the job sees it: the SDK JSON-encodes each value as a string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _download_channels(ctx: StepContext, channels: list[dict[str, Any]]) -> dict[str, Any]:
    described = {}
    for channel in channels:
        name = channel["ChannelName"]
        source = (channel.get("DataSource") or {}).get("S3DataSource")
        if not source:
            raise unsupported(f"channel {name} does not read from S3")
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise unsupported(f"channel {name} reads a manifest file")
        local = ctx.local(f"/opt/ml/input/data/{name}")
        count = s3io.download(ctx.aws.s3, source["S3Uri"], local)
        ctx.note(f"channel {name}: {count} file(s) from {source['S3Uri']}")
        described[name] = {
            "ContentType": channel.get("ContentType", ""),
            "TrainingInputMode": "File",
            "S3DistributionType": source.get("S3DataDistributionType", "FullyReplicated"),
            "RecordWrapperType": channel.get("RecordWrapperType", "None"),
        }
    return described


def _download_code(ctx: StepContext, submit_directory: Any, code: Path) -> None:
    if not submit_directory:
        raise unsupported("its script is inside the training image")
    uri = str(submit_directory)
    if uri.endswith(".tar.gz"):
        ctx.unpack(uri, code)
    else:
        s3io.download(ctx.aws.s3, uri, code)
    if (code / "requirements.txt").is_file():
        ctx.note("requirements.txt is not installed locally: the job uses this Python's packages")


def _write_training_config(ctx: StepContext, args: dict[str, Any], channels: dict) -> None:
    config = "/opt/ml/input/config"
    # SageMaker writes each hyperparameter as a string, as the definition holds them.
    hyperparameters = {k: str(v) for k, v in (args.get("HyperParameters") or {}).items()}
    _write_json(ctx.local(f"{config}/hyperparameters.json"), hyperparameters)
    _write_json(ctx.local(f"{config}/inputdataconfig.json"), channels)
    instance_type = (args.get("ResourceConfig") or {}).get("InstanceType")
    _write_json(ctx.local(f"{config}/resourceconfig.json"), _resource_config(instance_type))


def _sm_environment(
    ctx: StepContext, name: str, program: str, channels: dict[str, Any], user: dict[str, Any]
) -> dict[str, str]:
    """The SM_* variables the SageMaker training toolkit gives a script."""
    local = ctx.local
    env = {
        "SM_MODEL_DIR": str(local("/opt/ml/model")),
        "SM_INPUT_DIR": str(local("/opt/ml/input")),
        "SM_INPUT_CONFIG_DIR": str(local("/opt/ml/input/config")),
        "SM_OUTPUT_DIR": str(local("/opt/ml/output")),
        "SM_OUTPUT_DATA_DIR": str(local("/opt/ml/output/data")),
        "SM_OUTPUT_INTERMEDIATE_DIR": str(local("/opt/ml/output/intermediate")),
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_HPS": json.dumps(user),
        "SM_USER_ARGS": json.dumps(_command_arguments(user)),
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_CURRENT_HOST": "algo-1",
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_NUM_GPUS": "0",
        "SM_USER_ENTRY_POINT": program,
        "SM_MODULE_NAME": re.sub(r"\.py$", "", program),
        "SM_MODULE_DIR": str(local("/opt/ml/code")),
        "SM_LOG_LEVEL": "20",
        "SM_NETWORK_INTERFACE_NAME": "eth0",
        "SM_INPUT_DATA_CONFIG": json.dumps(channels),
        "SM_RESOURCE_CONFIG": json.dumps(_resource_config()),
        "TRAINING_JOB_NAME": name,
    }
    for channel in channels:
        env[f"SM_CHANNEL_{channel.upper()}"] = str(local(f"/opt/ml/input/data/{channel}"))
    for key, value in user.items():
        env[f"SM_HP_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def _command_arguments(hyperparameters: dict[str, Any]) -> list[str]:
    """`--name value` for each hyperparameter, in name order, as the toolkit passes them."""
    words = []
    for key in sorted(hyperparameters):
        value = hyperparameters[key]
        words += [f"--{key}", value if isinstance(value, str) else json.dumps(value)]
    return words


def _program_command(ctx: StepContext, program: Path) -> list[str]:
    if program.suffix == ".py":
        return [ctx.python, str(program)]
    if program.suffix == ".sh":
        return ["/bin/sh", str(program)]
    raise unsupported(f"its entry point {program.name} is neither a .py nor a .sh file")


def _upload_packed(ctx: StepContext, folder: Path, uri: str) -> None:
    archive = folder.parent / f"{folder.name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    s3io.upload_file(ctx.aws.s3, archive, uri)
    ctx.note(f"packed {folder} to {uri}")


def _final_metrics(ctx: StepContext, definitions: list[dict[str, Any]]) -> list[dict]:
    """The last value each metric definition's regex finds in the job's log."""
    if not definitions:
        return []
    ctx.log.flush()
    text = ctx.log_path.read_text(errors="replace")[-10 * 1024 * 1024 :]
    metrics = []
    for definition in definitions:
        found = re.findall(definition["Regex"], text)
        if found:
            value = found[-1][0] if isinstance(found[-1], tuple) else found[-1]
            try:
                metrics.append({"MetricName": definition["Name"], "Value": float(value)})
            except ValueError:
                ctx.note(f"metric {definition['Name']}: '{value}' is not a number")
    return metrics


# -- shared -------------------------------------------------------------------------------
def _resource_config(instance_type: str | None = None) -> dict[str, Any]:
    config = {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}
    if instance_type:
        config["current_instance_type"] = instance_type  # SDK 3's drivers read it
    return config


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


def remove_inputs(root: Path) -> None:
    """Drop a finished job's downloaded inputs and code (copies of S3); keep its outputs."""
    inputs = ("processing/input", "input/data", "code", "transform/input")
    for folder in (f"opt/ml/{name}" for name in inputs):
        shutil.rmtree(root / folder, ignore_errors=True)


def remove_job_folders(step_folder: Path) -> None:
    """Drop everything a failed job left on disk (its container, home and temporary
    folders); its log and state stay."""
    for name in ("container", "home", "tmp"):
        shutil.rmtree(step_folder / name, ignore_errors=True)
