"""StepBuilderBase: what every step builder shares (inputs, outputs, names, images)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from builders.compiling.sagemaker_env import offline_build, pipeline_session
from builders.compiling.sdk import backend
from builders.compiling.sdk.base import Backend
from builders.compiling.staging import CodeStager
from builders.configs.base import BasePipelineConfig
from builders.errors import UnresolvedInputError
from builders.registry import REGISTRY
from builders.step_types import StepType


def in_run_folder(prefix: str, *parts: str) -> Any:
    """`<prefix>/<execution id>/<parts...>` as a pipeline expression, resolved per run."""
    sdk = backend()
    return sdk.join([prefix, sdk.execution_id, *parts])


class StepBuilderBase(ABC):
    """Builds the step of one node. Inputs arrive as keyword arguments named after ports.

    The step type (by default the registered one of the config's class) gives the ports:
    its required inputs are checked before building. `sdk` builds the SageMaker objects
    with the installed SDK (builders/compiling/sdk/): a builder describes its job and never
    names SDK classes itself.
    """

    sdk: Backend

    def __init__(
        self,
        config: BasePipelineConfig,
        *,
        sagemaker_session: Any = None,
        role: str | None = None,
        node_name: str | None = None,
        stager: CodeStager | None = None,
        step_type: StepType | None = None,
    ):
        self.config = config
        self.sdk = backend()
        self.node_name = node_name or type(config).__name__.removesuffix("Config")
        self.session = sagemaker_session or pipeline_session(config.region, config.bucket)
        self.role = role or config.role
        self.stager = stager or CodeStager()
        self.step_type = step_type or REGISTRY.for_config(config, node=self.node_name).bound(
            config.model_dump()
        )

    def create_step(self, dependencies: list | None = None, **inputs: Any) -> Any:
        """The SageMaker step, running after `dependencies`, reading `inputs` (port -> value)."""
        for port in self.step_type.required_inputs:
            if inputs.get(port) is None:
                raise UnresolvedInputError(
                    f"Input '{port}' is required to build this step.",
                    node=self.node_name,
                    port=port,
                )
        with offline_build(self.config.region):
            return self.build(list(dependencies or []), inputs)

    @abstractmethod
    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        """Make the step; `inputs` holds every port value the template resolved."""

    @abstractmethod
    def output_properties(self, step: Any) -> dict[str, Any]:
        """Output port name -> the step property (a pipeline variable) that holds it."""

    def deploy_actions(self) -> list[Any]:
        """What deploy does for this step besides staging its code, before the pipeline is
        upserted (a Lambda function to create from the code folder); most steps need none."""
        return []

    def output_uri(self, port: str) -> Any:
        """Where an output of this node lives in S3: a folder per run, node and port.

        `<pipeline_s3_loc>/runs/<execution id>/<node>/<port>`: runs never overwrite each
        other's outputs, and what a registered model version points at stays where it was.
        """
        return in_run_folder(self.config.pipeline_s3_loc + "/runs", self.node_name, port)

    @property
    def base_job_name(self) -> str:
        """A job name prefix from the node name: the SDK would otherwise look one up in AWS."""
        return re.sub(r"[^A-Za-z0-9-]", "-", self.node_name)[:32].strip("-") or "step"

    def joined(self, *values: Any) -> Any:
        """The values joined with "/" when the pipeline runs (for step properties)."""
        return self.sdk.join(values)

    def image_uri(self, framework: str, version: str, **kwargs: Any) -> str:
        """The framework's image. The image is chosen when compiling: the SDK's lookup takes
        a pipeline parameter (an instance type) at its default value."""
        from builders.compiling.sagemaker_env import image_uri

        return image_uri(framework, self.config.region, version, node=self.node_name, **kwargs)
