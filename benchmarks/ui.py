"""Designer page rerun time for 10, 50 and 200 nodes, and `streamlit run` start-up time.

    python benchmarks/ui.py [--repeat 15]

The rerun is measured server side, in process, with Streamlit's AppTest: the designer page
of a generated design with a node's form open, run again with nothing changed (what happens
on every click). Start-up: from launching `streamlit run app.py` to /_stcore/health
answering. Targets: a 50-node rerun under 150 ms; the server healthy within 3 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from compile import generated_design  # noqa: E402  (the designs the compile benchmark uses)

from builders.designs.config_io import merge_configs  # noqa: E402
from builders.designs.design import design_from_documents  # noqa: E402
from builders.designs.workspace import WORKSPACE_ENV, Workspace  # noqa: E402


def rerun_seconds(size: int, repeat: int) -> float:
    from streamlit.testing.v1 import AppTest

    dag, configs = generated_design(size)
    design = design_from_documents(f"bench-{size}", merge_configs(configs), dag.to_adjacency())
    Workspace().save(design)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.session_state["selected_node"] = "XGBoostTraining-0"  # a large form is open
    at.run()
    assert not at.exception, at.exception
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def startup_seconds() -> float:
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
    )  # fmt: skip
    try:
        while time.perf_counter() - start < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("the server did not become healthy within 60 s")
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ[WORKSPACE_ENV] = tempfile.mkdtemp()
    os.chdir(REPO)
    reruns = {size: rerun_seconds(size, args.repeat) for size in (10, 50, 200)}
    for size, seconds in reruns.items():
        print(
            f"designer rerun, {size:>3} nodes: {seconds * 1000:7.1f} ms (median of {args.repeat})"
        )
    startups = [startup_seconds() for _ in range(5)]
    print(f"streamlit run -> healthy: {statistics.median(startups):.2f} s (median of 5)")
    met = reruns[50] < 0.150 and statistics.median(startups) < 3
    print(f"targets (50-node rerun < 150 ms, healthy < 3 s): {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
