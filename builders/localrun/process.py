"""Run one job's process: its output to the step's log, the tail of its errors kept for the
failure reason, stopped on request or when it runs over its time."""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STDERR_LINES = 12  # the failure reason quotes this many last lines of the job's errors


@dataclass(frozen=True)
class ProcessResult:
    returncode: int
    seconds: float
    stderr_tail: str
    timed_out: bool = False
    stopped: bool = False

    @property
    def killed_by_signal(self) -> bool:
        """Ended by a signal it did not ask for (the kernel's OOM killer, a kill -9)."""
        return self.returncode < 0 and not (self.timed_out or self.stopped)


def run_process(
    command: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log: IO[str],
    stop: threading.Event,
    timeout: float | None = None,
) -> ProcessResult:
    """Run `command`; its stdout and stderr go to `log` line by line, as they come."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        bufsize=1,
        start_new_session=True,  # a stop ends the job's own children too
    )
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
    lock = threading.Lock()
    readers = [
        threading.Thread(target=_copy, args=(process.stdout, log, lock, None), daemon=True),
        threading.Thread(target=_copy, args=(process.stderr, log, lock, tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    done = threading.Event()
    stopped = threading.Event()
    threading.Thread(target=_watch, args=(process, stop, done, stopped), daemon=True).start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(process)
    finally:
        done.set()
    process.wait()
    _kill_group(process)  # a container ends with its main process: so do its children
    for reader in readers:
        reader.join()
    seconds = time.perf_counter() - started
    return ProcessResult(process.returncode, seconds, "\n".join(tail), timed_out, stopped.is_set())


def _watch(process, stop: threading.Event, done: threading.Event, stopped) -> None:
    """Kill the job when a stop is asked for while it runs."""
    while not done.is_set():
        if stop.wait(0.1) and not done.is_set():
            stopped.set()
            _kill(process)
            return


def _copy(stream: IO[str], log: IO[str], lock: threading.Lock, tail) -> None:
    for line in stream:
        with lock:
            log.write(line)
            log.flush()
        if tail is not None and line.strip():
            tail.append(line.rstrip())
    stream.close()


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _kill(process: subprocess.Popen) -> None:
    """SIGTERM the job's process group, then SIGKILL what is left after 5 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
