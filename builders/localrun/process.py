"""Run one job's process: its output to the step's log, the tail of its errors kept for the
failure reason, stopped on request or when it runs over its time, and ended with everything
it started.

The job runs under a supervisor (supervise.py) that ends with this process (even at a
kill -9), makes the job end with it, and ends what the job leaves behind. A process that
escaped even so (it carries the job's container root in its environment) is ended here when
the job ends (leftovers.py).
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from builders.localrun.leftovers import end_processes_under
from builders.scripts.container_paths import ROOT_ENV

STDERR_LINES = 12  # the failure reason quotes this many last lines of the job's errors
GRACE_SECONDS = 5.0  # a stopped job gets SIGTERM, then SIGKILL after this long
DRAIN_SECONDS = 5.0  # how long the job's output is still read once it ended
MAX_LINE = 64 * 1024  # a longer line without its end is written in pieces
SUPERVISOR = Path(__file__).with_name("supervise.py")
SUPERVISED = sys.platform.startswith("linux")  # it needs prctl; elsewhere the job runs bare


@dataclass(frozen=True)
class ProcessResult:
    returncode: int
    seconds: float
    stderr_tail: str
    timed_out: bool = False
    stopped: bool = False
    leftovers: tuple[tuple[int, str], ...] = ()  # processes the job left, ended: (pid, name)
    supervisor_lost: bool = False  # the supervisor was killed (by the job, or the system)
    log_error: OSError | None = None  # writing the log failed (a full disk)

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
    report: Path,
    timeout: float | None = None,
) -> ProcessResult:
    """Run `command` under its supervisor; stdout and stderr go to `log` line by line, as
    they come. `report` is a file of the step's for the supervisor's report; processes left
    with `env`'s container root are ended once the supervisor ended.

    Call it on the thread that waits for the job (it does): the kernel sends the
    supervisor's parent-death signal when the thread that started it ends, not the process.
    """
    started = time.perf_counter()
    report.unlink(missing_ok=True)
    supervisor = [sys.executable, "-I", "-S", str(SUPERVISOR), str(os.getpid()), str(report),
                  str(GRACE_SECONDS), "--"]  # fmt: skip
    process = subprocess.Popen(
        [*supervisor, *command] if SUPERVISED else command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # the terminal's Ctrl-C reaches the runner, which stops it
    )  # fmt: skip
    output = _Output(process, log)
    done, stopped = threading.Event(), threading.Event()
    threading.Thread(target=_watch, args=(process, stop, done, stopped), daemon=True).start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _terminate(process)
    finally:
        done.set()
    process.wait()
    seconds = time.perf_counter() - started
    if not SUPERVISED:  # a container ends with its main process: so do the job's children
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    leftovers = _read_report(report) if SUPERVISED else None
    root = env.get(ROOT_ENV)
    if leftovers is None and root:  # no supervisor saw the job to its end: look for escapees
        leftovers = end_processes_under(Path(root))
    output.finish(DRAIN_SECONDS)
    return ProcessResult(
        process.returncode,
        seconds,
        output.stderr_tail(),
        timed_out,
        stopped.is_set(),
        tuple(leftovers or ()),
        supervisor_lost=SUPERVISED and not report.exists(),
        log_error=output.log_error,
    )


def _watch(process: subprocess.Popen, stop: threading.Event, done, stopped) -> None:
    """Stop the job when a stop is asked for while it runs."""
    while not done.is_set():
        if stop.wait(0.1) and not done.is_set():
            stopped.set()
            _terminate(process)
            return


def _terminate(process: subprocess.Popen) -> None:
    """SIGTERM to the supervisor (it passes it on, and kills the job after the grace period);
    SIGKILL to it if it has not ended soon after (the job then dies by its parent-death
    signal). Without a supervisor, the job's process group gets both."""
    with contextlib.suppress(ProcessLookupError):
        if SUPERVISED:
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=GRACE_SECONDS + 5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _read_report(path: Path) -> list[tuple[int, str]] | None:
    """The leftovers the supervisor ended, from its report; None without a report."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    except OSError:
        return None
    found = [line.split(" ", 1) for line in lines]
    return [(int(pid), name) for pid, name in found if pid.isdigit()]


class _Output:
    """Copies the job's stdout and stderr to the log as whole lines, on a thread of its own,
    and keeps the last lines of stderr. Reading never blocks the step's end: what is still
    open after the job ended is read for a while, then closed."""

    def __init__(self, process: subprocess.Popen, log: IO[str]):
        self.log = log
        self.log_error: OSError | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._selector = selectors.DefaultSelector()
        self._pending: dict[int, str] = {}
        self._decoders = {}
        self._stderr = process.stderr.fileno()
        for stream in (process.stdout, process.stderr):
            fd = stream.fileno()
            os.set_blocking(fd, False)
            self._selector.register(fd, selectors.EVENT_READ)
            self._pending[fd] = ""
            self._decoders[fd] = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._streams = (process.stdout, process.stderr)
        self._abandon = threading.Event()
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def finish(self, seconds: float) -> None:
        self._thread.join(seconds)
        if self._thread.is_alive():
            self._abandon.set()
            self._thread.join()
        for stream in self._streams:
            stream.close()
        self._selector.close()

    def stderr_tail(self) -> str:
        return "\n".join(self._tail)

    def _copy(self) -> None:
        while self._selector.get_map() and not self._abandon.is_set():
            for key, _ in self._selector.select(0.2):
                self._read(key.fd)
        for fd in list(self._pending):
            self._lines(fd, self._decoders[fd].decode(b"", final=True), final=True)

    def _read(self, fd: int) -> None:
        try:
            data = os.read(fd, 64 * 1024)
        except BlockingIOError:
            return
        if not data:
            self._selector.unregister(fd)
            return
        self._lines(fd, self._decoders[fd].decode(data))

    def _lines(self, fd: int, text: str, final: bool = False) -> None:
        text = self._pending[fd] + text
        lines = text.splitlines(keepends=True)
        held = lines and not final and not lines[-1].endswith(("\n", "\r"))
        self._pending[fd] = lines.pop() if held and len(lines[-1]) < MAX_LINE else ""
        for line in lines:
            self._write(line if line.endswith(("\n", "\r")) else line + "\n")
            if fd == self._stderr and line.strip():
                self._tail.append(line.rstrip())

    def _write(self, line: str) -> None:
        if self.log_error is not None:
            return  # the disk is full: the tail is still kept for the failure reason
        try:
            self.log.write(line)
            self.log.flush()
        except OSError as error:
            self.log_error = error
