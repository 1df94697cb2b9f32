"""PythonFunctionStepBuilder: the SDK's function step (`@step`) running a function of yours.

The step's job is a training job: each input port is a channel (so any upstream output,
whatever expression holds its URI, arrives as a folder), the workspace holds your code folder
and the entry module, and the SDK's bootstrap installs the requirements before
`sm_function_step.run` calls your function. Later steps read each output port from the
step's results.json (the SDK's DelayedReturn), so a reused or cached run's outputs are the
ones they read.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from builders.compiling.port_values import s3_location
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.configs.code_source import (
    SourceProblem,
    find_function,
    local_folder,
    module_file,
)
from builders.errors import StepBuildError
from builders.step_types.python_function.config import PythonFunctionConfig
from builders.step_types.python_function.function_step import (
    ENTRY_MODULE,
    EXECUTION_ID,
    Reference,
    entry_module_source,
    entry_reference,
)
from builders.step_types.python_function.sdk import base_python_image, function_step
from builders.step_types.python_function.staged_step import Shipment

CHANNELS = "/opt/ml/input/data"


class PythonFunctionStepBuilder(StepBuilderBase):
    config: PythonFunctionConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        self._check_function()
        kwargs = {
            "function": Reference(config.module, config.function_name),
            "arguments": config.argument_values,
            "inputs": {port: f"{CHANNELS}/{port}" for port in config.input_ports},
            "outputs": list(config.output_ports),
            "output_prefix": f"{config.pipeline_s3_loc}/runs",
            "node": self.node_name,
            EXECUTION_ID: self.sdk.execution_id,
        }
        self._returned = function_step(
            self.sdk,
            self.node_name,
            entry_reference(),
            kwargs,
            self._shipment(inputs),
            dependencies,
            display_name=config.function,
            description=f"{config.module}.{config.function_name} from the code folder",
            image_uri=config.image_uri or self._base_image(),
            instance_type=config.instance_type,
            role=self.role,
            environment_variables=dict(config.environment) or None,
            max_runtime_in_seconds=config.max_runtime_seconds,
            volume_size=config.volume_size,
            job_name_prefix=self.base_job_name,
        )
        return self._returned._step

    def output_properties(self, step: Any) -> dict[str, Any]:
        """Each output's S3 URI, read from the step's results.json when the pipeline runs."""
        return {port: self._returned["outputs"][port] for port in self.config.output_ports}

    def _shipment(self, inputs: dict[str, Any]) -> Shipment:
        config = self.config
        files = self.stager.files(config.source_dir, node=self.node_name, field="source_dir")
        entry = f"{ENTRY_MODULE}.py"
        if entry in files:
            raise StepBuildError(
                f"The code folder has a file named {entry}, the name of the step's own entry "
                "module. Rename your file.",
                node=self.node_name,
                field="source_dir",
            )
        module = config.function.split(":", 1)[0]
        if module not in files:
            raise StepBuildError(
                f"{module} is left out of the code folder by its .gitignore (or is not there): "
                "the job could not import it.",
                node=self.node_name,
                field="function",
            )
        requirements = ("", b"")
        if config.requirements:
            if config.requirements not in files:
                raise StepBuildError(
                    f"{config.requirements} is not in the code folder {config.source_dir} "
                    "(or its .gitignore leaves it out).",
                    node=self.node_name,
                    field="requirements",
                )
            requirements = (posixpath.basename(config.requirements), files[config.requirements])
        return Shipment(
            stager=self.stager,
            s3_loc=config.pipeline_s3_loc,
            s3_root=f"{config.pipeline_s3_loc}/functions",
            workspace={**files, entry: entry_module_source()},
            requirements=requirements,
            python_version=config.python_version,
            input_channels={
                port: s3_location(inputs[port])
                for port in config.input_ports
                if inputs.get(port) is not None
            },
        )

    def _check_function(self) -> None:
        """The function is there (the config checked it if it found the folder; the folder
        is resolved against the compile's base folder only now)."""
        config = self.config
        folder = local_folder(str(self.stager.base_dir / Path(config.source_dir).expanduser()))
        if folder is None:
            return  # staging the folder says why it cannot be read
        try:
            find_function(module_file(folder, config.module), config.function_name, "function")
        except SourceProblem as problem:
            raise StepBuildError(str(problem), node=self.node_name, field=problem.field) from None

    def _base_image(self) -> str:
        try:
            return base_python_image(self.sdk, self.config.region, self.config.python_version)
        except (ValueError, KeyError) as error:
            raise StepBuildError(
                f"No SageMaker base Python {self.config.python_version} image in "
                f"{self.config.region}: {error}. Give your image_uri.",
                node=self.node_name,
                field="python_version",
            ) from None
