"""What one step's expressions read during a run: parameters, execution variables, the
properties of finished steps (their own or, when cached or reused, an earlier run's) and
their property files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from builders.localrun.context import job_name
from builders.localrun.definition import StepSpec
from builders.localrun.errors import LocalRunError
from builders.localrun.expressions import walk
from builders.localrun.store import DONE_OK, now

if TYPE_CHECKING:
    from builders.localrun.runner import Execution


class RunScope:
    """The `Scope` (see expressions.py) of one step of a run."""

    def __init__(self, execution: Execution, step: StepSpec):
        self.execution = execution
        self.step = step

    def parameter(self, name: str) -> Any:
        values = self.execution.run.parameters
        if name not in values:
            raise LocalRunError(f"The definition has no parameter {name}.", node=self.step.name)
        return values[name]

    def execution_variable(self, name: str) -> Any:
        run = self.execution.run
        variables = {
            "PipelineExecutionId": run.execution_id,
            "PipelineExecutionArn": run.execution_arn,
            "PipelineName": run.pipeline_name,
            "PipelineArn": run.execution_arn.rsplit("/execution/", 1)[0],
            "StartDateTime": run.started,
            "CurrentDateTime": now(),
            "TrainingJobName": self._job_name(),
            "ProcessingJobName": self._job_name(),
        }
        if name not in variables:
            raise LocalRunError(
                f"Unknown execution variable Execution.{name}.", node=self.step.name
            )
        return variables[name]

    def _job_name(self) -> str:
        return job_name(self.execution.id, self.step.name)

    def step_property(self, step: str, path: list[str | int]) -> Any:
        record = self.execution.run.steps.get(step)
        if record is None or record.state not in DONE_OK:
            raise LocalRunError(
                f"Step {self.step.name} reads from step {step}, which has no results.",
                node=self.step.name,
            )
        return walk(record.properties, path, f"Step {step}'s properties")

    def json_file(self, step: str | None, property_file: str | None, s3_uri: str | None) -> Any:
        if s3_uri is None:
            s3_uri = self._property_file_uri(str(step), str(property_file))
        return self.execution.json_file(s3_uri)

    def _property_file_uri(self, step: str, name: str) -> str:
        declared = self.execution.spec.steps[step].property_files
        for item in declared:
            if item.get("PropertyFileName") == name:
                output = self.step_property(
                    step,
                    ["ProcessingOutputConfig", "Outputs", item["OutputName"], "S3Output", "S3Uri"],
                )
                return f"{str(output).rstrip('/')}/{item['FilePath']}"
        raise LocalRunError(f"Step {step} declares no property file {name}.", node=self.step.name)
