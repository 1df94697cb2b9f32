"""Quiet and local: no request leaves the machine, the app binds to 127.0.0.1 by itself, and
the server log stays readable while the app imports its packages and saves designs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from conftest import REPO, _free_port
from playwright.sync_api import expect
from test_designer import canvas, create_from_starter, go_to, settle

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
PAGES = ["Designer", "Assistant", "Pipeline settings", "Preview and export", "Deploy", "Designs"]


def test_no_request_leaves_the_machine(browser, server, artifacts):
    """Every page, with a design open and a node's form shown: each request the browser
    makes (page, scripts, fonts, icons, the canvas iframe, websockets) is to 127.0.0.1.
    Requests elsewhere are recorded and refused, so the test itself sends nothing out."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    outside: list[str] = []

    def route(route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: outside.append(ws.url) if not _local(ws.url) else None)
    page.goto(server.url)
    settle(page)
    create_from_starter(page, "fraud")
    canvas(page).locator('.react-flow__node[data-id="Payload"]').click()
    settle(page)
    expect(page.get_by_role("heading", name="Payload", exact=True)).to_be_visible()
    for title in PAGES:
        go_to(page, title)
    page.screenshot(path=artifacts / "local-designs.png")
    context.close()
    assert outside == []


def _local(url: str) -> bool:
    return urlparse(url).hostname in LOCAL_HOSTS


def test_the_app_binds_to_loopback_and_its_log_stays_readable(browser, tmp_path):
    """Started as `./dev app` starts it (the repository's config, no address given), the
    server listens on 127.0.0.1 only; opening the designer and Preview (which imports
    the SageMaker SDK, thousands of files under .venv) writes no watcher noise to the log."""
    workspace = tmp_path / "workspace"
    port = _free_port()
    log_path = tmp_path / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PIPELINE_DESIGNER_WORKSPACE=str(workspace), AWS_EC2_METADATA_DISABLED="true")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url)
            assert _listening(port) == {"127.0.0.1"}
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(url)
            settle(page)
            create_from_starter(page, "fraud")
            go_to(page, "Preview and export")
            expect(page.get_by_role("button", name="Download pipeline JSON")).to_be_visible(
                timeout=120_000
            )
            go_to(page, "Designer")
            expect(canvas(page).locator(".react-flow__node")).to_have_count(9)
            page.close()
        finally:
            process.terminate()
            process.wait(15)
    text = log_path.read_text()
    assert not re.search(r"inotify|overflow|Traceback|Error", text, re.IGNORECASE), text
    assert len(text.splitlines()) < 20, text


def _wait_healthy(url: str) -> None:
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def _listening(port: int) -> set[str]:
    """The local addresses a socket listens on at `port` (Linux's /proc/net tables)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(_address(address, width))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:  # little-endian IPv4
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "::" if int(hex_address, 16) == 0 else hex_address
