"""Large objects in and out of the sandbox's S3 in bounded chunks.

moto, the sandbox's AWS, holds a whole object in memory for every PutObject (the request
body) and GetObject (the response), and three copies when it completes a multipart upload:
a 1 GB job output took the app past 3 GB. In front of moto's WSGI application, this passes
the body of a plain PutObject or GetObject of more than STREAM_BYTES between the socket and
a temporary file in CHUNK_BYTES pieces; moto itself still does everything else (it creates
the object from an empty body, with every header, then gets the file as the object's value;
it answers a GET's headers as to a HEAD). Anything else, smaller bodies included, goes to
moto unchanged. Only moto's object value (a file it already keeps) is swapped, under the
object's own lock.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

STREAM_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/s3/aws4_request")
_PLAIN_QUERIES = ("", "x-id=PutObject", "x-id=GetObject")


class StreamingObjects:
    """WSGI middleware: moto's S3, with large plain object bodies streamed through files."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        target = _object_of(environ)
        if target is not None and environ["REQUEST_METHOD"] == "PUT" and _streamable_put(environ):
            return self._put(environ, start_response, target)
        if target is not None and environ["REQUEST_METHOD"] == "GET" and _plain_get(environ):
            return self._get(environ, start_response, target)
        return self.app(environ, start_response)

    def _put(self, environ: dict, start_response: Callable, target: _Object) -> Iterable[bytes]:
        body, digest = _spool(environ["wsgi.input"], int(environ["CONTENT_LENGTH"]))
        status, headers, answer = _call(self.app, {**environ, **_empty_body()})
        key = target.key() if status.startswith("200") else None
        if key is not None:
            _set_value(key, body, digest)
            headers = [(k, f'"{digest}"' if k.lower() == "etag" else v) for k, v in headers]
        elif status.startswith("200"):  # an object this cannot find: moto takes it whole
            body.seek(0)
            return self.app({**environ, "wsgi.input": body}, start_response)
        start_response(status, headers)
        return [answer]

    def _get(self, environ: dict, start_response: Callable, target: _Object) -> Iterable[bytes]:
        key = target.key()
        if key is None or key.size <= STREAM_BYTES:
            return self.app(environ, start_response)
        status, headers, _ = _call(self.app, {**environ, "REQUEST_METHOD": "HEAD"})
        if not status.startswith("200"):  # conditions, errors: moto answers them itself
            return self.app(environ, start_response)
        start_response(status, headers)
        return _chunks(key)


class _Object:
    """The bucket and key a path-style S3 request names, and moto's object for them."""

    def __init__(self, account: str, region: str, bucket: str, name: str):
        self.account, self.region, self.bucket, self.name = account, region, bucket, name

    def key(self) -> Any:
        from moto.s3.models import FakeKey, s3_backends
        from moto.utilities.utils import get_partition

        backend = s3_backends[self.account][get_partition(self.region)]
        try:
            key = backend.get_object(self.bucket, self.name)
        except Exception:
            return None
        return key if isinstance(key, FakeKey) and not key.multipart else None


def _object_of(environ: dict) -> _Object | None:
    """The object of a path-style S3 request signed with SigV4, or None for anything else."""
    found = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not found or environ.get("QUERY_STRING", "") not in _PLAIN_QUERIES:
        return None
    host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0].strip("[]")
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return None  # a virtual-hosted bucket: left to moto
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", errors="replace")
    bucket, _, name = path.lstrip("/").partition("/")
    if not bucket or not name:
        return None
    return _Object(_account(environ, found.group(1)), found.group(2), bucket, name)


def _account(environ: dict, access_key: str) -> str:
    """The account moto serves the request from, found as moto finds it."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if "HTTP_X_MOTO_ACCOUNT_ID" in environ:
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _streamable_put(environ: dict) -> bool:
    """A PutObject whose body is the object's bytes, as they are (no chunked signing, no
    checksum for moto to read from it, no copy), and large."""
    if any(name.startswith(("HTTP_X_AMZ_CHECKSUM", "HTTP_X_AMZ_SDK_CHECKSUM")) for name in environ):
        return False
    if "aws-chunked" in environ.get("HTTP_CONTENT_ENCODING", ""):
        return False
    unusual = ("HTTP_X_AMZ_COPY_SOURCE", "HTTP_CONTENT_MD5", "HTTP_X_AMZ_DECODED_CONTENT_LENGTH")
    if any(name in environ for name in unusual):
        return False
    if environ.get("HTTP_X_AMZ_CONTENT_SHA256", "").startswith("STREAMING-"):
        return False
    length = environ.get("CONTENT_LENGTH", "")
    return length.isdigit() and int(length) > STREAM_BYTES


def _plain_get(environ: dict) -> bool:
    return "HTTP_RANGE" not in environ


def _empty_body() -> dict:
    return {"wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": "0"}


def _spool(stream: Any, length: int) -> tuple[Any, str]:
    """The request body in a temporary file, and its MD5 (the object's ETag)."""
    body = tempfile.TemporaryFile()  # noqa: SIM115 - it becomes the object's value
    digest = hashlib.md5(usedforsecurity=False)
    left = length
    while left:
        chunk = stream.read(min(CHUNK_BYTES, left))
        if not chunk:
            body.close()
            raise ConnectionError(f"The request body ended {left} bytes short.")
        body.write(chunk)
        digest.update(chunk)
        left -= len(chunk)
    return body, digest.hexdigest()


def _call(app: Callable, environ: dict) -> tuple[str, list, bytes]:
    """moto's answer to a request with a small body: (status, headers, body)."""
    answered: list = []

    def start_response(status, headers, exc_info=None):
        answered[:] = [status, list(headers)]

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answered[0], answered[1], body


def _set_value(key: Any, body: Any, digest: str) -> None:
    """Make `body` moto's value of `key`, as moto's own value setter would have."""
    size = body.seek(0, os.SEEK_END)
    with key.lock:
        key._value_buffer = body  # the old one closes when nothing reads it any more
        key.contentsize = size
        key._etag = digest


def _chunks(key: Any) -> Iterator[bytes]:
    """The object's bytes, read piece by piece under its lock (a PUT may replace it)."""
    with key.lock:
        buffer = key._value_buffer
    offset = 0
    while True:
        with key.lock:
            buffer.seek(offset)
            chunk = buffer.read(CHUNK_BYTES)
        if not chunk:
            return
        offset += len(chunk)
        yield chunk
