"""Compiling opens no network connection and needs no AWS account (design.md, "Offline first")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from support import REPO, STARTERS, load_starter

from builders.compile import compile_pipeline

# Refuses and records every connection and name lookup (even ones a library catches and
# hides, such as a credential lookup), then imports the SDK and compiles with the CLI.
OFFLINE_COMPILE = textwrap.dedent(
    """
    import socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[1:] or args))
        raise OSError("network access during an offline compile")
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.getaddrinfo = socket.create_connection = refuse
    from builders.cli import main
    code = main(["compile", "--dag", sys.argv[1], "--config", sys.argv[2], "--out", sys.argv[3]])
    assert "sagemaker" in sys.modules  # the SDK was imported and used under the guard
    print("network attempts:", attempts, file=sys.stderr)
    sys.exit(code or len(attempts))
    """
)


def clean_environment(home) -> dict:
    """No AWS credentials, profile or config anywhere: a machine without an AWS account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_"))}
    return {**env, "HOME": str(home), "PYTHONPATH": str(REPO)}


@pytest.mark.parametrize("starter", ["xgboost_end_to_end", "pytorch_model_registration"])
def test_compile_in_a_fresh_process_with_sockets_blocked(starter, tmp_path):
    folder = STARTERS / starter
    out = tmp_path / "pipeline.json"
    run = subprocess.run(
        [sys.executable, "-c", OFFLINE_COMPILE, folder / "dag.json", folder / "config.json", out],
        capture_output=True,
        text=True,
        env=clean_environment(tmp_path),
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "network attempts: []" in run.stderr
    assert json.loads(out.read_text())["Steps"]


def test_compile_in_process_with_sockets_blocked(no_network):
    for starter in ("xgboost_end_to_end", "pytorch_model_registration"):
        dag, configs, folder = load_starter(starter)
        assert compile_pipeline(dag, configs, base_dir=folder).step_names
