"""Re-run from a step: run chosen steps and every step after them again, and reuse the rest
of an earlier execution's results.

On AWS this is SageMaker's selective execution: StartPipelineExecution with a
SelectiveExecutionConfig naming the source execution and the steps to run. SageMaker runs
exactly the steps named, so the steps after the chosen ones are named too, read from the
definition the source execution ran (DescribePipelineDefinitionForExecution). The sandbox
does the same with its own runner (builders.localrun.LocalRunner.rerun_from).
"""

from __future__ import annotations

import json
from typing import Any

from builders.deploying.deploy import STATUS_TIMEOUT, Deadline, Target, _answer, _stage
from builders.errors import DeployError

FINISHED = {"Succeeded", "Failed", "Stopped"}  # what SageMaker can re-run from


def steps_to_rerun(definition: str | dict[str, Any], chosen: list[str]) -> list[str]:
    """`chosen` and every step that depends on them, in dependency order."""
    from builders.localrun.definition import DefinitionError, parse_definition

    try:
        spec = parse_definition(definition)
    except DefinitionError as error:
        message = f"The execution's definition cannot be read: {error.message}"
        raise DeployError(message, stage="start") from None
    unknown = sorted(set(chosen) - set(spec.steps))
    if unknown or not chosen:
        raise DeployError(
            f"Choose steps of the pipeline to re-run from (unknown: {', '.join(unknown)}).",
            stage="start",
        )
    selected = spec.downstream(set(chosen))
    return [name for name in spec.steps if name in selected]


def rerun_from(
    target: Target,
    pipeline_name: str,
    execution_arn: str,
    chosen: list[str],
    timeout: float = STATUS_TIMEOUT,
) -> str:
    """Start the re-run; returns its execution ARN. The source must have ended."""
    if target.kind == "sandbox":
        return _sandbox_rerun(target, execution_arn, chosen)
    deadline = Deadline(timeout, stage="start")
    return _stage(
        "start",
        target,
        deadline,
        lambda: _selective(target, pipeline_name, execution_arn, chosen, deadline),
    )


def _selective(target, pipeline_name, execution_arn, chosen, deadline) -> str:
    sagemaker = target.client("sagemaker", None, deadline)
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
    status = _answer(described, "PipelineExecutionStatus", "DescribePipelineExecution")
    if status not in FINISHED:
        raise DeployError(
            f"Execution {execution_arn} is {status}: re-run from it once it has ended.",
            stage="start",
        )
    answer = sagemaker.describe_pipeline_definition_for_execution(
        PipelineExecutionArn=execution_arn
    )
    definition = json.loads(
        _answer(answer, "PipelineDefinition", "DescribePipelineDefinitionForExecution")
    )
    selected = steps_to_rerun(definition, chosen)
    started = sagemaker.start_pipeline_execution(
        PipelineName=pipeline_name,
        SelectiveExecutionConfig={
            "SourcePipelineExecutionArn": execution_arn,
            "SelectedSteps": [{"StepName": name} for name in selected],
        },
    )
    return _answer(started, "PipelineExecutionArn", "StartPipelineExecution")


def _sandbox_rerun(target: Target, execution_arn: str, chosen: list[str]) -> str:
    from builders.localrun import LocalRunError

    try:
        execution = target.runner().rerun_from(execution_arn.rsplit("/", 1)[-1], chosen)
    except LocalRunError as error:
        raise DeployError(error.message, stage="start") from None
    return execution.run.execution_arn
