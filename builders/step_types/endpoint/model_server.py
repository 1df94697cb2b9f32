"""A SageMaker-style model server on 127.0.0.1, for the sandbox's endpoints.

    python model_server.py <spec.json>

Serves `GET /ping` and `POST /invocations` (Content-Type and Accept headers) as a SageMaker
serving container does, through the model's inference handlers: the `Handlers` of the
sandbox's batch scorer (builders/localrun/serve.py, whose path the spec names), so an
endpoint answers exactly as batch transform scores. It listens on a free port, writes
`{"port": ...}` to the spec's `port_file` once it accepts requests, and serves until it is
ended (the sandbox ends it with its step). Standard library only, but for the model's own
packages; the model's code runs here, never in the app.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import sys
import traceback

MAX_BODY = 6 * 1024 * 1024  # SageMaker's limit on a real-time request


def load_handlers(spec: dict):
    """serve.py's Handlers for the spec's model and inference code."""
    module_spec = importlib.util.spec_from_file_location("sandbox_serve", spec["serve"])
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.Handlers(spec)


class Invocations(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    handlers = None  # set by serve()

    def log_message(self, message, *args):
        print("model server: " + message % args, flush=True)

    def do_GET(self):
        if self.path == "/ping":
            self._answer(200, b"", "text/plain")
        else:
            self._answer(404, b"Only GET /ping and POST /invocations are served.", "text/plain")

    def do_POST(self):
        if self.path != "/invocations":
            self._answer(404, b"Only GET /ping and POST /invocations are served.", "text/plain")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, b"The request is larger than 6 MB.", "text/plain")
            return
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type") or "text/csv"
        accept = self.headers.get("Accept") or content_type
        try:
            answer = self.handlers(body, content_type, accept)
        except Exception as error:  # the model's own failure: answered, like a container
            traceback.print_exc()
            message = f"{type(error).__name__}: {error}".encode()
            self._answer(500, message, "text/plain")
            return
        self._answer(200, answer.encode("utf-8"), accept)

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(spec_path: str) -> None:
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    Invocations.handlers = load_handlers(spec)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Invocations)
    server.daemon_threads = True
    port = server.server_address[1]
    partial = spec["port_file"] + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump({"port": port}, handle)
    os.replace(partial, spec["port_file"])  # complete when it appears
    print(f"model server: listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1])
