"""The SageMaker SDK, set up to build pipeline definitions offline (docs/architecture.md).

The library leaves the process as it found it (issue 11):
- The SDK is imported once, by `sdk()`, whichever builders module comes first (the
  `builders.compiling.steps` package calls it; step types' builders import SDK classes
  after it). Its JumpStart module makes a boto3 session at import, which would ask the EC2
  metadata service for credentials: the import runs with that service disabled. What the
  import changes in the process is put back: rich's traceback hook on sys.excepthook
  (sagemaker_core), `logging.basicConfig(level=INFO)` on the root logger (the SDK's
  experiments module) and the warning filters it adds.
- No SDK telemetry is sent: the one SDK call on our path that sends it (`Estimator.fit`)
  is not made (see builders/compiling/steps/training.py). Its `TelemetryOptOut` setting
  would turn it off, but any non-empty SDK config makes the SDK validate the config's whole
  JSON schema at every config lookup: 0.46 s each, and a 9-node compile makes 127 (13 ms
  became 14 s).
- Sessions are explicit: our PipelineSession has the region, clients that never call AWS,
  and the pipeline's bucket as its default bucket, taken as given (the SDK's own method
  would ask S3 whether it exists); every step gets explicit S3 destinations.
- One global change is unavoidable: every estimator builds a TensorBoardApp whose
  `boto3.client()` uses boto3's *default* session, which without credentials would look for
  them up to the metadata service. `estimator_construction()` swaps in the offline session
  for the estimator's constructor only, under a lock, and restores it.
- Garbage collector tuning is opt-in (`builders.compiling.gc_tuning`), for the CLI and benchmarks.

Sessions and image URIs are cached: creating them loads botocore's service models, which
costs ~100 ms each time.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from builders.errors import StepBuildError

# Builds share one PipelineSession per region and bucket; the SDK keeps per-build state on
# it (session.context), so builds run one at a time.
_build_lock = threading.RLock()
_OFFLINE_CREDENTIALS = {"aws_access_key_id": "offline", "aws_secret_access_key": "offline"}
# Loggers with levels or handlers of their own that report on every build ("Popping out
# 'ProcessingJobName' ...", "Not applying SDK defaults ...").
_SDK_LOGGERS = ("sagemaker", "sagemaker.config", "sagemaker_core")
_quiet_depth = 0  # nesting of quiet_sdk(), under the build lock
_IMPORT_ENVIRONMENT = {"AWS_EC2_METADATA_DISABLED": "true", "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}


@functools.cache
def sdk() -> Any:
    """Import the SageMaker SDK once, quietly and without network; the process is left as it was."""
    with _build_lock, _restored_process_state():
        import sagemaker
        import sagemaker.workflow.pipeline  # the workflow API and its steps
    return sagemaker


@contextmanager
def _restored_process_state() -> Iterator[None]:
    """Environment, excepthook, root logger and warning filters as they were before."""
    environment = {name: os.environ.get(name) for name in _IMPORT_ENVIRONMENT}
    excepthook = sys.excepthook
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    os.environ.update(_IMPORT_ENVIRONMENT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for name, value in environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        sys.excepthook = excepthook
        root.setLevel(level)
        root.handlers[:] = handlers


@contextmanager
def quiet_sdk() -> Iterator[None]:
    """The SDK's warnings and log lines hidden meanwhile, then the filters and levels restored.

    Like warnings.catch_warnings, this changes process-wide settings for its duration: it
    holds the build lock, so builds do it one at a time. Nested uses (a compile, then each
    of its steps) change them once: setLevel clears every logger's cache, which costs.
    """
    with _build_lock:
        global _quiet_depth
        if _quiet_depth:
            _quiet_depth += 1
            try:
                yield
            finally:
                _quiet_depth -= 1
            return
        loggers = [logging.getLogger(name) for name in _SDK_LOGGERS]
        levels = [logger.level for logger in loggers]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"sagemaker(_core)?(\..*)?$")
            warnings.filterwarnings("ignore", message=".*PipelineSession.*")
            for logger in loggers:
                logger.setLevel(logging.ERROR)
            _quiet_depth = 1
            try:
                yield
            finally:
                _quiet_depth = 0
                for logger, level in zip(loggers, levels, strict=True):
                    logger.setLevel(level)


@functools.lru_cache(maxsize=16)
def _offline_boto_session(region: str) -> Any:
    import boto3

    class OfflineSession(boto3.Session):
        """Never calls AWS, so its clients can be shared: each estimator asks for one."""

        @functools.cache  # noqa: B019  (one session per region, kept for the process)
        def client(self, *args: Any, **kwargs: Any) -> Any:
            return super().client(*args, **kwargs)

    session = OfflineSession(region_name=region, **_OFFLINE_CREDENTIALS)
    # AWS_ENDPOINT_URL and endpoint settings in ~/.aws/config concern deploys, not offline
    # builds: an invalid one must not break a compile.
    session._session.set_config_variable("ignore_configured_endpoint_urls", True)
    return session


@functools.lru_cache(maxsize=16)
def pipeline_session(region: str, bucket: str) -> Any:
    """A PipelineSession that builds steps without calling AWS."""
    sdk()
    from sagemaker.workflow.pipeline_context import PipelineSession

    class OfflinePipelineSession(PipelineSession):
        """Its default bucket is the pipeline's bucket, taken as given.

        The SDK's own default_bucket() asks S3 whether the bucket exists (and creates it);
        compiling never touches S3: deploy's preflight checks the bucket.
        """

        def default_bucket(self) -> str:
            return bucket

    with quiet_sdk():
        return OfflinePipelineSession(
            boto_session=_offline_boto_session(region), default_bucket=bucket
        )


@contextmanager
def offline_build(region: str) -> Iterator[None]:
    """Build steps and definitions under this: one build at a time, the SDK's warnings hidden."""
    sdk()
    with _build_lock, quiet_sdk():
        yield


@contextmanager
def estimator_construction(region: str) -> Iterator[None]:
    """boto3's default session is the offline one while an estimator is constructed.

    The SDK gives no way around it (EstimatorBase always builds a TensorBoardApp, which calls
    `boto3.client()`); the swap lasts for the constructor only and is undone after it.
    """
    import boto3

    with _build_lock:
        previous = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = _offline_boto_session(region)
        try:
            yield
        finally:
            boto3.DEFAULT_SESSION = previous


@functools.lru_cache(maxsize=512)
def _image_uri(framework: str, region: str, version: str, py_version, instance_type, scope):
    from sagemaker import image_uris

    return image_uris.retrieve(
        framework,
        region,
        version=version,
        py_version=py_version,
        instance_type=instance_type,
        image_scope=scope,
    )


def image_uri(
    framework: str,
    region: str,
    version: str,
    *,
    py_version: str | None = None,
    instance_type: str | None = None,
    scope: str | None = None,
    node: str | None = None,
    field: str = "framework_version",
) -> str:
    """The ECR image of a SageMaker framework container, or a StepBuildError saying why not."""
    sdk()
    try:
        with quiet_sdk():
            return _image_uri(framework, region, version, py_version, instance_type, scope)
    except ValueError as error:
        raise StepBuildError(
            f"No SageMaker {framework} {version} image for region {region}"
            + (f", Python {py_version}" if py_version else "")
            + f": {error}",
            node=node,
            field=field,
        ) from None
