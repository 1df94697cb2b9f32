"""Finding the processes of a run's jobs that outlived it, and ending them.

Every job runs with `SM_PIPELINE_CONTAINER_ROOT` set to its container folder inside the run
store (`<runs>/<execution id>/steps/<step>/container`). A process still carrying it after
its job, or its run, ended escaped the job's supervisor (supervise.py): a job that killed
its supervisor left its children behind, or the machine's kill reached the supervisor first.
The runner ends them after each job and when it finds a run interrupted. Linux only (/proc);
elsewhere nothing is found.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from builders.scripts.container_paths import ROOT_ENV

WAIT_SECONDS = 2.0  # for the killed processes to be gone


def processes_under(folder: Path) -> dict[int, Path]:
    """The processes (other than this one) whose container root is `folder` or under it:
    {pid: container root}."""
    if not os.path.isdir("/proc"):
        return {}
    wanted = f"{ROOT_ENV}={folder}".encode()
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            root = _root_of(int(entry), wanted)
            if root is not None:
                found[int(entry)] = root
    return found


def _root_of(pid: int, wanted: bytes) -> Path | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            variables = handle.read().split(b"\0")
    except OSError:
        return None  # ended meanwhile, or not ours to read
    for value in variables:
        if value == wanted or value.startswith(wanted + b"/"):
            return Path(os.fsdecode(value.split(b"=", 1)[1]))
    return None


def end_processes_under(folder: Path) -> list[tuple[int, str]]:
    """Kill (SIGKILL) every process whose container root is under `folder`; returns
    [(pid, name)] of those it ended."""
    wanted = f"{ROOT_ENV}={folder}".encode()
    ended = []
    for pid in processes_under(folder):
        name = _name(pid)
        if _kill(pid, wanted):
            ended.append((pid, name))
    deadline = time.monotonic() + WAIT_SECONDS
    while any(_alive(pid) for pid, _ in ended) and time.monotonic() < deadline:
        time.sleep(0.02)
    return ended


def _kill(pid: int, wanted: bytes) -> bool:
    """SIGKILL `pid` if it still is the process found: through a pidfd where there is one,
    so that a number reused by a new process in the meantime is never signalled."""
    if not hasattr(os, "pidfd_open"):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            return True
        return False
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        if _root_of(pid, wanted) is None:  # the number now belongs to another process
            return False
        signal.pidfd_send_signal(fd, signal.SIGKILL)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text(errors="replace").strip()
    except OSError:
        return "?"
