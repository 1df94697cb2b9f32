"""A Lambda function created (or updated) from the code folder at deploy, with the SDK's
Lambda helper (`lambda_helper.Lambda` of the installed SDK), before the pipeline that calls it.

The helper uploads the zip to `s3://<bucket>/lambda/<function>/code` and creates the
function, or on a second deploy updates its code; the function's settings (handler, runtime,
timeout, memory, environment, role) are then brought up to date too, which the helper does
not do. In the local sandbox the role is the sandbox account's role of the same name
(created if needed: Lambda refuses a role it cannot find), and the function is tagged with
where its code is, which is how the local runner finds the handler to run.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.errors import DeployError

CODE_TAG = "sagemaker-pipeline-designer:code"  # the S3 URI of the function's zip (sandbox)
STAGE = "lambda functions"
_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@dataclass(frozen=True)
class LambdaDeployment:
    """One function to create or update; deploy calls it with the target and its clients."""

    function_name: str
    arn: str  # as the pipeline's definition names it
    role: str
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str]
    bucket: str
    code: bytes = field(repr=False)  # the zip

    stage = STAGE

    @property
    def code_uri(self) -> str:
        """Where the SDK's helper uploads the zip."""
        return f"s3://{self.bucket}/lambda/{self.function_name}/code"

    def __call__(self, target: Any, client: Callable[[str], Any], say: Callable) -> None:
        from boto3.exceptions import S3UploadFailedError

        from builders.compiling.sagemaker_env import quiet_sdk, sdk
        from builders.step_types.lambda_call.sdk import CLASSES

        backend = sdk()
        Lambda, Session = backend.classes(CLASSES).Lambda, backend.session_helpers().Session

        lambdas = client("lambda")
        sandbox = target.kind == "sandbox"
        role = _sandbox_role(client("iam"), client("sts"), self.role) if sandbox else self.role
        with quiet_sdk():
            session = Session(boto_session=target.session(), sagemaker_client=client("sagemaker"))
        session.lambda_client, session.s3_client = lambdas, client("s3")
        with tempfile.TemporaryDirectory() as folder:
            archive = Path(folder) / "code.zip"
            archive.write_bytes(self.code)
            helper = Lambda(
                function_name=self.function_name,
                execution_role_arn=role,
                zipped_code_dir=str(archive),
                s3_bucket=self.bucket,
                handler=self.handler,
                session=session,
                timeout=self.timeout,
                memory_size=self.memory,
                runtime=self.runtime,
                environment={"Variables": self.environment},
            )
            try:
                answer, existed = _upsert(helper)
            except (ValueError, S3UploadFailedError) as error:  # how the helper reports them
                raise DeployError(
                    f"Lambda refused the function {self.function_name}: {error}", stage=STAGE
                ) from None
        if existed:
            self._configure(lambdas, role)
        if sandbox:
            lambdas.tag_resource(Resource=answer["FunctionArn"], Tags={CODE_TAG: self.code_uri})
        say(STAGE, f"{self.function_name}: {self.handler} from the code folder ({self.runtime}).")

    def _configure(self, lambdas: Any, role: str) -> None:
        """Settings of a function that existed: the helper updated only its code."""
        lambdas.get_waiter("function_updated_v2").wait(
            FunctionName=self.function_name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        lambdas.update_function_configuration(
            FunctionName=self.function_name,
            Role=role,
            Handler=self.handler,
            Runtime=self.runtime,
            Timeout=self.timeout,
            MemorySize=self.memory,
            Environment={"Variables": self.environment},
        )


def _upsert(helper: Any) -> tuple[dict, bool]:
    """(Lambda's answer, whether the function existed): the helper's upsert, told apart."""
    try:
        return helper.create(), False
    except ValueError as error:
        if "ResourceConflictException" not in str(error):
            raise
    return helper.update(), True


def _sandbox_role(iam: Any, sts: Any, role: str) -> str:
    """The sandbox account's role named like `role`, created when missing."""
    name = role.rsplit("/", 1)[-1]
    account = sts.get_caller_identity()["Account"]
    try:
        iam.get_role(RoleName=name)
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_ASSUME))
    return f"arn:aws:iam::{account}:role/{name}"
