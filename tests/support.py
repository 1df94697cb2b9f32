"""Helpers shared by the tests (importable as `support`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import http.client
import socket
from pathlib import Path

from builders.config_io import load_configs
from builders.dag import load_dag

REPO = Path(__file__).resolve().parents[1]
STARTERS = REPO / "builders" / "starters"

BASE = {
    "author": "ml-team",
    "bucket": "my-ml-bucket",
    "role": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
    "region": "us-east-1",
    "service_name": "fraud",
}
HYPERPARAMETERS = {
    "full_field_list": ["id", "label", "age", "amount", "country"],
    "tab_field_list": ["age", "amount"],
    "cat_field_list": ["country"],
    "label_name": "label",
    "id_name": "id",
}


def load_starter(name: str):
    """(dag, configs, folder) of a starter design as shipped."""
    folder = STARTERS / name
    return load_dag(folder / "dag.json"), load_configs(folder / "config.json"), folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto():
    """A moto server on 127.0.0.1 with empty state (moto keeps state per process, not per
    server): (server, endpoint URL)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("POST", "/moto-api/reset")
    assert connection.getresponse().status == 200
    return server, f"http://{host}:{port}"
