"""How long the designer's server takes to exit after SIGTERM, once a page was served and the
SDK warmed up in the background (what a user waits for when stopping `./dev app`).

    python benchmarks/shutdown.py [--repeat 3] [--warm 20]

For each round: start `streamlit run app.py` with the project's config, open the page in
Chromium, wait `--warm` seconds (the warm-up imports the SDK and compiles a starter), send
SIGTERM and time the exit. The floor is a one-line Streamlit app measured the same way in
the same run. Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_browser import CHROMIUM, CHROMIUM_FLAGS

REPO = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exit_seconds(browser, script: Path, warm: float) -> float:
    port = _port()
    env = {**os.environ, "PIPELINE_DESIGNER_WORKSPACE": tempfile.mkdtemp()}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}")
        page.get_by_test_id("stApp").wait_for()
        time.sleep(warm)
        start = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(120)
        seconds = time.monotonic() - start
        page.close()
        return seconds
    finally:
        if server.poll() is None:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warm", type=float, default=20.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    floor_app = Path(tempfile.mkdtemp()) / "floor.py"
    floor_app.write_text("import streamlit as st\nst.write('floor')\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        floor, app = [], []
        for _ in range(args.repeat):
            floor.append(exit_seconds(browser, floor_app, 1.0))
            app.append(exit_seconds(browser, REPO / "app.py", args.warm))
        browser.close()
    low, high = statistics.median(floor), statistics.median(app)
    print(f"floor (one-line app): median {low:.2f} s to exit after SIGTERM")
    print(f"designer, SDK warm:   median {high:.2f} s ({high / low:.1f}x the floor)")


if __name__ == "__main__":
    main()
