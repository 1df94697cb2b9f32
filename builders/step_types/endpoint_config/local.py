"""The sandbox's EndpointConfig step: the configuration created in the sandbox's SageMaker,
which refuses a model no step created (as SageMaker does)."""

from __future__ import annotations

from typing import Any

from builders.localrun.context import StepContext, StepResult
from builders.localrun.definition import StepSpec
from builders.localrun.models import _call, _plain


def run_endpoint_config(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    name = str(args["EndpointConfigName"])
    response = _call(ctx, "create_endpoint_config", args)
    described = ctx.aws.sagemaker.describe_endpoint_config(EndpointConfigName=name)
    described.pop("ResponseMetadata", None)
    ctx.note(f"created endpoint configuration {name} ({response['EndpointConfigArn']})")
    return StepResult({**args, **_plain(described)}, {"endpoint_config": name})


def executor_for(step: StepSpec) -> Any:
    """The step type's `local_run` hook: this module runs the definition's EndpointConfig steps."""
    return run_endpoint_config if step.type == "EndpointConfig" else None
