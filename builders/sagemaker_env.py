"""The SageMaker SDK, set up to build pipeline definitions offline (design.md, "Offline first").

Measured with sockets blocked, sagemaker 2.x stays offline when: SDK telemetry is off; the
session's region and default bucket are preset; boto3's *default* session has credentials of
its own (every estimator builds a TensorBoardApp whose `boto3.client()` would otherwise look
for credentials, up to the EC2 metadata service); the SDK is imported with the metadata
service disabled (its JumpStart module makes a session at import). Sessions and image URIs are
cached: creating them loads botocore's service models, which costs ~100 ms each time.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from builders.errors import StepBuildError

# Builds share one PipelineSession per region and bucket; the SDK keeps per-build state on
# it (session.context), so builds run one at a time.
_build_lock = threading.RLock()
_import_lock = threading.Lock()
_OFFLINE_CREDENTIALS = {"aws_access_key_id": "offline", "aws_secret_access_key": "offline"}


def sdk() -> Any:
    """Import the SageMaker SDK once, quietly, without network, telemetry off; one thread at
    a time (the app imports it in a background thread after its first page)."""
    with _import_lock:
        return _import_sdk()


@functools.cache
def _import_sdk() -> Any:
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    for name in ("sagemaker", "sagemaker.config", "sagemaker.jumpstart"):
        logging.getLogger(name).setLevel(logging.ERROR)
    previous = os.environ.get("AWS_EC2_METADATA_DISABLED")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    try:
        import sagemaker
        import sagemaker.workflow.pipeline
        from sagemaker.telemetry import telemetry_logging
    finally:
        if previous is None:
            os.environ.pop("AWS_EC2_METADATA_DISABLED", None)
        else:
            os.environ["AWS_EC2_METADATA_DISABLED"] = previous
    # Telemetry calls STS and an S3 URL with no real timeout: it can hang a build.
    telemetry_logging._send_telemetry_request = lambda *args, **kwargs: None
    warnings.filterwarnings("ignore", module=r"sagemaker(\..*)?$")
    warnings.filterwarnings("ignore", message=".*PipelineSession.*")
    _freeze_long_lived()
    return sagemaker


def _freeze_long_lived() -> None:
    """Hide long-lived objects (modules, service models, cached sessions) from the collector.

    Every full garbage collection rescans every live object; with the SDK and botocore's
    models loaded, that made compile time grow faster than the number of nodes. Frozen
    objects are never freed, which suits what is kept for the life of the process.
    """
    gc.collect()
    gc.freeze()


@functools.lru_cache(maxsize=16)
def _offline_boto_session(region: str) -> Any:
    import boto3

    class OfflineSession(boto3.Session):
        """Never calls AWS, so its clients can be shared: each estimator asks for one."""

        @functools.cache  # noqa: B019  (one session per region, kept for the process)
        def client(self, *args: Any, **kwargs: Any) -> Any:
            return super().client(*args, **kwargs)

    return OfflineSession(region_name=region, **_OFFLINE_CREDENTIALS)


@functools.lru_cache(maxsize=16)
def pipeline_session(region: str, bucket: str) -> Any:
    """A PipelineSession that builds steps without calling AWS."""
    sdk()
    from sagemaker.workflow.pipeline_context import PipelineSession

    session = PipelineSession(boto_session=_offline_boto_session(region), default_bucket=bucket)
    session._default_bucket = bucket  # else the SDK asks S3 whether the bucket exists
    return session


@contextmanager
def offline_build(region: str) -> Iterator[None]:
    """Build steps and definitions under this: one build at a time, no AWS credentials used.

    The garbage collector pauses meanwhile: a build keeps thousands of objects alive until it
    ends, and collections during it rescan them again and again (measured: 200 nodes took up
    to 30x the time of 10 with collections, 20x without). The next collection after it
    frees its garbage.
    """
    import boto3

    sdk()
    with _build_lock:
        previous = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = _offline_boto_session(region)
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            boto3.DEFAULT_SESSION = previous
            if collecting:
                gc.enable()


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
        return _image_uri(framework, region, version, py_version, instance_type, scope)
    except ValueError as error:
        raise StepBuildError(
            f"No SageMaker {framework} {version} image for region {region}"
            + (f", Python {py_version}" if py_version else "")
            + f": {error}",
            node=node,
            field=field,
        ) from None
