"""The deadline of a deploy (or a status read): it bounds the whole thing, whatever the server.

Timeouts alone do not: a read timeout starts again with every byte, so an endpoint that sends
one byte a second, or a body that never ends, keeps a call going for ever. So a deadline

- checks the time before every attempt of every call (botocore's `request-created`) and
  before any retry sleeps (`needs-retry`);
- while a stage runs (`enforced`), a timer shuts down, at the deadline, every connection its
  clients opened: a read in flight ends at once, whatever the server is doing; the call then
  fails with the deadline's message, naming the stage and the endpoint.

botocore has no public hook to its connections: `track_connections` gives a client's HTTP
session connection classes that register their sockets (botocore is pinned in constraints.txt
and tests/test_deploy_faults.py fails if that stops working).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from builders.errors import DeployError

_WEB_PAGE = (b"<!doctype html", b"<html")


@dataclass(eq=False)
class Deadline:
    """When a deploy (or a status read) gives up."""

    seconds: float
    stage: str = "preflight"
    started: float = field(default_factory=time.monotonic)
    last_failure: str | None = None  # of the last attempt that failed, for the message
    expired: bool = False  # the timer fired: connections were shut down
    where: str = ""  # the endpoint of the last request
    _sockets: weakref.WeakSet = field(default_factory=weakref.WeakSet, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def error(self, where: str | None = None) -> DeployError:
        failure = f" The last attempt failed: {self.last_failure}." if self.last_failure else ""
        return DeployError(
            f"Gave up after {self.seconds:.0f} s during '{self.stage}', waiting on "
            f"{where or self.where}.{failure} Check the network, VPN or proxy and "
            "AWS_ENDPOINT_URL, or allow more time (--timeout).",
            stage=self.stage,
        )

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Time spent here (a user reading a prompt) does not count."""
        paused_at = time.monotonic()
        try:
            yield
        finally:
            self.started += time.monotonic() - paused_at

    @contextlib.contextmanager
    def enforced(self) -> Iterator[None]:
        """While this runs, the deadline ends whatever its connections are waiting for."""
        timer = threading.Timer(max(0.0, self.remaining()), self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _expire(self) -> None:
        with self._lock:  # shutdown does not block; a socket is never closed under it
            self.expired = True
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                raise OSError("the deploy's deadline has passed")
            self._sockets.add(sock)

    def release(self, sock: socket.socket) -> None:
        """Stop tracking `sock` and close it (a duplicate this deadline made)."""
        with self._lock:
            self._sockets.discard(sock)
            sock.close()

    def watch(self, client: Any, where: str) -> Any:
        """Bound every attempt of `client`'s calls by this deadline, and refuse an answer that
        is a web page (a proxy's or a portal's) before botocore parses it."""

        def check(**_: Any) -> None:
            self.where = where
            if self.expired or self.remaining() <= 0:
                raise self.error(where)

        def note(caught_exception: Exception | None = None, **_: Any) -> None:
            if self.expired or self.remaining() <= 0:
                raise self.error(where)  # before botocore sleeps for a retry
            if caught_exception is not None:
                self.last_failure = str(caught_exception)

        def not_a_page(response_dict: dict, **_: Any) -> None:
            if self.expired:  # cut short by the deadline: not an answer
                raise self.error(where)
            # A success that is a web page; errors are ClientErrors already. The content type
            # says little: moto sends text/html with its XML.
            body = response_dict.get("body")
            success = response_dict.get("status_code", 500) < 300
            if (
                success
                and isinstance(body, bytes)
                and body[:512].lstrip().lower().startswith(_WEB_PAGE)
            ):
                raise DeployError(not_aws(self.stage, where), stage=self.stage)

        client.meta.events.register("request-created", check)
        client.meta.events.register("needs-retry", note)
        client.meta.events.register("before-parse", not_a_page)
        track_connections(client, self)
        return client


def not_aws(stage: str, where: str) -> str:
    return (
        f"{where} answered during '{stage}' with something that is not an AWS "
        "response (an HTML page?). A proxy, a captive portal or a wrong AWS_ENDPOINT_URL is "
        "in the way: check them, then deploy again."
    )


def track_connections(client: Any, deadline: Deadline) -> None:
    """Make the connections `client` opens register their sockets with `deadline`."""
    pools = client._endpoint.http_session._pool_classes_by_scheme  # shared with its managers
    for scheme, pool in list(pools.items()):
        pools[scheme] = type(
            pool.__name__, (pool,), {"ConnectionCls": _tracked(pool.ConnectionCls, deadline)}
        )


def _tracked(connection_class: type, deadline: Deadline) -> type:
    class Tracked(connection_class):
        def _new_conn(self) -> socket.socket:
            # A duplicate of the bare socket while connecting: TLS takes the socket over
            # (a handshake can drip too), and shutting a duplicate down ends the connection.
            sock = super()._new_conn()
            self._connecting = sock.dup()
            deadline.track(self._connecting)
            return sock

        def connect(self) -> None:
            try:
                super().connect()
            finally:
                if getattr(self, "_connecting", None) is not None:
                    deadline.release(self._connecting)
                    self._connecting = None
            deadline.track(self.sock)

    Tracked.__name__ = connection_class.__name__
    return Tracked
