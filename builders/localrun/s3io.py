"""Moving a job's files between S3 and its local folders, the way SageMaker's agents do.

An S3 prefix is a folder: `s3://b/data` brings `data/x.csv` as `x.csv` and `data/a/y.csv` as
`a/y.csv`; a URI naming one object brings that object under its own name. Keys that only
share the prefix's text (`data2/...` for `data`) are left out: they are another folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builders.localrun.errors import LocalRunError

# S3's limit of one PutObject; a larger file goes in parts (which moto holds in memory).
SINGLE_PUT_BYTES = 5 * 1024**3
CHUNK_BYTES = 1024 * 1024


def split_uri(uri: str) -> tuple[str, str]:
    """("bucket", "key") of `s3://bucket/key`."""
    if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[5:] + "/":
        raise LocalRunError(f"'{uri}' is not an S3 URI (s3://bucket/key).")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def objects_under(s3: Any, uri: str) -> list[tuple[str, str]]:
    """[(key, path relative to the URI)] of the objects the URI stands for."""
    bucket, prefix = split_uri(uri)
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = _relative(item["Key"], prefix)
            if relative is not None:
                found.append((item["Key"], relative))
    return found


def _relative(key: str, prefix: str) -> str | None:
    if key.endswith("/"):
        return None  # a "folder" marker object
    if not prefix or prefix.endswith("/"):
        return key[len(prefix) :]
    if key == prefix:
        return key.rsplit("/", 1)[-1]
    if key.startswith(prefix + "/"):
        return key[len(prefix) + 1 :]
    return None


def download(s3: Any, uri: str, folder: Path) -> int:
    """Copy what `uri` stands for into `folder`; returns the number of files.

    Nothing there is an error: SageMaker fails a job whose input has no objects.
    """
    bucket = split_uri(uri)[0]
    found = objects_under(s3, uri)
    if not found:
        raise LocalRunError(f"No S3 objects at {uri}: the input is empty or missing.")
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    for key, relative in found:
        target = (folder / relative).resolve()
        if root not in target.parents:
            raise LocalRunError(f"The S3 key {key} would be written outside {folder}.")
        _get(s3, bucket, key, target)
    return len(found)


def upload(s3: Any, folder: Path, uri: str) -> int:
    """Copy every file under `folder` to `uri`/<relative path>; returns the number of files."""
    bucket, prefix = split_uri(uri)
    prefix = prefix.rstrip("/")
    count = 0
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            key = f"{prefix}/{path.relative_to(folder).as_posix()}".lstrip("/")
            _put(s3, path, bucket, key)
            count += 1
    return count


def download_file(s3: Any, uri: str, path: Path) -> None:
    bucket, key = split_uri(uri)
    try:
        _get(s3, bucket, key, path)
    except s3.exceptions.NoSuchKey:
        raise LocalRunError(f"There is no file at {uri}.") from None


def upload_file(s3: Any, path: Path, uri: str) -> None:
    _put(s3, path, *split_uri(uri))


# Plain GetObject and PutObject, their bodies streamed from and to files in bounded chunks
# (the sandbox streams large bodies too: deploying/sandbox_s3.py). boto3's managed transfers
# would start a thread pool per file and, for large files, a multipart upload, which moto
# assembles in memory.
def _get(s3: Any, bucket: str, key: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        with open(path, "wb") as handle:
            for chunk in body.iter_chunks(CHUNK_BYTES):
                handle.write(chunk)
    finally:
        body.close()


def _put(s3: Any, path: Path, bucket: str, key: str) -> None:
    if path.stat().st_size > SINGLE_PUT_BYTES:
        s3.upload_file(str(path), bucket, key)
        return
    with open(path, "rb") as handle:
        s3.put_object(Bucket=bucket, Key=key, Body=handle)


def exists(s3: Any, uri: str) -> bool:
    """Whether `uri` stands for at least one object."""
    bucket, prefix = split_uri(uri)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=50)
    return any(_relative(item["Key"], prefix) is not None for item in listed.get("Contents", []))


def read_json(s3: Any, uri: str, limit: int = 10 * 1024 * 1024) -> Any:
    """The JSON document at `uri` (a property file), at most `limit` bytes."""
    bucket, key = split_uri(uri)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read(limit + 1)
    except s3.exceptions.NoSuchKey:
        raise LocalRunError(f"There is no file at {uri}.") from None
    if len(body) > limit:
        raise LocalRunError(f"The file at {uri} is larger than {limit // 2**20} MB.")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LocalRunError(f"The file at {uri} is not JSON: {error}.") from None
