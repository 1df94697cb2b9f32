"""Shared fixtures: realistic base values and a network guard (helpers live in support.py)."""

from __future__ import annotations

import json
import os

import pytest
import pytest_socket

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

from support import BASE, HYPERPARAMETERS, REPO, STARTERS, load_starter  # noqa: F401  (re-exported)

from builders.workspace import WORKSPACE_ENV, Workspace


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
