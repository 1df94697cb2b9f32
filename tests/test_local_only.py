"""The designer listens on 127.0.0.1 only, wherever it is started from.

`.streamlit/config.toml` beside app.py says so; Streamlit reads it from the main script's
folder as well as from the current one, so `streamlit run /path/to/app.py` started in
another folder stays local. Checked on the listening socket itself (/proc/net), without
sending anything to any address but loopback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import REPO, free_port

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="reads listening sockets from /proc/net"
)


def listening(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (IPv4 and IPv6)."""
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc writes each 32-bit word in host order (little-endian here).
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found


def test_started_from_another_folder_it_listens_on_loopback_only(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
               "--server.port", str(port), "--server.headless", "true"]  # fmt: skip
    env = {**os.environ, "PIPELINE_DESIGNER_WORKSPACE": str(tmp_path / "ws")}
    server = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not listening(port):
            assert server.poll() is None, "the app ended before it listened"
            assert time.monotonic() < deadline, "the app never listened"
            time.sleep(0.2)
        assert listening(port) == {"127.0.0.1"}
    finally:
        server.terminate()
        server.wait(timeout=30)
