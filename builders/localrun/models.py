"""Model and RegisterModel steps: record the model and the model package in the sandbox.

A model step checks that its model data is in S3 and creates the model in the sandbox
(CreateModel); the run store keeps it for the transform steps. A registration creates a
model package version in the sandbox's registry (CreateModelPackage), creating the group the
first time, and the step's properties are the described package (ModelPackageArn, ...).
"""

from __future__ import annotations

import datetime
from typing import Any

from builders.localrun import s3io
from builders.localrun.context import StepContext, StepFailed, StepResult, failure_kind


def run_create_model(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    name = ctx.job_name()
    containers = [args["PrimaryContainer"]] if args.get("PrimaryContainer") else []
    for container in containers + list(args.get("Containers") or []):
        data = container.get("ModelDataUrl")
        if data and not s3io.exists(ctx.aws.s3, data):
            raise StepFailed(f"The model data {data} is not in S3: nothing to create a model from.")
    response = _call(ctx, "create_model", {**args, "ModelName": name})
    ctx.note(f"created model {name} ({response['ModelArn']})")
    properties = {**args, "ModelName": name, "ModelArn": response["ModelArn"]}
    return StepResult(properties, {"model": name})


def run_register_model(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    group = args.get("ModelPackageGroupName")
    if group:
        _ensure_group(ctx, group)
    arn = _call(ctx, "create_model_package", args)["ModelPackageArn"]
    described = ctx.aws.sagemaker.describe_model_package(ModelPackageName=arn)
    described.pop("ResponseMetadata", None)
    ctx.note(f"registered model package {arn}")
    properties = {**args, **_plain(described)}
    return StepResult(properties, {"model_package": arn})


def _ensure_group(ctx: StepContext, group: str) -> None:
    from botocore.exceptions import ClientError

    try:
        ctx.aws.sagemaker.describe_model_package_group(ModelPackageGroupName=group)
    except ClientError:
        _call(ctx, "create_model_package_group", {"ModelPackageGroupName": group})
        ctx.note(f"created model package group {group}")


def _call(ctx: StepContext, operation: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A SageMaker call on the sandbox with the arguments its API takes (the definition may
    hold keys the API does not, such as the SDK's own)."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = ctx.aws.sagemaker
    api_name = client.meta.method_to_api_mapping[operation]
    shape = client.meta.service_model.operation_model(api_name).input_shape
    accepted = {key: value for key, value in arguments.items() if key in shape.members}
    try:
        return getattr(client, operation)(**accepted)
    except (ClientError, BotoCoreError) as error:
        raise StepFailed(f"The sandbox refused {operation}: {error}", failure_kind(error)) from None


def _plain(value: Any) -> Any:
    """A described resource as JSON: times as ISO text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value
