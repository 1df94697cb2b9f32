"""The SDK's function step (`@step`), built offline: what it uploads goes to staging.

When a pipeline definition is written, the SDK's function step serializes the function and
its arguments and uploads them, with its bootstrap scripts and the requirements file, to S3
(`remote_function.job._Job.compile`, in both SDKs). Compiling here must not touch the network, so
while the step writes its request its session keeps the uploads instead of sending them
(`_Capture`), and what it kept is staged for deploy:

- the function and its arguments stay where the SDK put them,
  `<root>/<pipeline>/<step>/<build folder>/{function,arguments}/`, and the build folder (the
  SDK's build timestamp) is a digest of everything the step ships: they change together;
- the bootstrap scripts and the requirements file move to content-addressed code folders,
  and their channels point there (the SDK would reuse one folder per pipeline);
- the workspace (the code folder and the job's entry module, zipped as the SDK zips it) is a
  channel named after the build folder, where the SDK's bootstrap looks for it.

The function the SDK serializes is the step type's reference to its entry (a module and a
name, imported in the job). `--client_python_version` names the job's Python (the image's),
not this machine's: what is pickled holds no code, so any Python 3.8+ loads it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.compiling.staging import CodeStager, reproducible_zip

WORKSPACE_FOLDER = "sagemaker_remote_function_workspace"  # the SDK's, inside workspace.zip


@dataclass
class _Capture:
    """What the SDK uploaded while it wrote one step's request."""

    objects: dict[str, bytes] = field(default_factory=dict)  # S3 URI -> bytes
    folders: dict[str, tuple[dict[str, bytes], str | None]] = field(default_factory=dict)

    @contextlib.contextmanager
    def installed(self, session: Any) -> Iterator[None]:
        """`session`'s S3 uploads land here meanwhile (the template's offline session,
        under the build lock: no other build uses it at the time)."""
        shadowed = {
            "upload_data": self.upload_data,
            "upload_string_as_file_body": self.upload_string_as_file_body,
            "_get_account_id_if_default_bucket": lambda bucket: None,
        }
        resource = session.s3_resource
        vars(session).update(shadowed)
        session.s3_resource = _Resource(self)
        try:
            yield
        finally:
            for name in shadowed:
                vars(session).pop(name, None)
            session.s3_resource = resource

    def upload_data(self, path: str, bucket: str, key_prefix: str = "data", **_: Any) -> str:
        """As Session.upload_data: a folder's files under the prefix, or one file."""
        local = Path(path)
        if local.is_dir():
            files = {
                p.relative_to(local).as_posix(): p.read_bytes()
                for p in sorted(local.rglob("*"))
                if p.is_file()
            }
            uri = f"s3://{bucket}/{key_prefix}"
            self.folders[uri] = (files, None)
            return uri
        uri = f"s3://{bucket}/{key_prefix}/{local.name}"
        self.folders[uri] = ({local.name: local.read_bytes()}, local.name)
        return uri

    def upload_string_as_file_body(self, body: str, bucket: str, key: str, **_: Any) -> str:
        self.objects[f"s3://{bucket}/{key}"] = body.encode()
        return f"s3://{bucket}/{key}"


class _Resource:
    """The `s3_resource.Bucket(name).upload_fileobj(...)` the SDK's upload_bytes calls."""

    def __init__(self, capture: _Capture):
        self._capture = capture

    def Bucket(self, name: str) -> Any:  # boto3 spells it so
        capture = self._capture

        class _Bucket:
            def upload_fileobj(self, data: io.BytesIO, key: str, **_: Any) -> None:
                capture.objects[f"s3://{name}/{key}"] = data.read()

        return _Bucket()


@dataclass(frozen=True)
class Shipment:
    """What one function step ships besides the SDK's own scripts."""

    stager: CodeStager
    s3_loc: str  # the pipeline's S3 folder: content-addressed code goes under it
    s3_root: str  # the SDK's s3_root_uri: payloads and results go under it
    workspace: dict[str, bytes]  # relative path -> bytes, unpacked as the job's folder
    requirements: tuple[str, bytes]  # (file name, content): "" when there are none
    python_version: str
    input_channels: Mapping[str, Any]  # port -> its S3 URI (a pipeline expression)

    @functools.cached_property
    def workspace_zip(self) -> bytes:
        return reproducible_zip(self.workspace, WORKSPACE_FOLDER)

    def digest(self, serialized: Any, verifying_key: bytes = b"") -> str:
        """The build folder: changes whenever anything the step ships changes (3.x: with
        the key its payloads are signed for, so a deploy never overwrites the payloads an
        earlier definition's running executions verify with their own key)."""
        sha = hashlib.sha256()
        for part in (
            serialized.func,
            serialized.args,
            self.workspace_zip,
            self.requirements[0].encode(),
            self.requirements[1],
            self.python_version.encode(),
            verifying_key,
        ):
            sha.update(len(part).to_bytes(8, "big") + part)
        return sha.hexdigest()[:16]


def function_step(
    workflow: Any,
    name: str,
    entry: Callable,
    kwargs: dict[str, Any],
    shipment: Shipment,
    dependencies: list,
    sdk_requirement: str | None = None,
    **settings: Any,
) -> Any:
    """The SDK's function step running `entry(**kwargs)`; its DelayedReturn (`._step`).
    `workflow`: the backend's SDK classes by name (both SDKs spell these alike);
    `sdk_requirement`: the SDK the job installs, when the SDK does not add it itself."""
    delayed = workflow.step(name=name, **settings)(entry)(**kwargs)
    built = workflow.get_step(delayed)
    # The SDK's class, writing its request offline.
    built.__class__ = _staged_class(workflow, sdk_requirement)
    built._shipment = shipment
    if dependencies:
        built.add_depends_on(dependencies)
    return delayed


@functools.cache
def _staged_class(workflow: Any, sdk_requirement: str | None) -> type:
    _FunctionStep = workflow._FunctionStep

    class StagedFunctionStep(_FunctionStep):
        """A function step whose uploads go to staging when it writes its request."""

        _shipment: Shipment

        @property
        def arguments(self) -> dict[str, Any]:
            with _capturing(workflow, self, self._shipment, sdk_requirement) as finish:
                request = _FunctionStep.arguments.fget(self)
            return finish(request)

    return StagedFunctionStep


@contextlib.contextmanager
def _capturing(
    workflow: Any, step: Any, shipment: Shipment, sdk_requirement: str | None
) -> Iterator[Callable[[dict], dict]]:
    """The step's compilation context with a capturing session and a content digest for the
    build folder; yields what turns the SDK's request into the staged one."""
    context = workflow.load_step_compilation_context()
    capture = _Capture()
    build = shipment.digest(step._serialized_data, _verifying_key(context))
    context.pipeline_build_time = build
    # Each step ships its own scripts: never "uploaded by an earlier step of this pipeline".
    context.upload_runtime_scripts = context.upload_workspace = True
    session = context.sagemaker_session
    with capture.installed(session), _quiet(), tempfile.TemporaryDirectory() as folder:
        name, content = shipment.requirements
        requirements = Path(folder) / (name or "requirements.txt")
        # 2.x appends its own requirement to the file; 3.x does not: `sdk_requirement`.
        requirements.write_bytes(_with_requirement(content, sdk_requirement))
        settings = step._job_settings  # made now, with the capturing session
        settings.dependencies = str(requirements)
        settings.s3_root_uri = shipment.s3_root
        settings.include_local_workdir = False  # the workspace is packed here
        yield functools.partial(_staged_request, shipment=shipment, capture=capture, build=build)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The SDK's remote-function logger says what it uploads at INFO: nothing is uploaded."""
    import logging

    logger = logging.getLogger("sagemaker.remote_function")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _staged_request(request: dict, *, shipment: Shipment, capture: _Capture, build: str) -> dict:
    stager = shipment.stager
    for uri, content in capture.objects.items():
        stager.put(uri, content)
    moved = {}
    for uri, (files, single) in capture.folders.items():
        prefix = stager.generated(files, shipment.s3_loc)
        moved[uri] = prefix + single if single else prefix
    channels = request["InputDataConfig"]
    for channel in channels:
        source = channel["DataSource"]["S3DataSource"]
        source["S3Uri"] = moved.get(source["S3Uri"], source["S3Uri"])
    workspace = stager.generated({"workspace.zip": shipment.workspace_zip}, shipment.s3_loc)
    channels.append(_channel(build, workspace))
    channels += [_channel(port, uri) for port, uri in shipment.input_channels.items()]
    arguments = request["AlgorithmSpecification"]["ContainerArguments"]
    where = arguments.index("--client_python_version")
    arguments[where + 1] = shipment.python_version
    if "--serialize_output_to_json" not in arguments:  # results.json: later steps read it
        arguments += ["--serialize_output_to_json", "true"]
    return request


def _channel(name: str, uri: Any) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3Uri": uri,
                "S3DataType": "S3Prefix",
                "S3DataDistributionType": "FullyReplicated",
            }
        },
    }


def _verifying_key(context: Any) -> bytes:
    """The public key 3.x signs this compile's payloads for (it generates a key pair per
    pipeline build and writes the public key into the step's environment); 2.x: none."""
    token = getattr(context, "function_step_secret_token", None)
    if not hasattr(token, "public_key"):
        return b""
    from cryptography.hazmat.primitives import serialization

    return token.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


_SDK_LINE = re.compile(rb"^\s*sagemaker\s*(?:$|[=<>!~;\[ ])", re.M)


def _with_requirement(content: bytes, requirement: str | None) -> bytes:
    """The requirements with the SDK's own line added unless they name the SDK already."""
    if not requirement or _SDK_LINE.search(content):
        return content
    separator = b"\n" if content and not content.endswith(b"\n") else b""
    return content + separator + requirement.encode() + b"\n"
