"""What a step executor gets (its resolved arguments, folders, clients) and what it returns."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from builders.localrun.definition import StepSpec
from builders.localrun.failure_text import meaningful_line
from builders.localrun.process import ProcessResult, run_process
from builders.scripts.container_paths import ROOT_ENV

CONTAINER_PREFIX = "/opt/ml/"
# Failure kinds that SageMaker's retry policies name (ExceptionType), as they arise locally.
SERVICE_FAULT, THROTTLING = "Step.SERVICE_FAULT", "Step.THROTTLING"
JOB_INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
_THROTTLING_CODES = {"Throttling", "ThrottlingException", "SlowDown", "TooManyRequestsException"}


class StepFailed(Exception):
    """The step failed; `reason` is what the run store and the canvas show.

    `kind` names the failure as a retry policy does (None: never retried, as SageMaker never
    retries a job whose own code failed).
    """

    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class StepStopped(Exception):
    """The run was stopped while the step ran."""


def unsupported(what: str) -> StepFailed:
    """The failure of a step whose arguments ask for what no local run can do."""
    return StepFailed(f"Cannot run locally: {what}. Run the pipeline on AWS, or change the step.")


@dataclass
class StepResult:
    properties: dict[str, Any]
    outputs: dict[str, str] = field(default_factory=dict)  # output name -> S3 URI
    job_seconds: float | None = None
    summary: str = ""  # what the step did, in words, shown with its state (a tuning's trials)
    outcome: str = ""  # the same in a few words, on the node's chip: "best val:auc 0.95"


@dataclass
class AwsEnvironment:
    """The sandbox the jobs talk to: its clients, and what a job's own boto3 needs."""

    s3: Any
    sagemaker: Any
    endpoint_url: str
    region: str
    credentials: dict[str, str]
    account: str = "123456789012"  # moto's account


@dataclass
class StepContext:
    spec: StepSpec
    arguments: dict[str, Any]  # resolved
    execution_id: str
    pipeline_name: str
    folder: Path  # the step's folder in the run store
    log: IO[str]
    log_path: Path
    aws: AwsEnvironment
    stop: threading.Event
    models: dict[str, dict[str, Any]]  # model name -> CreateModel properties, of this run
    python: str = sys.executable

    @property
    def root(self) -> Path:
        """The job's container root: `/opt/ml/...` is `<root>/opt/ml/...`."""
        return self.folder / "container"

    def local(self, container_path: str) -> Path:
        """Where the container path `/opt/ml/...` is on this machine."""
        if not container_path.startswith(CONTAINER_PREFIX) or ".." in container_path.split("/"):
            raise unsupported(f"the path {container_path} is outside /opt/ml")
        return self.root / container_path.lstrip("/")

    def note(self, message: str) -> None:
        """A line from the runner in the step's log."""
        self.log.write(f"[local run] {message}\n")
        self.log.flush()

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.aws.region}:{self.aws.account}:{kind}/{name}"

    def job_name(self) -> str:
        return job_name(self.execution_id, self.spec.name)

    def job_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The job's environment: this machine's, without AWS settings of its own (a job's
        boto3 talks to the sandbox, never to the user's AWS account), plus the job's own."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        python_dir = str(Path(self.python).parent)
        env.update(
            {
                ROOT_ENV: str(self.root),
                "PATH": python_dir + os.pathsep + env.get("PATH", ""),  # `python3` is ours
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                "AWS_ENDPOINT_URL": self.aws.endpoint_url,
                "AWS_ACCESS_KEY_ID": self.aws.credentials["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": self.aws.credentials["aws_secret_access_key"],
                "AWS_DEFAULT_REGION": self.aws.region,
                "AWS_REGION": self.aws.region,
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        env.update({key: str(value) for key, value in (extra or {}).items()})
        return env

    def command(self, words: list[Any]) -> list[str]:
        """A container command for this machine: `python3` is this Python, /opt/ml paths
        point under the job's root."""
        if not words:
            raise unsupported("it runs the image's own entry point")
        words = [str(word) for word in words]
        first = words[0].rsplit("/", 1)[-1]
        if re.fullmatch(r"python(3(\.\d+)?)?", first):
            words[0] = self.python
        return [
            str(self.local(word)) if word.startswith(CONTAINER_PREFIX) else word for word in words
        ]

    def run(
        self, command: list[str], env: dict[str, str], timeout: float | None = None
    ) -> ProcessResult:
        """Run the job's process; a failure becomes StepFailed with the job's last errors."""
        self.note(f"$ {' '.join(command)}")
        self.root.mkdir(parents=True, exist_ok=True)
        result = run_process(
            command, env=env, cwd=self.root, log=self.log, stop=self.stop, timeout=timeout
        )
        self.note(f"exit code {result.returncode} after {result.seconds:.2f} s")
        if result.stopped:
            raise StepStopped
        if result.timed_out:
            raise StepFailed(f"The job ran over its limit of {timeout:g} s and was stopped.")
        if result.returncode:
            kind = JOB_INTERNAL_ERROR if result.killed_by_signal else None
            raise StepFailed(self._failure(result), kind)
        return result

    def _failure(self, result: ProcessResult) -> str:
        failure_file = self.local("/opt/ml/output/failure")  # SageMaker's own convention
        if failure_file.is_file():
            detail = meaningful_line(failure_file.read_text(errors="replace")[-4096:])
        else:
            detail = meaningful_line(result.stderr_tail)
        detail = detail or "(no error message: the step's log has all the job wrote)"
        how = (
            f"was killed by signal {-result.returncode}"
            if result.returncode < 0
            else f"exited with code {result.returncode}"
        )
        return f"The job {how}: {detail}"


def job_name(execution_id: str, step: str) -> str:
    """A SageMaker job name (63 characters: letters, digits, '-') unique to the run's step."""
    name = re.sub(r"[^A-Za-z0-9-]", "-", f"pipelines-{execution_id}-{step}")
    if len(name) > 63:
        digest = hashlib.sha256(step.encode()).hexdigest()[:8]
        name = f"{name[:54]}-{digest}"
    return name


def failure_kind(error: Exception) -> str | None:
    """The retry policy's name for an AWS error from the sandbox, if it is one SageMaker
    would retry (a fault of the service or throttling)."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(error, ConnectionError | HTTPClientError):
        return SERVICE_FAULT
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _THROTTLING_CODES:
            return THROTTLING
        if status >= 500:
            return SERVICE_FAULT
    return None
