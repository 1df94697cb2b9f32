"""The sandbox serves AWS's stand-in without touching the process's logging: werkzeug's
logger (the app's own, under Streamlit) keeps its level and handlers, and requests print
nothing. Run in a fresh interpreter, as a user's process would start it."""

from __future__ import annotations

import subprocess
import sys

from support import REPO

SCRIPT = """
import logging, boto3
werkzeug = logging.getLogger("werkzeug")
before = (werkzeug.level, list(werkzeug.handlers), logging.getLogger().level)
from builders.deploying.sandbox import sandbox, stop_sandbox
endpoint = sandbox().endpoint_url
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
s3.create_bucket(Bucket="quiet")
assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["quiet"]
stop_sandbox()
after = (werkzeug.level, list(werkzeug.handlers), logging.getLogger().level)
assert before == after, (before, after)
print("done")
"""


def test_the_sandbox_leaves_logging_alone_and_prints_no_request():
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "done\n"
    assert "HTTP/1.1" not in run.stderr and "GET /" not in run.stderr, run.stderr
