"""The function a PythonFunction step runs: your function, with its ports as local folders.

The SDK's function step serializes this module's `run` (by reference: this file is packed
into the step's workspace, beside your code) and its arguments: your function (also by
reference: `features.build_features`), the fixed arguments, and where the ports are. In the
job it downloads nothing itself: each input port is a training channel, so SageMaker puts
its files in /opt/ml/input/data/<port>. It calls your function with one folder per port,
then uploads each output folder to <output prefix>/<execution id>/<node>/<port> and returns
those S3 URIs (under "outputs") with what your function returned (under "value").

Runs inside SageMaker containers: Python 3.8, the standard library and boto3 only. It is
standalone on purpose (no job runtime): your code folder may have modules of any name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT_ENV = "SM_PIPELINE_CONTAINER_ROOT"  # the local sandbox moves /opt/ml under a folder


def container_path(path: str) -> Path:
    """`/opt/ml/...` where this job sees it."""
    return Path(os.environ.get(ROOT_ENV, "/")) / path.lstrip("/")


def run(function, arguments, inputs, outputs, output_prefix, node, execution_id):
    """Call `function` with the ports' folders and `arguments`; upload its outputs.

    The SDK's job driver runs this in the workspace folder: your code's relative paths
    are relative to the code folder, as on your machine."""
    folders = {port: container_path(path) for port, path in inputs.items()}
    for port in inputs:
        folders[port].mkdir(parents=True, exist_ok=True)  # an empty input is still a folder
    targets = {port: container_path(f"/opt/ml/function/output/{port}") for port in outputs}
    for folder in targets.values():
        folder.mkdir(parents=True, exist_ok=True)
    given = {port: str(folder) for port, folder in {**folders, **targets}.items()}
    value = function(**arguments, **given)
    uris = {}
    for port, folder in targets.items():
        uris[port] = f"{output_prefix.rstrip('/')}/{execution_id}/{node}/{port}"
        count = upload(folder, uris[port])
        print(f"output {port}: {count} file(s) to {uris[port]}", flush=True)
    return {"outputs": uris, "value": value if _is_json(value) else repr(value)}


def upload(folder: Path, uri: str) -> int:
    """Every file under `folder` to `uri`/<relative path>; how many."""
    import boto3

    bucket, _, prefix = uri[len("s3://") :].partition("/")
    client = boto3.client("s3")
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(folder).as_posix()}")
            count += 1
    return count


def _is_json(value) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
