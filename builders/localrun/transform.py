"""Transform steps: score the input data with the model's inference code (serve.py) and write
`<input file>.out` for each input file under the output path, as batch transform does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builders.localrun import s3io
from builders.localrun.context import StepContext, StepFailed, StepResult, unsupported

SERVE = Path(__file__).with_name("serve.py")


def run_transform(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    container = _model_container(ctx, args.get("ModelName"))
    model_dir = ctx.local("/opt/ml/model")
    _unpack_model(ctx, container.get("ModelDataUrl"), model_dir)
    code_dir, program = _inference_code(ctx, container, model_dir)
    source = (args["TransformInput"].get("DataSource") or {}).get("S3DataSource") or {}
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise unsupported("its input is a manifest file")
    inputs = ctx.local("/opt/ml/transform/input")
    s3io.download(ctx.aws.s3, source["S3Uri"], inputs)
    outputs = ctx.local("/opt/ml/transform/output")
    files = []
    for path in sorted(p for p in inputs.rglob("*") if p.is_file()):
        target = outputs / f"{path.relative_to(inputs).as_posix()}.out"
        target.parent.mkdir(parents=True, exist_ok=True)
        files.append([str(path), str(target)])
    spec_path = ctx.folder / "transform.json"
    spec_path.write_text(json.dumps(_spec(args, model_dir, code_dir, program, container, files)))
    env = ctx.job_env(container.get("Environment") or {})
    result = ctx.run([ctx.python, str(SERVE), str(spec_path)], env)
    uri = args["TransformOutput"]["S3OutputPath"]
    count = s3io.upload(ctx.aws.s3, outputs, uri)
    ctx.note(f"{count} scored file(s) to {uri}")
    name = ctx.job_name()
    properties = {
        **args,
        "TransformJobName": name,
        "TransformJobArn": ctx.arn("transform-job", name.lower()),
        "TransformJobStatus": "Completed",
    }
    return StepResult(properties, {"output": uri}, result.seconds)


def _model_container(ctx: StepContext, model_name: Any) -> dict[str, Any]:
    """The model's container: from this run's model steps, else as the sandbox describes it."""
    from botocore.exceptions import ClientError

    model = ctx.models.get(str(model_name))
    if model is None:
        try:
            model = ctx.aws.sagemaker.describe_model(ModelName=str(model_name))
        except ClientError:
            raise StepFailed(
                f"There is no model {model_name}: neither a model step of this run nor the "
                "sandbox created it."
            ) from None
    container = model.get("PrimaryContainer") or (model.get("Containers") or [None])[0]
    if not container or len(model.get("Containers") or []) > 1:
        raise unsupported(f"model {model_name} is not one container")
    return container


def _unpack_model(ctx: StepContext, uri: str | None, model_dir: Path) -> None:
    if not uri:
        raise unsupported("its model has no ModelDataUrl")
    ctx.unpack(uri, model_dir)
    ctx.note(f"model from {uri}")


def _inference_code(ctx: StepContext, container: dict, model_dir: Path) -> tuple[str, str | None]:
    """(code folder, entry point or None for the container's default handlers)."""
    env = container.get("Environment") or {}
    program = env.get("SAGEMAKER_PROGRAM")
    submit = env.get("SAGEMAKER_SUBMIT_DIRECTORY") or "/opt/ml/model/code"
    if str(submit).startswith("s3://"):
        code = ctx.local("/opt/ml/code")
        ctx.unpack(submit, code)
    else:
        code = ctx.local(submit)
    if not program and (code / "inference.py").is_file() and "xgboost" not in _image(container):
        program = "inference.py"  # the PyTorch, TensorFlow and MXNet containers' default
    if not program and "xgboost" not in _image(container):
        raise unsupported(
            f"its model has no inference code (SAGEMAKER_PROGRAM) and the image "
            f"{_image(container)} has no default handler the local run knows",
        )
    return str(code), program


def _image(container: dict) -> str:
    return str(container.get("Image", ""))


def _spec(args, model_dir, code_dir, program, container, files) -> dict[str, Any]:
    transform_input = args["TransformInput"]
    processing = args.get("DataProcessing") or {}
    return {
        "model_dir": str(model_dir),
        "code_dir": code_dir,
        "program": program,
        "default": "xgboost" if "xgboost" in _image(container) else None,
        "files": files,
        "content_type": transform_input.get("ContentType", "text/csv"),
        "compression": transform_input.get("CompressionType"),
        "split_type": transform_input.get("SplitType"),
        "accept": args["TransformOutput"].get("Accept") or "text/csv",
        "assemble_with": args["TransformOutput"].get("AssembleWith"),
        "batch_strategy": args.get("BatchStrategy"),
        "max_payload_mb": args.get("MaxPayloadInMB"),
        "input_filter": processing.get("InputFilter"),
        "join_source": processing.get("JoinSource"),
        "output_filter": processing.get("OutputFilter"),
    }
