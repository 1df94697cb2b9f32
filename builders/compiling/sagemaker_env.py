"""The SageMaker SDK, set up to build pipeline definitions offline (docs/architecture.md).

Whichever SDK is installed (3.x, or 2.x until its end of support), the library leaves the
process as it found it (issue 11, issue 22):
- The SDK is imported once, by `sdk()`, whichever builders module comes first (the
  `builders.compiling.steps` package calls it). Importing it makes boto3 sessions and clients
  (2.x's JumpStart module, 3.x's model registry module), which would ask the EC2 metadata
  service for credentials and, in 3.x, fail without a region: the import runs with that
  service disabled and, when boto3 has no default session, with one holding the configured
  region (us-east-1 when none is), then boto3's default session is put back. What else the
  import changes is put back too: sys.excepthook (2.x's rich traceback hook), the root
  logger (`logging.basicConfig(level=INFO)` in both) and the warning filters it adds. The
  SDK's own warnings are not hidden (the test suite turns them into errors, pyproject).
- No SDK telemetry is sent, through each SDK's supported setting or by not calling what
  sends it (see the backends, builders/compiling/sdk/).
- Sessions are explicit: our PipelineSession has the region, clients that refuse every call
  to AWS (an offline build answers any request with AccessDenied, before a connection is
  opened), and the pipeline's bucket as its default bucket, taken as given.
- Where an SDK constructor uses boto3's *default* session (2.x estimators build a
  TensorBoardApp with `boto3.client()`), `boto3_default_session()` swaps in the offline one
  for that constructor only, under a lock, and restores it.
- Garbage collector tuning is opt-in (`builders.compiling.gc_tuning`), for the CLI and benchmarks.

Sessions and image URIs are cached: creating them loads botocore's service models, which
costs ~100 ms each time.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import TYPE_CHECKING, Any

from builders import service_models
from builders.errors import StepBuildError

if TYPE_CHECKING:
    from builders.compiling.sdk.base import Backend

# Builds share one PipelineSession per region and bucket; the SDK keeps per-build state on
# it (session.context), so builds run one at a time.
_build_lock = threading.RLock()
_OFFLINE_CREDENTIALS = {"aws_access_key_id": "offline", "aws_secret_access_key": "offline"}
_IMPORT_ENVIRONMENT = {"AWS_EC2_METADATA_DISABLED": "true"}
_IMPORT_REGION = "us-east-1"  # boto3's default session at import, when none is configured
# Warnings every build would raise that say nothing to a user of this library.
_BUILD_NOISE = r"Running within a PipelineSession"
_quiet_depth = 0  # nesting of quiet_sdk(), under the build lock
_sdk_loggers: list[logging.Logger] = []  # the SDK's loggers that report on every build


def installed_major() -> int:
    """The major version of the installed SageMaker SDK, read without importing it."""
    return int(metadata.version("sagemaker").split(".")[0])


@functools.cache
def sdk() -> Backend:
    """Import the SageMaker SDK once, without network; return the backend that builds with it."""
    if installed_major() >= 3:
        from builders.compiling.sdk.v3 import SdkV3 as backend_class
    else:
        from builders.compiling.sdk.v2 import SdkV2 as backend_class
    with _build_lock, _restored_process_state(), _import_default_session():
        for module in backend_class.IMPORTS:
            importlib.import_module(module)
    _sdk_loggers[:] = _reporting_loggers()
    return backend_class()


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
def _import_default_session() -> Iterator[None]:
    """boto3's default session has a region while the SDK is imported, then is put back."""
    import boto3

    previous = boto3.DEFAULT_SESSION
    if previous is None:
        configured = boto3.Session().region_name
        session = boto3.Session(
            botocore_session=_botocore_session(), region_name=configured or _IMPORT_REGION
        )
        # Endpoint settings concern deploys: an invalid one must not break the import.
        session._session.set_config_variable("ignore_configured_endpoint_urls", True)
        boto3.DEFAULT_SESSION = session
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = previous


def _reporting_loggers() -> list[logging.Logger]:
    """The SDK's loggers with a level of their own, which log on every build ("Popping out
    'ProcessingJobName' ...", "Not applying SDK defaults ..."), and their root."""
    names = {"sagemaker", "sagemaker_core"}
    for name, logger in logging.Logger.manager.loggerDict.items():
        if name.startswith("sagemaker") and isinstance(logger, logging.Logger) and logger.level:
            names.add(name)
    return [logging.getLogger(name) for name in sorted(names)]


@contextmanager
def quiet_sdk() -> Iterator[None]:
    """The SDK's log lines and its per-build notice hidden meanwhile, then put back.

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
        loggers = list(_sdk_loggers)
        levels = [logger.level for logger in loggers]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_BUILD_NOISE, category=UserWarning)
            for logger in loggers:
                logger.setLevel(logging.ERROR)
            _quiet_depth = 1
            try:
                yield
            finally:
                _quiet_depth = 0
                for logger, level in zip(loggers, levels, strict=True):
                    logger.setLevel(level)


def _refuse(model: Any, **_: Any) -> tuple[Any, dict[str, Any]]:
    """A botocore `before-call` handler: every call is answered AccessDenied, unsent.

    SDKs check things in AWS while building steps (3.x asks IAM whether the role may train
    and which bucket to stage in); they go on without the answer when access is denied.
    """
    from botocore.awsrequest import AWSResponse

    operation = f"{model.service_model.service_name}:{model.name}"
    error = {
        "Code": "AccessDenied",
        "Message": f"{operation} is not called: pipelines are compiled offline.",
    }
    return AWSResponse("", 403, {}, None), {
        "Error": error,
        "ResponseMetadata": {"HTTPStatusCode": 403},
    }


def _botocore_session() -> Any:
    """A botocore session reading service models through the process's one loader: the SDK's
    import makes clients (3.x: sagemaker and s3), so does each PipelineSession, and the
    config checks read the same models (builders/service_models.py)."""
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", service_models.loader())
    return session


@functools.lru_cache(maxsize=16)
def _offline_boto_session(region: str) -> Any:
    import boto3

    class OfflineSession(boto3.Session):
        """Never calls AWS, so its clients can be shared: SDK objects ask for them often."""

        @functools.cache  # noqa: B019  (one session per region, kept for the process)
        def client(self, *args: Any, **kwargs: Any) -> Any:
            return super().client(*args, **kwargs)

    session = OfflineSession(
        botocore_session=_botocore_session(), region_name=region, **_OFFLINE_CREDENTIALS
    )
    # AWS_ENDPOINT_URL and endpoint settings in ~/.aws/config concern deploys, not offline
    # builds: an invalid one must not break a compile.
    session._session.set_config_variable("ignore_configured_endpoint_urls", True)
    session.events.register("before-call", _refuse)
    return session


@functools.lru_cache(maxsize=16)
def pipeline_session(region: str, bucket: str) -> Any:
    """A PipelineSession that builds steps without calling AWS."""
    backend = sdk()
    with quiet_sdk():
        return backend.pipeline_session(region, bucket, _offline_boto_session(region))


@contextmanager
def offline_build(region: str) -> Iterator[None]:
    """Build steps and definitions under this: one build at a time, the SDK's noise hidden."""
    sdk()
    with _build_lock, quiet_sdk():
        yield


@contextmanager
def boto3_default_session(session: Any) -> Iterator[None]:
    """boto3's default session is `session` (an offline one) meanwhile, then put back.

    For SDK constructors that call `boto3.client()` (2.x's EstimatorBase always builds a
    TensorBoardApp); the swap lasts for the constructor only, under the build lock.
    """
    import boto3

    with _build_lock:
        previous = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = session
        try:
            yield
        finally:
            boto3.DEFAULT_SESSION = previous


@functools.lru_cache(maxsize=512)
def _image_uri(framework: str, region: str, version: str, py_version, instance_type, scope):
    return sdk().image_uri(
        framework,
        region,
        version,
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
