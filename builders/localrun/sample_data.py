"""Small sample data for the starters, made here (nothing downloaded), placed in the sandbox.

A starter lists its sample files in `builders/starters/<name>/sample_data.json`: which config
field gives the location (a node's field, or one item of a list field), the file name when
that location is a folder, and the generator with its arguments:

    {"files": [{"node": "DataLoadingTraining", "field": "data_sources", "index": 0,
                "name": "transactions.csv", "generator": "fraud_transactions",
                "arguments": {"rows": 400, "seed": 1}}]}

The locations come from the design's config document, so a design whose bucket or data
paths were edited gets its sample data where it reads it.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builders.fileio import read_json
from builders.localrun.errors import LocalRunError
from builders.localrun.s3io import split_uri

STARTERS = Path(__file__).parents[1] / "starters"
SAMPLE_FILE = "sample_data.json"
FRAUD_COLUMNS = ["transaction_id", "is_fraud", "account_age", "transaction_count", "amount"]
PLACEHOLDER_MODEL = (
    b"A placeholder, not a TorchScript model: the sample data of the pytorch starter.\n"
    b"Replace this model.tar.gz with your own model.pt to serve it.\n"
)


def fraud_transactions(rows: int, seed: int, first_id: int = 0) -> bytes:
    """Card transactions as CSV with a header: large amounts, young accounts and many
    transactions make fraud likelier (about a quarter of the rows), with noise."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FRAUD_COLUMNS)
    for number in range(rows):
        amount = round(rng.uniform(1, 1000), 2)
        account_age = rng.randint(1, 3000)
        transaction_count = rng.randint(0, 50)
        logit = (amount - 600) / 90 - account_age / 900 + transaction_count / 20 - 1.0
        is_fraud = int(rng.random() < 1 / (1 + math.exp(-logit)))
        writer.writerow([first_id + number, is_fraud, account_age, transaction_count, amount])
    return buffer.getvalue().encode()


def placeholder_model_archive() -> bytes:
    """A model.tar.gz holding a stand-in model.pt: enough to package and register."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as archive:
        info = tarfile.TarInfo("model.pt")
        info.size = len(PLACEHOLDER_MODEL)
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(PLACEHOLDER_MODEL))
    return gzip.compress(tar_bytes.getvalue(), mtime=0)


GENERATORS: dict[str, Callable[..., bytes]] = {
    "fraud_transactions": fraud_transactions,
    "placeholder_model_archive": placeholder_model_archive,
}


def sample_objects(starter: str, config: dict[str, Any] | None = None) -> dict[str, bytes]:
    """{S3 URI: bytes} of the starter's sample data, at the locations `config` (the design's
    config document; default: the starter's own) gives. Empty for a starter without any."""
    folder = STARTERS / starter
    if not (folder / "config.json").is_file():
        raise LocalRunError(f"There is no starter named '{starter}'.")
    if not (folder / SAMPLE_FILE).is_file():
        return {}
    listed = read_json(folder / SAMPLE_FILE, "starter sample data list")
    config = config or read_json(folder / "config.json", "starter config")
    objects = {}
    for entry in listed.get("files", []):
        location = _location(config, entry)
        uri = location + entry["name"] if location.endswith("/") else location
        generator = GENERATORS[entry["generator"]]
        objects[uri] = generator(**entry.get("arguments", {}))
    return objects


def seed_sample_data(starter: str, s3: Any, config: dict[str, Any] | None = None) -> list[str]:
    """Put the starter's sample data in the sandbox's S3 (creating buckets); objects already
    there are left alone, so a user's own data is never replaced. Returns the URIs written."""
    written = []
    for uri, content in sample_objects(starter, config).items():
        bucket, key = split_uri(uri)
        _ensure_bucket(s3, bucket)
        if _exists(s3, bucket, key):
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=content)
        written.append(uri)
    return written


def matching_starters(config: dict[str, Any]) -> list[str]:
    """The starters whose sample data a design (its config document) reads: every node the
    starter's sample data goes to is in the design, with the same config type."""
    types = config.get("metadata", {}).get("config_types", {})
    found = []
    for folder in sorted(STARTERS.iterdir()):
        if not (folder / SAMPLE_FILE).is_file():
            continue
        starter_types = read_json(folder / "config.json", "starter config")["metadata"]
        nodes = {e["node"] for e in read_json(folder / SAMPLE_FILE, "sample list")["files"]}
        if nodes and all(
            node in types and types[node] == starter_types["config_types"].get(node)
            for node in nodes
        ):
            found.append(folder.name)
    return found


def seed_design_sample_data(config: dict[str, Any], s3: Any) -> list[str]:
    """Seed the sample data of every starter the design comes from (see matching_starters)
    where the design reads it; returns the URIs written."""
    return [
        uri
        for starter in matching_starters(config)
        for uri in seed_sample_data(starter, s3, config)
    ]


def _location(config: dict[str, Any], entry: dict[str, Any]) -> str:
    configuration = config.get("configuration", {})
    node_values = configuration.get("specific", {}).get(entry["node"], {})
    value = node_values.get(entry["field"], configuration.get("shared", {}).get(entry["field"]))
    if "index" in entry and isinstance(value, list) and len(value) > entry["index"]:
        value = value[entry["index"]]
    if not isinstance(value, str) or not value.startswith("s3://"):
        raise LocalRunError(
            f"The sample data goes to {entry['node']}.{entry['field']}, which holds "
            f"{value!r}, not an S3 location. Set it to an s3:// location.",
            node=entry["node"],
            field=entry["field"],
        )
    return value


def _exists(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def _ensure_bucket(s3: Any, bucket: str) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        region = s3.meta.region_name
        location = {} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}
        }  # fmt: skip
        s3.create_bucket(Bucket=bucket, **location)
