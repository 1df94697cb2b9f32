"""Shared fixtures: realistic base values and a network guard (helpers live in support.py)."""

from __future__ import annotations

import json

import pytest
import pytest_socket
from support import BASE, HYPERPARAMETERS, REPO, STARTERS, load_starter, start_moto  # noqa: F401  (re-exported)

from builders.designs.workspace import WORKSPACE_ENV, Workspace


def pytest_addoption(parser):
    group = parser.getgroup("longer runs", "seeded fuzz and model-based tests, run longer")
    group.addoption("--cases", type=int, help="fuzz cases to run (default 192, or FUZZ_CASES)")
    group.addoption("--actions", type=int, help="actions per model-based run (CI: a few hundred)")
    group.addoption(
        "--seed", type=int, help="seed of the fuzz cases (or FUZZ_SEED) and model runs (8)"
    )
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="write the starters' compiled definitions to tests/golden/ (review the diff)",
    )


@pytest.fixture
def base() -> dict:
    """Values of the pipeline settings every config needs."""
    return dict(BASE)


@pytest.fixture
def hyperparameters() -> dict:
    return json.loads(json.dumps(HYPERPARAMETERS))


@pytest.fixture
def no_network():
    """Any socket opened in the test fails (pytest-socket), AF_UNIX included."""
    pytest_socket.disable_socket(allow_unix_socket=False)
    yield
    pytest_socket.enable_socket()


@pytest.fixture
def space(tmp_path, monkeypatch):
    """An empty design workspace for the app, and the repository as working folder."""
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "ws"))
    monkeypatch.chdir(REPO)
    return Workspace(tmp_path / "ws")


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    """A fresh machine: no AWS credentials in the environment, files or instance metadata."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    import streamlit as st

    st.cache_data.clear()  # pages cache whether credentials were found


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """An AWS account as the credential chain sees it: keys in the environment, no files, no
    endpoint of its own (a test may set AWS_ENDPOINT_URL)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def editing_budget(request) -> tuple[int, int]:
    """(actions, seed) of a model-based test: --actions N --seed S, or the test's default."""
    default = request.node.get_closest_marker("actions")
    actions = request.config.getoption("actions") or (default.args[0] if default else 300)
    seed = request.config.getoption("seed")
    return actions, 8 if seed is None else seed


@pytest.fixture
def moto():
    """The URL of a fresh moto server on 127.0.0.1 for one test: no state leaks between tests."""
    server, url = start_moto()
    yield url
    server.stop()
