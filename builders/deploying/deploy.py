"""Deploy a compiled pipeline: preflight, stage code, upsert, start; then follow executions.

The definition deployed is the one compiled offline (and previewed), sent with boto3:
CreatePipeline, or UpdatePipeline (and its tags) when the pipeline exists, as the SDK's
`upsert` does. Every AWS failure becomes a DeployError naming the stage, the endpoint and what
to do; a deploy never changes the design.

In the local sandbox a started execution really runs: the local runner (builders.localrun)
executes every step against the sandbox's S3, and the status comes from its run store.

A deploy never hangs: every call has connect and read timeouts and a few attempts, and the
whole deploy a deadline (`timeout`, builders.deploying.deadline) that also ends a read in
flight, so an endpoint that never answers, or answers a byte at a time, costs the deadline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from builders.compiling.compile import CompiledPipeline
from builders.configs.types import ROLE_ARN_PATTERN
from builders.deploying.deadline import Deadline, not_aws
from builders.deploying.sandbox import sandbox
from builders.errors import DeployError

Progress = Callable[[str, str], None]  # (stage, what happened)
ROLE_ARN = re.compile(ROLE_ARN_PATTERN)  # a backstop: the settings validate it already
DEFINITION_LIMIT = 1_000_000  # bytes CreatePipeline takes inline; larger goes through S3
RUNNING = {"Executing", "Stopping"}
DEFAULT_TIMEOUT = 180.0  # seconds for a whole deploy
STATUS_TIMEOUT = 5.0  # seconds for reading executions: pages refresh with it
CONNECT_TIMEOUT, READ_TIMEOUT = 5.0, 20.0  # per attempt
ATTEMPTS = {"aws": 3, "sandbox": 2}  # throttling and dropped connections: standard backoff


@dataclass(frozen=True)
class Target:
    """Where to deploy: the local sandbox, or AWS with the standard credential chain."""

    kind: Literal["sandbox", "aws"]
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    runs: Path | None = None  # the sandbox's run store (default: the workspace's runs folder)

    @classmethod
    def local_sandbox(cls, region: str) -> Target:
        try:
            return cls("sandbox", region, endpoint_url=sandbox().endpoint_url)
        except OSError as error:
            raise DeployError(
                f"The local sandbox did not start ({error}). Restart and try again.",
                stage="preflight",
            ) from None

    @classmethod
    def of(cls, kind: str | None, region: str, profile: str | None = None) -> Target:
        """A target of `kind`; without one, AWS when credentials are found, else the sandbox."""
        kind = kind or ("aws" if credentials_available(profile) else "sandbox")
        return cls("aws", region, profile=profile) if kind == "aws" else cls.local_sandbox(region)

    def session(self) -> Any:
        import boto3

        if self.kind == "sandbox":
            from builders.localrun.runner import SANDBOX_CREDENTIALS

            return boto3.Session(region_name=self.region, **SANDBOX_CREDENTIALS)
        return boto3.Session(region_name=self.region, profile_name=self.profile)

    def client(self, service: str, session: Any = None, deadline: Deadline | None = None) -> Any:
        """A client whose calls are bounded: timeouts, attempts and the deadline."""
        from botocore.config import Config

        deadline = deadline or Deadline(DEFAULT_TIMEOUT)
        budget = max(1.0, deadline.remaining())
        config = Config(
            retries={"max_attempts": ATTEMPTS[self.kind], "mode": "standard"},
            connect_timeout=min(CONNECT_TIMEOUT, budget),
            read_timeout=min(READ_TIMEOUT, budget),
        )
        client = (session or self.session()).client(
            service, endpoint_url=self.endpoint_url, config=config
        )
        return deadline.watch(client, client.meta.endpoint_url)

    @property
    def endpoint(self) -> str:
        """Where requests go, for messages: an explicit endpoint, or AWS in the region."""
        configured = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        return configured or f"the AWS endpoints of {self.region}"

    def runner(self) -> Any:
        """The sandbox's local runner (the same one for every call of this process)."""
        from builders.localrun.sandbox_runs import runs_folder, sandbox_runner

        return sandbox_runner(self.endpoint_url, self.region, self.runs or runs_folder())

    def run_store(self) -> Any:
        """The sandbox's runs, readable with the sandbox stopped (after an app restart)."""
        from builders.localrun import RunStore
        from builders.localrun.sandbox_runs import runs_folder

        return RunStore(self.runs or runs_folder())

    @property
    def label(self) -> str:
        if self.kind == "sandbox":
            return f"local sandbox ({self.endpoint_url})"
        return f"AWS {self.region}" + (f", profile {self.profile}" if self.profile else "")


def credentials_available(profile: str | None = None) -> bool:
    """Whether the standard credential chain finds credentials (for the default target)."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.Session(profile_name=profile).get_credentials() is not None
    except BotoCoreError:
        return False


@dataclass
class DeployResult:
    pipeline_name: str
    pipeline_arn: str
    created: bool
    identity: str
    uploaded: int
    skipped: int
    execution_arn: str | None = None
    console_url: str | None = None


@dataclass(frozen=True)
class ExecutionStatus:
    status: str
    failure_reason: str | None
    steps: list[dict] | None  # None when the target cannot list them
    steps_note: str | None = None

    @property
    def finished(self) -> bool:
        return self.status not in RUNNING


def deploy(
    compiled: CompiledPipeline,
    target: Target,
    *,
    role_arn: str,
    description: str = "",
    tags: dict[str, str] | None = None,
    start: bool = False,
    parameters: dict[str, Any] | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    config_document: dict[str, Any] | None = None,
    design_id: str = "",
    deadline: Deadline | None = None,
) -> DeployResult:
    """Deploy `compiled` to `target` within `timeout` seconds (or the `deadline` of a larger
    whole); raises DeployError naming the stage that failed. In the sandbox,
    `config_document` (the design's) places the sample data of the starter it comes from, and
    a started execution runs locally, as a run of the design `design_id`."""
    say = progress or (lambda stage, message: None)
    deadline = deadline or Deadline(timeout)

    def make_clients() -> dict[str, Any]:
        session = target.session()
        return {name: target.client(name, session, deadline) for name in ("sts", "s3", "sagemaker")}

    clients = _stage("preflight", target, deadline, make_clients)
    identity = _stage(
        "preflight", target, deadline, lambda: _preflight(compiled, target, role_arn, clients, say)
    )
    uploaded, skipped = _stage(
        "stage code", target, deadline, lambda: _stage_code(compiled, clients["s3"], say)
    )
    for action in compiled.deploy_actions:  # what the pipeline calls: before it is upserted
        _stage(action.stage, target, deadline, lambda a=action: _act(a, target, deadline, say))
    arn, created = _stage(
        "upsert",
        target,
        deadline,
        lambda: _upsert(compiled, role_arn, description, tags, clients, say),
    )
    result = DeployResult(compiled.name, arn, created, identity, uploaded, skipped)
    if target.kind == "sandbox" and config_document is not None:
        _stage("sample data", target, deadline, lambda: _seed(config_document, clients["s3"], say))
    if target.kind == "aws":
        result.console_url = console_url(target.region, compiled.name)
    if start:
        result.execution_arn = _stage(
            "start",
            target,
            deadline,
            lambda: _start(compiled.name, parameters, clients["sagemaker"], say),
        )
        if target.kind == "sandbox":
            _run_locally(compiled, target, result.execution_arn, parameters, say, design_id)
    return result


def _act(action: Any, target: Target, deadline: Deadline, say: Progress) -> None:
    session = target.session()
    action(target, lambda service: target.client(service, session, deadline), say)


def _stage(stage: str, target: Target, deadline: Deadline, action: Callable[[], Any]) -> Any:
    """Run one stage: every failure of AWS, the network or the endpoint is a DeployError."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    deadline.stage = stage
    try:
        with deadline.enforced():
            return action()
    except (ClientError, BotoCoreError, ResponseParserError, ValueError) as error:
        if deadline.expired:  # the deadline shut the connection down: that is the failure
            raise deadline.error(deadline.where or target.endpoint) from None
        raise DeployError(_failure(error, stage, target), stage=stage) from None


def _failure(error: Exception, stage: str, target: Target) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError | BotoCoreError):
        return explain(error, stage, target)
    if isinstance(error, ValueError):  # botocore: "Invalid endpoint: not a url"
        return (
            f"The endpoint {target.endpoint} cannot be used ({error}). Set AWS_ENDPOINT_URL "
            "(or the profile's endpoint_url) to a URL such as https://host:port, or unset it."
        )
    return not_aws(stage, target.endpoint)  # ResponseParserError


def _answer(response: Any, key: str, operation: str) -> Any:
    """`response[key]`; an answer without it did not come from AWS (see not_aws)."""
    from botocore.parsers import ResponseParserError

    if not isinstance(response, dict) or key not in response:
        raise ResponseParserError(f"{operation} answered without {key}")
    return response[key]


def _preflight(compiled, target, role_arn, clients, say) -> str:
    say("preflight", f"Checking the credentials with {target.endpoint}...")
    identity = _answer(clients["sts"].get_caller_identity(), "Arn", "GetCallerIdentity")
    say("preflight", f"Credentials resolve to {identity} ({target.label}).")
    if not ROLE_ARN.fullmatch(role_arn or ""):
        raise DeployError(
            f"The execution role '{role_arn}' is not an IAM role ARN such as "
            "arn:aws:iam::123456789012:role/SageMakerRole. Fix the role in the pipeline settings.",
            stage="preflight",
        )
    say("preflight", f"Execution role {role_arn}.")
    for bucket in _buckets(compiled):
        _check_bucket(bucket, target, clients["s3"], say)
    return identity


def _buckets(compiled: CompiledPipeline) -> list[str]:
    return sorted({obj.bucket for obj in compiled.staged_objects})


def _check_bucket(bucket: str, target: Target, s3: Any, say: Progress) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
        say("preflight", f"Bucket {bucket} is reachable.")
        return
    except ClientError as error:
        if error.response["Error"].get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    if target.kind != "sandbox":
        raise DeployError(
            f"The bucket '{bucket}' does not exist in {target.region} (or this account cannot "
            "see it). Create it, or set another bucket in the pipeline settings.",
            stage="preflight",
        )
    location = {} if target.region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": target.region}
    }  # fmt: skip
    s3.create_bucket(Bucket=bucket, **location)
    say("preflight", f"Bucket {bucket} created in the sandbox.")


def _stage_code(compiled: CompiledPipeline, s3: Any, say: Progress) -> tuple[int, int]:
    """Upload every staged object whose content-addressed key is not there yet."""
    from botocore.exceptions import ClientError

    uploaded = skipped = 0
    for obj in compiled.staged_objects:
        try:
            s3.head_object(Bucket=obj.bucket, Key=obj.key)
            skipped += 1
            continue
        except ClientError as error:
            if error.response["Error"].get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        s3.put_object(Bucket=obj.bucket, Key=obj.key, Body=obj.content)
        uploaded += 1
    say("stage code", f"{uploaded} file(s) uploaded, {skipped} already in S3.")
    return uploaded, skipped


def _upsert(compiled, role_arn, description, tags, clients, say) -> tuple[str, bool]:
    from botocore.exceptions import ClientError

    sagemaker = clients["sagemaker"]
    definition = _definition_argument(compiled, clients["s3"])
    common = {"PipelineName": compiled.name, "RoleArn": role_arn, **definition}
    if description:
        common["PipelineDescription"] = description[:3072]
    try:
        created = sagemaker.create_pipeline(**common, Tags=_tags(tags))
        say("upsert", f"Pipeline {compiled.name} created.")
        return _answer(created, "PipelineArn", "CreatePipeline"), True
    except ClientError as error:
        message = error.response["Error"].get("Message", "")
        if (
            error.response["Error"].get("Code") != "ValidationException"
            or "already exist" not in message
        ):
            raise
    arn = _answer(sagemaker.update_pipeline(**common), "PipelineArn", "UpdatePipeline")
    if tags:  # UpdatePipeline takes no tags: merge them in as the SDK's upsert does
        sagemaker.add_tags(ResourceArn=arn, Tags=_tags(tags))
    say("upsert", f"Pipeline {compiled.name} updated.")
    return arn, False


def _definition_argument(compiled: CompiledPipeline, s3: Any) -> dict[str, Any]:
    """The definition inline, or through S3 when it is larger than CreatePipeline takes."""
    body = compiled.definition_json.encode()
    if len(body) <= DEFINITION_LIMIT:
        return {"PipelineDefinition": compiled.definition_json}
    first = compiled.staged_objects[0]
    prefix = first.key.split("/code/")[0].split("/config/")[0]
    key = f"{prefix}/definitions/{compiled.name}.json"
    s3.put_object(Bucket=first.bucket, Key=key, Body=body)
    return {"PipelineDefinitionS3Location": {"Bucket": first.bucket, "ObjectKey": key}}


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    """Tags with the characters AWS allows (letters, digits, spaces and _.:/=+-@)."""
    clean = {}
    for key, value in (tags or {}).items():
        clean[key] = re.sub(r"[^\w\s.:/=+\-@]", "_", str(value))[:256]
    return [{"Key": key, "Value": value} for key, value in clean.items() if value]


def _start(name: str, parameters: dict[str, Any] | None, sagemaker: Any, say: Progress) -> str:
    values = [{"Name": k, "Value": str(v)} for k, v in (parameters or {}).items()]
    started = sagemaker.start_pipeline_execution(PipelineName=name, PipelineParameters=values)
    arn = _answer(started, "PipelineExecutionArn", "StartPipelineExecution")
    say("start", f"Execution {arn} started.")
    return arn


def _seed(config_document: dict[str, Any], s3: Any, say: Progress) -> None:
    from builders.localrun.sample_data import matching_starters, seed_design_sample_data

    written = seed_design_sample_data(config_document, s3)
    starters = ", ".join(matching_starters(config_document)) or "no starter"
    say("sample data", f"{len(written)} sample file(s) placed ({starters}).")


def _run_locally(
    compiled, target: Target, arn: str, parameters, say: Progress, design_id: str = ""
) -> None:
    from builders.localrun import LocalRunError

    try:
        target.runner().start(
            compiled.definition_json,
            pipeline_name=compiled.name,
            parameters=parameters,
            execution_arn=arn,
            design=design_id,
        )
    except LocalRunError as error:
        raise DeployError(f"The local run did not start: {error.message}", stage="start") from None
    say("start", "The sandbox runs every step on this machine.")


# -- following executions ------------------------------------------------------------------
def execution_status(
    target: Target, execution_arn: str, timeout: float = STATUS_TIMEOUT
) -> ExecutionStatus:
    if target.kind == "sandbox":
        return _local_status(target, execution_arn)
    deadline = Deadline(timeout, stage="status")
    return _stage("status", target, deadline, lambda: _status(target, execution_arn, deadline))


def _local_status(target: Target, execution_arn: str) -> ExecutionStatus:
    from builders.localrun import LocalRunError
    from builders.localrun.sandbox_runs import step_rows

    try:
        run = target.run_store().load(execution_arn.rsplit("/", 1)[-1])
    except LocalRunError as error:
        raise DeployError(error.message, stage="status") from None
    return ExecutionStatus(run.status, run.failure_reason or None, step_rows(run))


def _status(target: Target, execution_arn: str, deadline: Deadline) -> ExecutionStatus:
    sagemaker = target.client("sagemaker", None, deadline)
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
    status = _answer(described, "PipelineExecutionStatus", "DescribePipelineExecution")
    steps, note = _steps(target, sagemaker, execution_arn)
    return ExecutionStatus(status, described.get("FailureReason"), steps, note)


def _steps(target: Target, sagemaker: Any, execution_arn: str) -> tuple[list | None, str | None]:
    from botocore.exceptions import ClientError

    try:
        response = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=execution_arn)
    except ClientError as error:
        # The execution's own status is still worth showing: say why the steps are missing.
        return None, f"The steps could not be listed: {explain(error, 'status', target)}"
    steps = [
        {
            "step": step.get("StepName"),
            "status": step.get("StepStatus"),
            "started": str(step.get("StartTime", "")),
            "ended": str(step.get("EndTime", "")),
            "duration": _seconds(step.get("StartTime"), step.get("EndTime")),
            "reason": step.get("FailureReason", ""),
        }
        for step in response.get("PipelineExecutionSteps", [])
    ]
    return steps, None


def _seconds(start: Any, end: Any) -> float | None:
    """A step's duration from ListPipelineExecutionSteps' datetimes (None while it runs)."""
    return round((end - start).total_seconds(), 1) if start and end else None


def recent_executions(
    target: Target, pipeline_name: str, limit: int = 10, timeout: float = STATUS_TIMEOUT
) -> list[dict]:
    if target.kind == "sandbox":
        from builders.localrun.sandbox_runs import run_row

        return [run_row(run) for run in target.run_store().runs(pipeline_name)[:limit]]
    deadline = Deadline(timeout, stage="status")
    return _stage(
        "status", target, deadline, lambda: _recent(target, pipeline_name, limit, deadline)
    )


def _recent(target: Target, pipeline_name: str, limit: int, deadline: Deadline) -> list[dict]:
    from botocore.exceptions import ClientError

    sagemaker = target.client("sagemaker", None, deadline)
    try:
        listed = sagemaker.list_pipeline_executions(
            PipelineName=pipeline_name, MaxResults=limit, SortOrder="Descending"
        )
    except ClientError as error:
        if error.response["Error"].get("Code") in ("ResourceNotFound", "ValidationException"):
            return []  # not deployed yet
        raise
    summaries = _answer(listed, "PipelineExecutionSummaries", "ListPipelineExecutions")
    return [
        {
            "execution": s.get("PipelineExecutionArn", "").rsplit("/", 1)[-1],
            "status": s.get("PipelineExecutionStatus"),
            "started": str(s.get("StartTime", "")),
            "arn": s.get("PipelineExecutionArn"),
        }
        for s in summaries
    ]


def deployed_definition(
    target: Target,
    pipeline_name: str,
    timeout: float = STATUS_TIMEOUT,
    deadline: Deadline | None = None,
) -> dict[str, Any] | None:
    """The definition deployed under `pipeline_name`, or None when there is no such pipeline
    (what a deploy would change is diffed against it: builders.deploying.definition_diff)."""
    import json

    from botocore.exceptions import ClientError

    def read() -> dict[str, Any] | None:
        sagemaker = target.client("sagemaker", None, deadline)
        try:
            described = sagemaker.describe_pipeline(PipelineName=pipeline_name)
        except ClientError as error:
            if error.response["Error"].get("Code") in ("ResourceNotFound", "ValidationException"):
                return None
            raise
        return json.loads(_answer(described, "PipelineDefinition", "DescribePipeline"))

    deadline = deadline or Deadline(timeout)
    return _stage("preflight", target, deadline, read)


def console_url(region: str, pipeline_name: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}"
        f"#/pipelines/{pipeline_name}"
    )


# -- errors in words ---------------------------------------------------------------------
_EXPIRED = {
    "ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
    "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch",
}  # fmt: skip
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403", "Forbidden"}
_THROTTLED = {
    "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
    "SlowDown", "ProvisionedThroughputExceededException",
}  # fmt: skip


def explain(error: Exception, stage: str, target: Target) -> str:
    """What went wrong in `stage`, and what to do, for a botocore error."""
    from botocore import exceptions as boto

    if isinstance(error, boto.NoCredentialsError):
        return (
            "No AWS credentials were found (environment, ~/.aws files, SSO). Run 'aws configure' "
            "or 'aws sso login', pick a profile, or deploy to the local sandbox."
        )
    if isinstance(error, boto.ProfileNotFound):
        return f"The AWS profile '{target.profile}' does not exist. Pick another profile."
    if isinstance(
        error, boto.TokenRetrievalError | boto.SSOTokenLoadError | boto.UnauthorizedSSOTokenError
    ):
        return (
            f"Your SSO session has expired or is missing: run 'aws sso login"
            f"{' --profile ' + target.profile if target.profile else ''}' and deploy again."
        )
    if isinstance(error, boto.ConnectionError | boto.HTTPClientError):
        if target.kind == "sandbox":
            return (
                f"The local sandbox stopped answering during '{stage}'. Deploy again: a new "
                "sandbox starts (it does not keep what the old one recorded)."
            )
        where = error.kwargs.get("endpoint_url") or target.endpoint
        return (
            f"{where} could not be reached during '{stage}' ({_connection_failure(error)}, "
            f"after {ATTEMPTS[target.kind]} attempts). Check the network, VPN or proxy and "
            "AWS_ENDPOINT_URL, and deploy again."
        )
    if isinstance(error, boto.ClientError):
        return _explain_client_error(error, stage, target)
    return f"{type(error).__name__} during '{stage}': {error}"


def _connection_failure(error: Exception) -> str:
    from botocore import exceptions as boto

    if isinstance(error, boto.ConnectTimeoutError):
        return f"no connection within {CONNECT_TIMEOUT:.0f} s"
    if isinstance(error, boto.ReadTimeoutError):
        return "no answer in time"
    if isinstance(error, boto.EndpointConnectionError):
        return "the connection was refused or the host is unknown"
    if isinstance(error, boto.ConnectionClosedError):
        return "the connection was closed before an answer"
    return str(error)


def _explain_client_error(error: Any, stage: str, target: Target) -> str:
    details = error.response.get("Error", {})
    code, message = str(details.get("Code", "")), details.get("Message", "") or str(error)
    operation = getattr(error, "operation_name", "the request")
    if code in _EXPIRED:
        return (
            f"Your AWS credentials are expired or invalid ({code}). Refresh them ('aws sso "
            "login', or new access keys) and deploy again."
        )
    if code in _DENIED:
        return (
            f"Access denied to {operation} during '{stage}': {message}. Ask for this "
            "permission, or use a profile or role that has it."
        )
    if code in _THROTTLED:
        return (
            f"AWS kept throttling {operation} during '{stage}', even after retrying with "
            "backoff. Wait a minute and deploy again."
        )
    if stage == "upsert" and code == "ValidationException":
        return (
            f"SageMaker refused the pipeline definition: {message}. Check the design on the "
            "Preview and export page, then deploy again."
        )
    return f"AWS refused {operation} during '{stage}' ({code}): {message}"
