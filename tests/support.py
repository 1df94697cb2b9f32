"""Helpers shared by the tests (importable as `support`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import http.client
import http.server
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from builders.designs.config_io import load_configs
from builders.graph.dag import load_dag

REPO = Path(__file__).resolve().parents[1]
STARTERS = REPO / "builders" / "starters"
# The deadline of a status read or re-run for tests that are not about it: the pages' 5 s is
# short on a loaded machine (CI runs two test workers beside the SDK 2.x tests).
PATIENT = 60.0

BASE = {
    "author": "ml-team",
    "bucket": "my-ml-bucket",
    "role": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
    "region": "us-east-1",
    "service_name": "fraud",
}
HYPERPARAMETERS = {
    "full_field_list": ["id", "label", "age", "amount", "country"],
    "tab_field_list": ["age", "amount"],
    "cat_field_list": ["country"],
    "label_name": "label",
    "id_name": "id",
}


def load_starter(name: str):
    """(dag, configs, folder) of a starter design as shipped."""
    folder = STARTERS / name
    return load_dag(folder / "dag.json"), load_configs(folder / "config.json"), folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto():
    """A moto server on 127.0.0.1 with empty state (moto keeps state per process, not per
    server): (server, endpoint URL)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("POST", "/moto-api/reset")
    assert connection.getresponse().status == 200
    return server, f"http://{host}:{port}"


class ForwardingProxy(http.server.ThreadingHTTPServer):
    """An HTTP proxy on 127.0.0.1 in front of `upstream` (moto): `intercept(handler)` may
    answer a request itself (returning True) or let it through."""

    daemon_threads = True

    def __init__(self, upstream: str, intercept: Callable[..., bool] = lambda handler: False):
        self.upstream = upstream.removeprefix("http://")
        self.intercept = intercept
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        """Stop answering and listening: new connections are refused."""
        self.shutdown()
        self.server_close()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # answers "Expect: 100-continue" (S3 uploads) at once

    def log_message(self, *args):  # quiet
        pass

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        if self.server.intercept(self):
            return
        connection = http.client.HTTPConnection(self.server.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward


class FaultyServer:
    """A TCP server on 127.0.0.1 that misbehaves: "reset" closes each connection with a TCP
    reset, "hang" accepts and never answers, "html" answers HTTP 200 with a web page,
    "trickle" sends the headers and then one byte of the body every 2 s, "drip" sends the
    status line and headers one byte a second, "half-open" sends half the headers and then
    nothing, with the connection open, "endless" sends a chunked body that never ends."""

    PAGE = b"<html><body><h1>Welcome to the hotel Wi-Fi</h1></body></html>"

    def __init__(self, behaviour: str):
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self.behaviour == "reset":
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
            elif self.behaviour == "hang":
                self.held.append(connection)
            else:
                self.held.append(connection)
                answer = self._page if self.behaviour == "html" else self._misbehave
                threading.Thread(target=answer, args=(connection,), daemon=True).start()

    def _page(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                + str(len(self.PAGE)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + self.PAGE
            )

    HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n"

    def _misbehave(self, connection: socket.socket) -> None:
        """Answer each request as `behaviour` says, until the client goes or close()."""
        try:
            connection.recv(65536)
            if self.behaviour == "trickle":
                connection.sendall(self.HEADERS)
                self._slowly(connection, b"<" * 100000, 2.0)
            elif self.behaviour == "drip":
                self._slowly(connection, self.HEADERS, 1.0)
            elif self.behaviour == "half-open":
                connection.sendall(self.HEADERS[:30])
                self.closed.wait()
            else:  # endless: 1.6 MB/s, enough to never end and little enough for memory
                connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                chunk = b"4000\r\n" + b"<a>" * 5461 + b"<\r\n"
                while not self.closed.wait(0.01):
                    connection.sendall(chunk)
        except OSError:
            return  # the client went away

    def _slowly(self, connection: socket.socket, data: bytes, interval: float) -> None:
        for byte in data:
            if self.closed.wait(interval):
                return
            connection.sendall(bytes([byte]))

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        for connection in self.held:
            connection.close()


def sdk_classes(*names: str) -> list:
    """The installed SDK's workflow classes by name (`ConditionStep`, `Join`, ...): the same
    ones the builders use, whichever SDK version is installed."""
    from builders.compiling.sdk import backend

    workflow = backend().workflow
    return [getattr(workflow, name) for name in names]
