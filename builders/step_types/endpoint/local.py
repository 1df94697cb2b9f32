"""The sandbox's Endpoint step: the model served on 127.0.0.1 and asked the sample requests.

    StepType(..., local_run="builders.step_types.endpoint.local:executor_for")

The endpoint is created in the sandbox's SageMaker (or switched to the run's configuration
when it exists, as UpdateEndpoint does). Its variant's model is unpacked and served by
`model_server.py` with the model's inference code, the way batch transform scores with it,
in a process of its own that lives as long as the step: it is bounded by the step's stop and
a time limit, and ended with its children when the step ends. The Payload archive the
endpoint is tagged with (the Endpoint builder's SAMPLE_PAYLOAD_TAG) gives the requests;
each answer is kept in the step's folder (`invocations.json`), its log and its summary, and,
with data capture on, in S3 as SageMaker captures it. A request the model cannot answer
fails the step: the endpoint would fail its callers.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
import tarfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.localrun import s3io
from builders.localrun.context import StepContext, StepFailed, StepResult, StepStopped, unsupported
from builders.localrun.definition import StepSpec
from builders.localrun.models import _call, _plain
from builders.localrun.transform import SERVE, _inference_code, _model_container, _unpack_model
from builders.step_types.endpoint.builder import SAMPLE_PAYLOAD_TAG
from builders.step_types.payload.job.payload import FILE_NAMES, manifest_path

SERVER = Path(__file__).with_name("model_server.py")
STARTUP_SECONDS = 120.0  # the model server must answer /ping by then
SERVE_SECONDS = 900.0  # the longest the model server lives
REQUEST_SECONDS = 60.0  # SageMaker's limit on one invocation
MAX_SAMPLE_BYTES = 6 * 1024 * 1024  # SageMaker's limit on a real-time request
SHOWN = 300  # characters of a request or answer kept in the summary
CONTENT_TYPES = {name: content_type for content_type, name in FILE_NAMES.items()}


@dataclass(frozen=True)
class Sample:
    name: str
    body: bytes
    content_type: str
    accept: str


@dataclass(frozen=True)
class Answer:
    sample: str
    content_type: str
    accept: str
    status: int
    body: str
    milliseconds: float
    request: str


def run_endpoint(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    name, config_name = str(args["EndpointName"]), str(args["EndpointConfigName"])
    config = _described(ctx, "describe_endpoint_config", EndpointConfigName=config_name)
    variants = config.get("ProductionVariants") or []
    if len(variants) != 1:
        raise unsupported(f"endpoint configuration {config_name} has {len(variants)} variants")
    variant = variants[0]
    container = _model_container(ctx, variant.get("ModelName"))
    model_dir = ctx.local("/opt/ml/model")
    _unpack_model(ctx, container.get("ModelDataUrl"), model_dir)
    code_dir, program = _inference_code(ctx, container, model_dir)
    action = _create_or_update(ctx, name, config_name, args.get("Tags") or [])
    samples = _samples(ctx, _tag(args.get("Tags") or [], SAMPLE_PAYLOAD_TAG))
    spec = {
        "serve": str(SERVE),
        "model_dir": str(model_dir),
        "code_dir": code_dir,
        "program": program,
        "default": "xgboost" if "xgboost" in str(container.get("Image", "")) else None,
        "port_file": str(ctx.folder / "model_server.port"),
    }
    spec_path = ctx.folder / "model_server.json"
    spec_path.write_text(json.dumps(spec))
    with _served(ctx, spec_path, ctx.job_env(container.get("Environment") or {})) as url:
        answers = [_invoke(url, sample) for sample in samples]
    (ctx.folder / "invocations.json").write_text(
        json.dumps([dataclasses.asdict(answer) for answer in answers], indent=2)
    )
    _capture(ctx, config, name, variant.get("VariantName", ""), answers)
    failed = [answer for answer in answers if answer.status != 200]
    if failed:
        first = failed[0]
        raise StepFailed(
            f"Endpoint {name} answered {first.status} to the sample request {first.sample} "
            f"({first.content_type}): {first.body[:600]}"
        )
    described = _described(ctx, "describe_endpoint", EndpointName=name)
    return StepResult(
        {**args, **described},
        {"endpoint": name},
        summary=_summary(name, action, program, samples, answers),
        outcome=f"{action}; {len(answers)} sample(s) answered" if samples else action,
    )


def _described(ctx: StepContext, operation: str, **arguments: str) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        described = getattr(ctx.aws.sagemaker, operation)(**arguments)
    except ClientError as error:
        raise StepFailed(f"The sandbox has no such resource ({arguments}): {error}") from None
    described.pop("ResponseMetadata", None)
    return _plain(described)


def _create_or_update(ctx: StepContext, name: str, config_name: str, tags: list) -> str:
    """'created' or 'updated': an existing endpoint is switched to the new configuration."""
    from botocore.exceptions import ClientError

    try:
        before = ctx.aws.sagemaker.describe_endpoint(EndpointName=name)
    except ClientError:
        before = None
    request = {"EndpointName": name, "EndpointConfigName": config_name, "Tags": tags}
    if before is None:
        _call(ctx, "create_endpoint", request)
        ctx.note(f"created endpoint {name} with configuration {config_name}")
        return "created"
    # SageMaker's UpdateEndpoint keeps the endpoint serving while it moves to the new
    # configuration; the sandbox (moto has no UpdateEndpoint) makes it again under its name.
    _call(ctx, "delete_endpoint", {"EndpointName": name})
    _call(ctx, "create_endpoint", request)
    ctx.note(
        f"updated endpoint {name} from configuration {before['EndpointConfigName']} to "
        f"{config_name}"
    )
    return "updated"


def _tag(tags: list[dict[str, Any]], key: str) -> str | None:
    return next((str(tag["Value"]) for tag in tags if tag.get("Key") == key), None)


# -- the sample requests ---------------------------------------------------------------------
def _samples(ctx: StepContext, archive_uri: str | None) -> list[Sample]:
    """The Payload archive's sample requests, with the answer format its manifest names."""
    if not archive_uri:
        ctx.note("no payload: the endpoint is served and pinged, no sample request is sent")
        return []
    archive = ctx.folder / "payload.tar.gz"
    s3io.download_file(ctx.aws.s3, archive_uri, archive)
    accept = _accept(ctx, archive_uri)
    samples = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():  # read in memory: nothing lands on disk
            content_type = CONTENT_TYPES.get(Path(member.name).name)
            if not member.isfile() or content_type is None:
                ctx.note(f"payload member {member.name} is not a sample request: left out")
                continue
            if member.size > MAX_SAMPLE_BYTES:
                raise StepFailed(f"The sample request {member.name} is larger than 6 MB.")
            body = tar.extractfile(member).read()
            samples.append(Sample(member.name, body, content_type, accept or content_type))
    archive.unlink()
    ctx.note(f"{len(samples)} sample request(s) from {archive_uri}")
    return samples


def _accept(ctx: StepContext, archive_uri: str) -> str | None:
    """The first response type of the archive's manifest, if it has one beside it."""
    folder, _, name = archive_uri.rpartition("/")
    uri = f"{folder}/{manifest_path(Path(name)).name}"
    if not s3io.exists(ctx.aws.s3, uri):
        return None
    types = s3io.read_json(ctx.aws.s3, uri).get("response_types") or []
    return str(types[0]) if types else None


def _invoke(url: str, sample: Sample) -> Answer:
    request = urllib.request.Request(
        f"{url}/invocations",
        data=sample.body,
        method="POST",
        headers={"Content-Type": sample.content_type, "Accept": sample.accept},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            status, body = response.status, response.read(MAX_SAMPLE_BYTES)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(MAX_SAMPLE_BYTES)
    except OSError as error:  # refused, reset or timed out: the server died or hangs
        status, body = 0, f"no answer: {error}".encode()
    return Answer(
        sample.name,
        sample.content_type,
        sample.accept,
        status,
        body.decode("utf-8", "replace"),
        round((time.perf_counter() - started) * 1000, 1),
        sample.body.decode("utf-8", "replace"),
    )


# -- the model server ------------------------------------------------------------------------
@contextmanager
def _served(ctx: StepContext, spec_path: Path, env: dict[str, str]) -> Iterator[str]:
    """The model server's URL while it runs; it is ended when the block ends."""
    stop = threading.Event()  # the server's own: ends it without stopping the run
    server_ctx = dataclasses.replace(ctx, stop=stop)
    failure: list[StepFailed] = []

    def serve() -> None:
        try:
            server_ctx.run([ctx.python, str(SERVER), str(spec_path)], env, SERVE_SECONDS)
        except StepStopped:
            pass  # ended by this step, as meant
        except StepFailed as error:
            failure.append(error)

    def follow_the_run() -> None:  # a stopped run ends the server at once
        while not stop.wait(0.1):
            if ctx.stop.is_set():
                stop.set()

    thread = threading.Thread(target=serve, name=f"endpoint-{ctx.spec.name}", daemon=True)
    thread.start()
    threading.Thread(target=follow_the_run, daemon=True).start()
    port_file = Path(json.loads(spec_path.read_text())["port_file"])
    try:
        yield _wait_for_port(ctx, port_file, thread, failure)
    finally:
        stop.set()
        thread.join()
        if ctx.stop.is_set():
            raise StepStopped


def _wait_for_port(
    ctx: StepContext, port_file: Path, thread: threading.Thread, failure: list[StepFailed]
) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if ctx.stop.is_set():
            raise StepStopped
        if port_file.is_file():
            url = f"http://127.0.0.1:{json.loads(port_file.read_text())['port']}"
            _ping(url)
            ctx.note(f"model server listening on {url}")
            return url
        if not thread.is_alive():
            why = failure[0].reason if failure else "it ended"
            raise StepFailed(f"The model server did not serve the model: {why}")
        time.sleep(0.05)
    raise StepFailed(f"The model server did not start within {STARTUP_SECONDS:g} s.")


def _ping(url: str) -> None:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=REQUEST_SECONDS) as response:
            if response.status == 200:
                return
    except OSError as error:
        raise StepFailed(f"The model server does not answer /ping: {error}") from None
    raise StepFailed("The model server does not answer /ping with 200.")


# -- data capture ----------------------------------------------------------------------------
def _capture(
    ctx: StepContext, config: dict, endpoint: str, variant: str, answers: list[Answer]
) -> None:
    """The requests and answers in S3 as SageMaker's data capture writes them: JSON lines
    under `<destination>/<endpoint>/<variant>/<yyyy>/<mm>/<dd>/<hh>/`."""
    capture = config.get("DataCaptureConfig") or {}
    if not capture.get("EnableCapture", True) or not capture or not answers:
        return
    percentage = float(capture.get("InitialSamplingPercentage", 0))
    draw = random.Random(f"{ctx.execution_id}/{endpoint}")
    captured = [answer for answer in answers if draw.random() * 100 < percentage]
    if not captured:
        return
    when = datetime.datetime.now(datetime.timezone.utc)
    lines = [json.dumps(_captured(answer, when)) for answer in captured]
    destination = str(capture["DestinationS3Uri"]).rstrip("/")
    key = f"{when:%Y/%m/%d/%H}/{when:%M-%S-%f}"[:-3] + f"-{uuid.uuid4()}.jsonl"
    uri = f"{destination}/{endpoint}/{variant}/{key}"
    bucket, path = s3io.split_uri(uri)
    ctx.aws.s3.put_object(Bucket=bucket, Key=path, Body=("\n".join(lines) + "\n").encode())
    ctx.note(f"data capture: {len(captured)} request(s) to {uri}")


def _captured(answer: Answer, when: datetime.datetime) -> dict[str, Any]:
    def part(mode: str, content_type: str, data: str) -> dict[str, str]:
        encoding = "CSV" if content_type == "text/csv" else "JSON"
        return {
            "observedContentType": content_type,
            "mode": mode,
            "data": data,
            "encoding": encoding,
        }

    return {
        "captureData": {
            "endpointInput": part("INPUT", answer.content_type, answer.request),
            "endpointOutput": part("OUTPUT", answer.accept, answer.body),
        },
        "eventMetadata": {
            "eventId": str(uuid.uuid4()),
            "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "eventVersion": "0",
    }


def _summary(name, action, program, samples: list[Sample], answers: list[Answer]) -> str:
    code = program or "the container's default handlers"
    lines = [f"Endpoint {name} {action}; served on 127.0.0.1 with {code}."]
    if not samples:
        lines.append("No payload connected: no sample request was sent.")
    for answer in answers:
        body = " ".join(answer.body.split())
        body = body if len(body) <= SHOWN else body[: SHOWN - 3] + "..."
        lines.append(
            f"{answer.sample} ({answer.content_type} -> {answer.accept}): {answer.status} "
            f"in {answer.milliseconds:g} ms: {body}"
        )
    return "\n".join(lines)


def executor_for(step: StepSpec) -> Any:
    """The step type's `local_run` hook: this module runs the definition's Endpoint steps."""
    return run_endpoint if step.type == "Endpoint" else None
