"""A job's supervisor: what a container's init is to its processes, on this machine.

    python -I -S supervise.py <runner pid> <report file> <grace seconds> -- <command...>

The runner starts every job through it (process.py). It
- ends with the runner: a parent-death signal (Linux prctl) reaches it when the runner's
  process ends, even by kill -9; it then kills everything the job started;
- makes the job end with it: the job gets its own parent-death signal (SIGKILL), so a job
  that kills its supervisor dies on the spot;
- is the job's subreaper: a process the job leaves behind (a daemon, a detached child) is
  re-parented to it rather than to init, so it can be found;
- ends the job's leftovers when the job's main process exits: a step ends when its process
  ends, as a container stops with its entry point;
- on SIGTERM (the runner stopping the job: a stop, a time limit), passes SIGTERM to the job's
  process group and kills what is left after the grace period.
It exits as the job did (its exit code, or killed by the same signal) and writes a report
for the runner's log: why it stopped (or an empty line), then `<pid> <name>` of each leftover
it ended. Standard library only, run with -I -S, and few imports (json and contextlib would
double its start-up): it starts once per job and imports nothing of the user's.
"""

import ctypes
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
WATCHED = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
LEFTOVER_ROUNDS = 50  # kill, reap and look again: a forking leftover cannot outrun this


def prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl({option}): {os.strerror(error)}")


def descendants(root: int) -> list:
    """The live (not zombie) processes under `root`, read from /proc."""
    children: dict = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended meanwhile
        if fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, pending = [], list(children.get(root, []))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def process_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return "?"


class Supervisor:
    def __init__(self, runner: int, report: str, grace: float, command: list):
        self.runner, self.report, self.grace, self.command = runner, report, grace, command
        self.job = 0
        self.status = None  # the job's wait status, once it ended
        self.stop_reason = None
        self.deadline = None  # when the job is killed after a SIGTERM
        self.leftovers: list = []

    def run(self) -> int:
        signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)  # taken with sigtimedwait below
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != self.runner:  # the runner ended before the signal was set up
            return self._finish(None, "the runner ended before the job started")
        self.job = self._start()
        while self.status is None:
            self._wait_for_signal()
        self._end_leftovers()
        return self._finish(self.status, self.stop_reason)

    def _start(self) -> int:
        supervisor = os.getpid()
        pid = os.fork()
        if pid:
            return pid
        try:  # the job's process: its own group, dying with the supervisor
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            os.setpgid(0, 0)
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != supervisor:
                os._exit(137)
            os.execvp(self.command[0], self.command)
        except BaseException as error:
            os.write(2, f"Cannot start {self.command[0]}: {error}\n".encode())
        os._exit(127)

    def _wait_for_signal(self) -> None:
        timeout = 3600.0 if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        info = signal.sigtimedwait(WATCHED, timeout)
        if info is not None and info.si_signo != signal.SIGCHLD:
            self._stop(info.si_signo)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self._kill_all()
        self._reap()

    def _stop(self, signo: int) -> None:
        """The runner asks the job to stop (or the runner ended): SIGTERM, then SIGKILL."""
        if os.getppid() != self.runner:
            self.stop_reason = "the runner's process ended"
            self._kill_all()  # nobody waits for the job's output any more
            return
        self.stop_reason = (
            self.stop_reason or f"stopped by the runner ({signal.Signals(signo).name})"
        )
        if self.deadline is None:
            self.deadline = time.monotonic() + self.grace
            try:  # noqa: SIM105 - contextlib costs a job 15 ms
                os.killpg(self.job, signal.SIGTERM)
            except OSError:
                pass

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.job:
                self.status = status

    def _kill_all(self) -> list:
        pids = descendants(os.getpid())
        for pid in pids:
            try:  # noqa: SIM105
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return pids

    def _end_leftovers(self) -> None:
        """Kill what the job left running; every process under this one, until none is left."""
        if not _has_children():
            return  # then nothing is under it: an orphan would have been re-parented here
        seen = set()
        for _ in range(LEFTOVER_ROUNDS):
            names = {pid: process_name(pid) for pid in descendants(os.getpid())}
            if not names:
                return
            for pid, name in names.items():
                if pid not in seen:
                    seen.add(pid)
                    self.leftovers.append([pid, name])
            self._kill_all()
            signal.sigtimedwait({signal.SIGCHLD}, 0.05)
            self._reap()

    def _finish(self, status, reason) -> int:
        lines = [reason or ""] + [f"{pid} {name}" for pid, name in self.leftovers]
        try:
            with open(self.report, "w", encoding="utf-8", errors="replace") as handle:
                handle.write("".join(line.replace("\n", " ") + "\n" for line in lines))
        except OSError:
            pass  # a full disk: the runner reads no report, and says so
        if status is None:
            return 137
        if os.WIFSIGNALED(status):  # end as the job did, so the runner sees the signal
            signo = os.WTERMSIG(status)
            if signo not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(signo, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signo})
            os.kill(os.getpid(), signo)
            return 128 + signo
        return os.WEXITSTATUS(status)


def _has_children() -> bool:
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def main(argv: list) -> int:
    separator = argv.index("--")
    runner, report, grace = argv[1:separator]
    command = argv[separator + 1 :]
    return Supervisor(int(runner), report, float(grace), command).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
