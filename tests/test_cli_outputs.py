"""Where `compile --out` writes: through links (never replacing them), to stdout with `-`,
never over one of its own inputs. Run as a user runs the CLI, in a process of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from support import REPO, STARTERS

XGB = STARTERS / "xgboost_end_to_end"


def cli(*arguments: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "builders", *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def compile_to(out: str, folder=XGB, cwd=None) -> subprocess.CompletedProcess:
    files = ["--dag", str(folder / "dag.json"), "--config", str(folder / "config.json")]
    return cli("compile", *files, "--out", out, cwd=cwd)


def steps_in(text: str) -> int:
    return len(json.loads(text)["Steps"])


def test_a_link_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "pipeline.json"
    link.symlink_to(real)
    run = compile_to(str(link))
    assert run.returncode == 0, run.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert steps_in(real.read_text()) == 9


def test_a_path_through_a_linked_folder_writes_in_the_folder_it_leads_to(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    run = compile_to(str(tmp_path / "linked" / "pipeline.json"))
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "linked").is_symlink()
    assert steps_in((tmp_path / "real" / "pipeline.json").read_text()) == 9


def test_a_dangling_link_is_written_through(tmp_path):
    link = tmp_path / "pipeline.json"
    link.symlink_to(tmp_path / "not-yet.json")
    assert compile_to(str(link)).returncode == 0
    assert link.is_symlink() and steps_in((tmp_path / "not-yet.json").read_text()) == 9


def test_dev_stdout_as_a_pipe_is_refused_and_left_alone():
    before = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    run = compile_to("/dev/stdout")  # stdout is a pipe here
    assert run.returncode != 0
    assert "not a regular file" in run.stderr and "--out -" in run.stderr
    assert "Traceback" not in run.stderr
    if before is not None:
        assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == before


def test_out_dash_writes_the_definition_alone_to_stdout(tmp_path):
    run = compile_to("-", cwd=tmp_path)
    assert not (tmp_path / "-").exists()
    assert run.returncode == 0, run.stderr
    assert steps_in(run.stdout) == 9  # nothing but the JSON on stdout
    assert "Wrote the definition to stdout: pipeline ml-team-fraud-xgboost-us-east-1" in (
        run.stderr
    )


@pytest.mark.parametrize("option", ["--config", "--dag"])
def test_an_out_that_is_an_input_is_refused_and_the_input_kept(tmp_path, option):
    design = tmp_path / "design"
    shutil.copytree(XGB, design)
    target = design / ("config.json" if option == "--config" else "dag.json")
    before = target.read_bytes()
    run = compile_to(str(target), folder=design)
    assert run.returncode != 0
    assert f"--out {target} is the {option} file" in run.stderr
    assert "Traceback" not in run.stderr
    assert target.read_bytes() == before
    # The same file by another name (a link to it) is the same input.
    (tmp_path / "alias.json").symlink_to(target)
    assert compile_to(str(tmp_path / "alias.json"), folder=design).returncode != 0
    assert target.read_bytes() == before
