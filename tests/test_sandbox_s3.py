"""The sandbox's S3 takes and gives large objects in bounded chunks, and they are the objects
moto would have made: same bytes, ETag, size in listings, metadata; copies work; requests
the streaming leaves to moto (small bodies, checksummed uploads, ranges) behave as before.

The memory test runs in a fresh interpreter, as the app hosts the sandbox: its peak memory
grows by far less than the object it stores and reads back."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import boto3
import pytest
from botocore.config import Config
from support import REPO

from builders.deploying.sandbox import sandbox
from builders.deploying.sandbox_s3 import STREAM_BYTES
from builders.localrun import s3io
from builders.localrun.runner import SANDBOX_CREDENTIALS

BUCKET = "streamed"
BIG = bytes(range(256)) * (STREAM_BYTES // 256 * 3 + 17)  # a little over 3 chunks' worth


def client(checksums: str = "when_required"):
    config = Config(request_checksum_calculation=checksums, response_checksum_validation=checksums)
    return boto3.client(
        "s3",
        endpoint_url=sandbox().endpoint_url,
        region_name="us-east-1",
        config=config,
        **SANDBOX_CREDENTIALS,
    )


@pytest.fixture(scope="module")
def s3():
    s3 = client()
    s3.create_bucket(Bucket=BUCKET)
    return s3


def test_a_large_object_round_trips_as_moto_would_store_it(s3, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(BIG)
    s3io.upload_file(s3, source, f"s3://{BUCKET}/out/big.bin")
    s3.put_object(Bucket=BUCKET, Key="tagged.bin", Body=BIG, ContentType="x/y", Metadata={"a": "1"})

    head = s3.head_object(Bucket=BUCKET, Key="out/big.bin")
    assert head["ContentLength"] == len(BIG)
    assert head["ETag"] == f'"{hashlib.md5(BIG).hexdigest()}"'
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="out/")["Contents"]
    assert [(item["Key"], item["Size"]) for item in listed] == [("out/big.bin", len(BIG))]
    target = tmp_path / "back.bin"
    s3io.download_file(s3, f"s3://{BUCKET}/out/big.bin", target)
    assert target.read_bytes() == BIG
    tagged = s3.get_object(Bucket=BUCKET, Key="tagged.bin")
    assert (tagged["ContentType"], tagged["Metadata"]) == ("x/y", {"a": "1"})
    assert tagged["Body"].read() == BIG
    source = {"Bucket": BUCKET, "Key": "tagged.bin"}
    s3.copy_object(Bucket=BUCKET, Key="copy.bin", CopySource=source)
    assert s3.get_object(Bucket=BUCKET, Key="copy.bin")["Body"].read() == BIG


def test_what_is_left_to_moto_still_works(s3):
    checksummed = client("when_supported")  # botocore's default: a CRC in signed chunks
    checksummed.put_object(Bucket=BUCKET, Key="crc.bin", Body=BIG)
    assert checksummed.get_object(Bucket=BUCKET, Key="crc.bin")["Body"].read() == BIG
    s3.put_object(Bucket=BUCKET, Key="small.txt", Body=b"small")
    assert s3.get_object(Bucket=BUCKET, Key="small.txt")["Body"].read() == b"small"
    ranged = s3.get_object(Bucket=BUCKET, Key="crc.bin", Range="bytes=10-19")["Body"].read()
    assert ranged == BIG[10:20]
    s3.put_object(Bucket=BUCKET, Key="replaced.bin", Body=BIG)
    s3.put_object(Bucket=BUCKET, Key="replaced.bin", Body=BIG[::-1])
    assert s3.get_object(Bucket=BUCKET, Key="replaced.bin")["Body"].read() == BIG[::-1]
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=BUCKET, Key="missing.bin")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.put_object(Bucket="no-such-bucket", Key="big.bin", Body=BIG)


MEMORY = """
import json, resource, sys, tempfile, pathlib
from builders.deploying.sandbox import sandbox, stop_sandbox
from builders.localrun import LocalRunner, RunStore, s3io
megabytes = int(sys.argv[1])
folder = pathlib.Path(tempfile.mkdtemp())
runner = LocalRunner(RunStore(folder / "runs"), endpoint_url=sandbox().endpoint_url,
                     region="us-east-1")
s3 = runner.aws.s3
s3.create_bucket(Bucket="memory")
source = folder / "big.bin"
with open(source, "wb") as handle:
    for _ in range(megabytes):
        handle.write(b"m" * 2**20)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
s3io.upload(s3, folder, "s3://memory/out")
s3io.download(s3, "s3://memory/out", folder / "back")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert (folder / "back" / "big.bin").stat().st_size == megabytes * 2**20
stop_sandbox()
print(json.dumps({"grew_mib": (after - before) / 1024}))
"""


def test_storing_and_reading_a_large_output_keeps_the_process_small():
    megabytes = 192
    run = subprocess.run(
        [sys.executable, "-c", MEMORY, str(megabytes)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    grew = json.loads(run.stdout.strip().splitlines()[-1])["grew_mib"]
    assert grew < megabytes / 4, f"the process grew by {grew:.0f} MiB for a {megabytes} MB output"
