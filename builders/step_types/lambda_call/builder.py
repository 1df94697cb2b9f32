"""LambdaCallStepBuilder: the SDK's LambdaStep calling a function by ARN.

A handler of the code folder becomes a function of its own at deploy (`deployment.py`):
compiling names it by the ARN it will have (the role's account, the pipeline's region), so
the SDK's LambdaStep never creates it while writing the definition, which it would do
otherwise (`Lambda.upsert` in `LambdaStep.to_request`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from builders.compiling.port_values import s3_location
from builders.compiling.staging import reproducible_zip
from builders.compiling.steps.step_builder import StepBuilderBase
from builders.configs.code_source import (
    SourceProblem,
    find_function,
    local_folder,
    module_file,
)
from builders.errors import StepBuildError
from builders.step_types.lambda_call.config import LambdaCallConfig, handler_problem
from builders.step_types.lambda_call.deployment import LambdaDeployment
from builders.step_types.lambda_call.sdk import lambda_step

MAX_CODE_BYTES = 50 * 1024 * 1024  # what Lambda takes as a zip upload


class LambdaCallStepBuilder(StepBuilderBase):
    config: LambdaCallConfig

    def build(self, dependencies: list, inputs: dict[str, Any]) -> Any:
        config = self.config
        self._deployment = self._deploy() if config.deploys else None
        arn = self._deployment.arn if self._deployment else config.function_arn
        event = {
            **config.event_values,
            **{
                port: s3_location(inputs[port])
                for port in config.input_ports
                if inputs.get(port) is not None
            },
        }
        return lambda_step(
            self.sdk,
            self.node_name,
            arn,
            event,
            config.answer_types,
            session=self.session,
            depends_on=dependencies,
        )

    def output_properties(self, step: Any) -> dict[str, Any]:
        """Each output port: what is under its name in the function's answer (an S3 URI, or
        a number a condition compares)."""
        return {port.name: step.properties.Outputs[port.name] for port in self.step_type.outputs}

    def deploy_actions(self) -> list[Any]:
        return [self._deployment] if self._deployment else []

    def _deploy(self) -> LambdaDeployment:
        """The function deploy creates from the handler's folder."""
        config = self.config
        self._check_handler()
        files = self.stager.files(config.source_dir, node=self.node_name, field="source_dir")
        module = config.handler_module.replace(".", "/") + ".py"
        if module not in files:
            raise StepBuildError(
                f"{module} is left out of the code folder by its .gitignore (or is not there): "
                "Lambda could not import the handler.",
                node=self.node_name,
                field="handler",
            )
        code = reproducible_zip(files)
        if len(code) > MAX_CODE_BYTES:
            raise StepBuildError(
                f"The code folder zips to {len(code) // 2**20} MB; a Lambda function's zip "
                f"takes at most {MAX_CODE_BYTES // 2**20} MB. Keep only the handler's code in it.",
                node=self.node_name,
                field="source_dir",
            )
        # Staged too: the zip deploy hands the SDK's helper is on record with the pipeline's
        # code, and deploy's preflight checks the bucket the helper uploads it to.
        self.stager.generated({"lambda.zip": code}, config.pipeline_s3_loc)
        name = config.function_name or self._function_name()
        partition, account = re.match(r"arn:([^:]+):iam::(\d{12}):", self.role).groups()
        return LambdaDeployment(
            function_name=name,
            arn=f"arn:{partition}:lambda:{config.region}:{account}:function:{name}",
            role=self.role,
            handler=config.handler.replace("/", "."),
            runtime=config.runtime,
            timeout=config.timeout_seconds,
            memory=config.memory_mb,
            environment=dict(config.environment),
            bucket=config.bucket,
            code=code,
        )

    def _function_name(self) -> str:
        """<pipeline name>-<node>, cut to Lambda's 64 characters with a digest if longer."""
        name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{self.config.pipeline_name}-{self.node_name}")
        if len(name) <= 64:
            return name
        return f"{name[:55]}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"

    def _check_handler(self) -> None:
        config = self.config
        folder = local_folder(str(self.stager.base_dir / Path(config.source_dir).expanduser()))
        if folder is None:
            return  # reading the folder says why it cannot be read
        try:
            signature = find_function(
                module_file(folder, config.handler_module), config.handler_function, "handler"
            )
        except SourceProblem as problem:
            raise StepBuildError(str(problem), node=self.node_name, field="handler") from None
        problem = handler_problem(signature)
        if problem:
            raise StepBuildError(problem, node=self.node_name, field="handler")
