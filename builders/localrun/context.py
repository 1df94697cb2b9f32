"""What a step executor gets (its resolved arguments, folders, clients) and what it returns."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from builders.localrun.definition import StepSpec
from builders.localrun.failure_text import meaningful_line
from builders.localrun.process import ProcessResult, run_process
from builders.scripts.archives import UnsafeArchiveError, extract_all
from builders.scripts.container_paths import ROOT_ENV

CONTAINER_PREFIX = "/opt/ml/"
# A job without a StoppingCondition: SageMaker stops a training job after a day, and the SDK
# documents the same default for processing jobs; a transform job gets the same bound here.
DEFAULT_MAX_RUNTIME = 24 * 60 * 60
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
KEPT_VARIABLES = ("LD_LIBRARY_PATH",)  # a Python built with shared libraries may need it
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


class StepLog:
    """A step's log, which a full disk cannot break: after a write fails, lines are dropped
    (the job's last errors are still kept for its failure reason) and `error` says why."""

    def __init__(self, path: Path):
        self.path = path
        self.error: OSError | None = None
        self._file: IO[str] | None = None
        try:
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        except OSError as error:
            self.error = error

    def write(self, text: str) -> None:
        self._call(lambda file: file.write(text))

    def flush(self) -> None:
        self._call(lambda file: file.flush())

    def close(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            try:
                file.close()
            except OSError as error:
                self.error = self.error or error

    def _call(self, action) -> None:
        if self._file is None or self.error is not None:
            return
        try:
            action(self._file)
        except OSError as error:
            self.error = error

    def __enter__(self) -> StepLog:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


NO_SPACE = "No space left on device"
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_NEARLY_FULL_BYTES = 1024 * 1024  # a failed job on a disk with less than this left ran out


def disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS


def no_space(step: str, folder: Path, error: BaseException | str = "") -> StepFailed:
    """The failure of a step that filled the disk of the run folder (its partial output is
    removed: see the runner)."""
    detail = f" ({error})" if error else ""
    return StepFailed(
        f"{NO_SPACE}: step {step} ran out of disk space in {folder}{detail}. Its partial "
        "output was removed. Free some space there (delete old runs, for one) and run it again."
    )


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
    log: IO[str] | StepLog
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
        """A line from the runner in the step's log (a StepLog: a full disk does not raise)."""
        self.log.write(f"[local run] {message}\n")
        self.log.flush()

    def unpack(self, uri: str, folder: Path) -> None:
        """Download the archive at `uri` and unpack it into `folder`; a member that would land
        outside the folder (or is not plain data) fails the step, naming the archive."""
        from builders.localrun import s3io

        archive = self.folder / uri.rsplit("/", 1)[-1]
        s3io.download_file(self.aws.s3, uri, archive)
        try:
            extract_all(archive, folder, label=uri)
        except UnsafeArchiveError as error:
            raise StepFailed(str(error)) from None
        finally:
            archive.unlink(missing_ok=True)

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.aws.region}:{self.aws.account}:{kind}/{name}"

    def job_name(self) -> str:
        return job_name(self.execution_id, self.spec.name)

    def job_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The job's environment, as SageMaker gives one to a container: the image's usual
        variables, the sandbox's endpoint, region and credentials, then the job's own
        (`extra`: the definition's Environment, the toolkit's SM_* variables). Nothing of the
        user's shell: its variables may hold secrets, and a job may print its environment.
        Of this machine's, only what its Python needs to start (LD_LIBRARY_PATH, if set)."""
        env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
        env.update(
            {
                "PATH": str(Path(self.python).parent) + os.pathsep + SYSTEM_PATH,  # python3
                "HOME": str(self.home),
                "TMPDIR": str(self.tmp),
                "LANG": "C.UTF-8",
                "LC_ALL": "C.UTF-8",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                ROOT_ENV: str(self.root),
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

    @property
    def home(self) -> Path:
        """The job's home folder (a container's is /root): in the step's folder."""
        return self.folder / "home"

    @property
    def tmp(self) -> Path:
        """The job's temporary folder, emptied when the job ends."""
        return self.folder / "tmp"

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
        """Run the job's process; a failure becomes StepFailed with the job's last errors.
        A job without a time limit gets SageMaker's default one."""
        timeout = timeout or DEFAULT_MAX_RUNTIME
        self.note(f"$ {' '.join(command)}")
        for folder in (self.root, self.home, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        try:
            result = run_process(
                command,
                env=env,
                cwd=self.root,
                log=self.log,
                stop=self.stop,
                report=self.folder / "supervisor.json",
                timeout=timeout,
            )
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self._note_result(result)
        if result.stopped:
            raise StepStopped
        if result.timed_out:
            raise StepFailed(f"The job ran over its limit of {timeout:g} s and was stopped.")
        if result.returncode:
            if self._out_of_space(result):
                raise no_space(self.spec.name, self.folder.parents[2], result.stderr_tail[-200:])
            kind = JOB_INTERNAL_ERROR if result.killed_by_signal else None
            raise StepFailed(self._failure(result), kind)
        return result

    def _out_of_space(self, result: ProcessResult) -> bool:
        """Whether a failed job ran out of disk space (it may say so, or only fail)."""
        log_error = result.log_error or getattr(self.log, "error", None)
        if disk_full(log_error) or NO_SPACE in result.stderr_tail:
            return True
        try:
            return shutil.disk_usage(self.folder).free < _NEARLY_FULL_BYTES
        except OSError:
            return False

    def _note_result(self, result: ProcessResult) -> None:
        self.note(f"exit code {result.returncode} after {result.seconds:.2f} s")
        if result.leftovers:
            names = ", ".join(f"{name} ({pid})" for pid, name in result.leftovers)
            self.note(f"stopped {len(result.leftovers)} process(es) the job left running: {names}")
        if result.supervisor_lost:
            self.note("the job's supervising process was killed; the job was ended with it")

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
