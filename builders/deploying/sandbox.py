"""The local sandbox: moto's AWS stand-in on 127.0.0.1, started on demand, stopped at exit.

It accepts and records pipelines, uploads and executions; a deploy's started execution is
run by the local runner (builders.localrun, see builders.deploying.deploy). Its state (S3,
pipelines, the model registry) lives in this process and is gone when the process ends; the
runs' records stay in the workspace. An execution's status is the run's: moto records every
execution as Succeeded, so DescribePipelineExecution and ListPipelineExecutions are answered
with what the run store knows (`_RunStatus`).
"""

from __future__ import annotations

import atexit
import json
import socket
import threading
from dataclasses import dataclass
from typing import Any

_lock = threading.Lock()
_server = None  # the one ThreadedMotoServer of this process


@dataclass(frozen=True)
class Sandbox:
    endpoint_url: str


def sandbox() -> Sandbox:
    """The running sandbox, started now if it is not running."""
    global _server
    with _lock:
        if _server is None or not _alive(_server):
            _server = _QuietMotoServer(_free_port())
            atexit.register(stop_sandbox)
        host, port = _server.get_host_and_port()
        return Sandbox(f"http://{host}:{port}")


def stop_sandbox() -> None:
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None


def sandbox_running() -> bool:
    return _server is not None and _alive(_server)


def _alive(server) -> bool:
    host, port = server.get_host_and_port()
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class _QuietMotoServer:
    """moto's server (as its ThreadedMotoServer runs it) on 127.0.0.1, whose requests are not
    logged: werkzeug logs a line per request through the process-wide "werkzeug" logger,
    which is not ours to silence."""

    def __init__(self, port: int):
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log(self, type: str, message: str, *args) -> None:
                pass  # werkzeug's request lines; errors reach the client as responses

        from builders.deploying.sandbox_s3 import StreamingObjects

        # Large S3 bodies in bounded chunks: moto alone holds whole objects in memory.
        app = _RunStatus(StreamingObjects(DomainDispatcherApplication(create_backend_app)))
        self._server = make_server("127.0.0.1", port, app, True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), port

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


class _RunStatus:
    """WSGI middleware: an execution's status and failure reason in moto's answers to
    DescribePipelineExecution and ListPipelineExecutions are the local run's."""

    TARGETS = ("SageMaker.DescribePipelineExecution", "SageMaker.ListPipelineExecutions")

    def __init__(self, app: Any):
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET") not in self.TARGETS:
            return self.app(environ, start_response)
        answered: dict[str, Any] = {}

        def keep(status: str, headers: list, exc_info: Any = None) -> Any:
            answered.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, keep))
        if answered["status"].startswith("200"):
            body = _with_run_status(body)
        headers = [(k, v) for k, v in answered["headers"] if k.lower() != "content-length"]
        start_response(answered["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _with_run_status(body: bytes) -> bytes:
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    for execution in [answer, *answer.get("PipelineExecutionSummaries", [])]:
        run = _run_of(str(execution.get("PipelineExecutionArn", "")))
        if run is not None:
            execution["PipelineExecutionStatus"] = run.status
            if run.failure_reason:
                execution["FailureReason"] = run.failure_reason
    return json.dumps(answer).encode()


def _run_of(execution_arn: str) -> Any:
    """The local run of an execution, from the run stores of this process's runners."""
    from builders.localrun.sandbox_runs import run_of

    return run_of(execution_arn.rsplit("/", 1)[-1]) if "/execution/" in execution_arn else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
