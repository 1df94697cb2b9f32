"""3.x's ProcessingStep and TransformStep, without their constructors' local-mode lookup.

sagemaker-mlops 1.27's ProcessingStep and TransformStep constructors build a
LocalSagemakerClient, and with it a LocalSession (a new boto3 session with S3 clients, the
SDK config files read), only to read the name of one of its methods for a check of
`step_args`. That costs ~250 ms per step and fails when the environment names no AWS region.
These subclasses make the same check against the same names (`run`, `transform`, and the
local client's `create_processing_job` and `create_transform_job`) and set what the SDK's
constructors set; everything else (arguments, properties, to_request) is the SDK's.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def step_classes() -> tuple[type, type]:
    """(ProcessingStep, TransformStep): made on first use, so that this module imports
    whichever SDK is installed."""
    from sagemaker.core.workflow.properties import Properties
    from sagemaker.core.workflow.utilities import validate_step_args_input
    from sagemaker.mlops.workflow import steps

    class ProcessingStep(steps.ProcessingStep):
        def __init__(
            self,
            name: str,
            step_args: Any,
            depends_on: list | None = None,
            property_files: list | None = None,
        ):
            steps.ConfigurableRetryStep.__init__(
                self, name, steps.StepTypeEnum.PROCESSING, None, None, depends_on, None
            )
            validate_step_args_input(
                step_args=step_args,
                expected_caller={"run", "create_processing_job"},
                error_message="The step_args of ProcessingStep must be obtained from "
                "processor.run()",
            )
            self.step_args = step_args
            self.property_files = property_files or []
            self.cache_config = None
            self._properties = Properties(
                step_name=name, step=self, shape_name="DescribeProcessingJobResponse"
            )

    class TransformStep(steps.TransformStep):
        """Also: an instance count that is a pipeline parameter. 3.27's TransformResources
        shape types `instance_count` as int (the Transformer's signature takes a pipeline
        variable too): the Transformer gets the parameter's default and the step's arguments
        the parameter itself."""

        def __init__(
            self,
            name: str,
            step_args: Any,
            depends_on: list | None = None,
            instance_count: Any = None,
        ):
            self._instance_count = instance_count
            steps.ConfigurableRetryStep.__init__(
                self, name, steps.StepTypeEnum.TRANSFORM, None, None, depends_on, None
            )
            validate_step_args_input(
                step_args=step_args,
                expected_caller={"transform", "create_transform_job"},
                error_message="The step_args of TransformStep must be obtained from "
                "transformer.transform().",
            )
            self.step_args = step_args
            self.cache_config = None
            self._properties = Properties(
                step_name=name, step=self, shape_name="DescribeTransformJobResponse"
            )

        @property
        def arguments(self) -> Any:
            request = super().arguments
            if self._instance_count is not None:
                request["TransformResources"]["InstanceCount"] = self._instance_count
            return request

    return ProcessingStep, TransformStep
