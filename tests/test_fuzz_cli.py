"""Fuzz the CLI as a user runs it: bad config and DAG files, each run through
`python -m builders validate` and `compile` in a process of its own.

A run fails the test when it exits with anything but 0 or 1, prints a traceback, or uses more
CPU than its budget (or more than 2 GiB of memory). The cases come from tests/fuzz_inputs.py,
seeded: `pytest tests/test_fuzz_cli.py --cases 2000 --seed 7` (or FUZZ_CASES and FUZZ_SEED)
runs longer; a failure names the seed and the case to run again.
"""

from __future__ import annotations

import collections
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from fuzz_inputs import STARTER, Case, cases
from support import REPO

pytestmark = pytest.mark.slow

DEFAULT_CASES, DEFAULT_SEED = 192, 20261129  # 12 per category
CPU_BUDGET = {"validate": 5.0, "compile": 20.0}  # seconds; a valid compile takes ~2
MEMORY_LIMIT = 2 * 1024**3  # address space: an unbounded read dies here
WALL_LIMIT = 120.0


@dataclass(frozen=True)
class Run:
    command: str
    code: int
    output: str
    cpu: float

    def problem(self) -> str | None:
        if self.code not in (0, 1):
            return f"exit code {self.code}"
        if "Traceback" in self.output or "╭" in self.output:
            return "a traceback"
        if self.cpu > CPU_BUDGET[self.command]:
            return f"{self.cpu:.1f} s of CPU (budget {CPU_BUDGET[self.command]:.0f} s)"
        if self.code == 1 and "problem(s)" not in self.output:
            return "exit code 1 without a message"
        return None


def setting(request, option: str, variable: str, default: int) -> int:
    value = request.config.getoption(option) or os.environ.get(variable)
    return int(value) if value else default


def test_bad_configs_and_dags_end_in_a_message(request, tmp_path):
    count = setting(request, "--cases", "FUZZ_CASES", DEFAULT_CASES)
    seed = setting(request, "--seed", "FUZZ_SEED", DEFAULT_SEED)
    shutil.copytree(STARTER / "inference", tmp_path / "inference")  # source_dir of Packaging
    (tmp_path / "a-folder").mkdir()
    generated = cases(count, seed)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda item: run_case(*item, tmp_path), enumerate(generated)))
    failures = [
        f"case {index} ({case.category}: {case.what}), {run.command}: {problem}\n"
        f"{run.output[-600:]}"
        for index, (case, runs) in enumerate(zip(generated, results, strict=True))
        for run in runs
        if (problem := run.problem())
    ]
    summary(generated, results, seed, time.monotonic() - started)
    assert not failures, f"seed {seed}:\n" + "\n".join(failures)


def run_case(index: int, case: Case, folder: Path) -> list[Run]:
    config = materialize(case.config, folder, f"config-{index}.json")
    dag = materialize(case.dag, folder, f"dag-{index}.json")
    design = ["--dag", dag, "--config", config]
    out = materialize_out(case.out, folder, index)
    return [
        run_cli("validate", design),
        run_cli("compile", [*design, "--out", out, *case.extra]),
    ]


def materialize(content: bytes | str, folder: Path, name: str) -> str:
    """Write `content` as a file, or make the special path a case names."""
    if isinstance(content, bytes):
        (folder / name).write_bytes(content)
        return str(folder / name)
    if content == "{fifo}":
        os.mkfifo(folder / name)
    elif content == "{link}":
        (folder / name).symlink_to(folder / "nowhere" / name)
    return {"{folder}": str(folder / "a-folder"), "{missing}": str(folder / "missing.json")}.get(
        content, str(folder / name) if content.startswith("{") else content
    )


def materialize_out(out: str | None, folder: Path, index: int) -> str:
    if out is None:
        return str(folder / f"out-{index}.json")
    if out == "{file}/x.json":
        (folder / f"file-{index}").write_text("x")
        return str(folder / f"file-{index}" / "x.json")
    return out.replace("{folder}", str(folder / "a-folder"))


def run_cli(command: str, args: list[str]) -> Run:
    """One `python -m builders` process: its exit code, output and CPU time."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "builders", command, *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        hard_cpu = int(CPU_BUDGET[command]) + 10
        for kind, limit in ((resource.RLIMIT_CPU, hard_cpu), (resource.RLIMIT_AS, MEMORY_LIMIT)):
            with contextlib.suppress(ProcessLookupError):  # already ended
                resource.prlimit(process.pid, kind, (limit, limit))
        killer = threading.Timer(WALL_LIMIT, process.kill)
        killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return Run(command, process.returncode, text, usage.ru_utime + usage.ru_stime)


def summary(generated: list[Case], results: list[list[Run]], seed: int, seconds: float) -> None:
    by_category = collections.Counter(case.category for case in generated)
    codes = collections.Counter(run.code for runs in results for run in runs)
    compiled = sum(1 for runs in results if runs[1].code == 0)
    slowest = max(run.cpu for runs in results for run in runs)
    print(
        f"\nfuzz: {len(generated)} cases (seed {seed}) in {seconds:.0f} s, "
        f"{len(by_category)} categories: {dict(by_category)}; exit codes {dict(codes)}; "
        f"{compiled} compiled; most CPU in one run {slowest:.1f} s"
    )
