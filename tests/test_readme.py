"""The README's Python and command-line examples work as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
from support import REPO

README = (REPO / "README.md").read_text()


def blocks(language: str, heading: str) -> list[str]:
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_the_python_example_runs(tmp_path, monkeypatch, capsys):
    (code,) = blocks("python", "Python")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "ml-team-fraud-us-east-1 4\n" in out
    assert "['Load', 'Prepare', 'Train', 'Model-CreateModel']" in out  # compiled.step_names
    assert (tmp_path / "config.json").is_file()


@pytest.mark.parametrize("command", blocks("bash", "Command line")[0].strip().splitlines())
def test_the_command_line_examples_run(command, tmp_path):
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "builders"]
    argv = [sys.executable, *argv[1:]]
    out_index = argv.index("--out") + 1 if "--out" in argv else None
    if out_index:
        argv[out_index] = str(tmp_path / argv[out_index])
    run = subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ}
    )
    assert run.returncode == 0, run.stderr
    if out_index:
        assert (tmp_path / os.path.basename(argv[out_index])).is_file()
