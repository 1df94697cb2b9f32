"""The sandbox's stand-in for Lambda's Python runtime: one call of a handler, in this process.

    python lambda_invoke_local.py <task folder> <module.function> <event.json> <answer.json>

Run by the local runner in a process of its own, with the function's environment, in its
task folder (Lambda's /var/task), with the function's memory as this process's address-space
limit and its files limited to /tmp's size. The answer (or Lambda's error document) is
written as JSON; a failure also goes to the container's failure file and exits non-zero.
This file is alone in its folder, so nothing of the project is importable by the handler.
"""

import importlib
import json
import os
import resource
import sys
import time
import traceback
import uuid

HEADROOM_MB = 512  # the interpreter and its libraries' mappings, beyond the function's memory
TMP_BYTES = 512 * 1024 * 1024  # Lambda's default ephemeral storage


class Context:
    """What Lambda's Python runtime hands a handler as `context`."""

    def __init__(self, deadline: float):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("SM_LAMBDA_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local-sandbox"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def limit(memory_mb: int) -> None:
    """The function's memory as this process's address space, its /tmp as a file's size
    (never above a limit the process has already)."""
    for kind, size in (
        (resource.RLIMIT_AS, (memory_mb + HEADROOM_MB) * 1024 * 1024),
        (resource.RLIMIT_FSIZE, TMP_BYTES),
    ):
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            size = min(size, hard)
        resource.setrlimit(kind, (size, size))


def main() -> int:
    task, handler, event_file, answer_file = sys.argv[1:5]
    timeout = float(os.environ.get("SM_LAMBDA_TIMEOUT", "3"))
    deadline = time.monotonic() + timeout
    with open(event_file, encoding="utf-8") as handle:
        event = json.load(handle)
    limit(int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")))
    os.chdir(task)
    sys.path[0] = task  # Lambda puts /var/task first
    module_name, _, function_name = handler.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
        answer = function(event, Context(deadline))
        text = json.dumps(answer)
    except Exception as error:  # Lambda reports it as the invocation's error
        failed = {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "stackTrace": traceback.format_tb(error.__traceback__),
        }
        traceback.print_exc()
        with open(answer_file, "w", encoding="utf-8") as handle:
            json.dump(failed, handle)
        failure = os.environ.get("SM_LAMBDA_FAILURE_FILE")
        if failure:
            with open(failure, "w", encoding="utf-8") as handle:
                handle.write(f"{failed['errorType']}: {failed['errorMessage']}"[:1000])
        return 1
    with open(answer_file, "w", encoding="utf-8") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
