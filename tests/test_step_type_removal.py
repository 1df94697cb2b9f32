"""A step type goes by deleting its folder (docs/architecture.md, "Step types").

A copy of `builders/` without one step type's folder (Endpoint, LambdaCall, PythonFunction:
each builds its kind of step with the SDK in its folder), and without the starters that use it,
loads its registry and validates and compiles another starter through the CLI, in a fresh
process as a user runs it: nothing else named the type.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from support import REPO, STARTERS

from builders.registry import REGISTRY

CHECK = textwrap.dedent(
    """
    import sys
    import builders
    from builders.cli import main
    from builders.registry import REGISTRY

    gone, starter, out = sys.argv[1:]
    assert gone not in REGISTRY, REGISTRY.names()
    print(len(REGISTRY.names()), "step types from", builders.__file__)
    files = ["--dag", f"{starter}/dag.json", "--config", f"{starter}/config.json"]
    sys.exit(main(["validate", *files]) or main(["compile", *files, "--out", out]))
    """
)


def starters_using(config_class: str) -> list[str]:
    return sorted(
        folder.name
        for folder in STARTERS.iterdir()
        if (folder / "config.json").is_file()
        and config_class
        in json.loads((folder / "config.json").read_text())["metadata"]["config_types"].values()
    )


@pytest.mark.parametrize(
    ("folder", "name", "other_starter"),
    [
        ("endpoint", "Endpoint", "features_function_and_lambda"),
        ("lambda_call", "LambdaCall", "xgboost_tuned_endpoint"),
        ("python_function", "PythonFunction", "xgboost_tuned_endpoint"),
    ],
)
def test_a_copy_without_the_step_types_folder_validates_and_compiles(
    tmp_path, folder, name, other_starter
):
    step_type = REGISTRY.get(name)
    used_by = starters_using(step_type.config_class.__name__)
    assert used_by and other_starter not in used_by  # the proof needs both
    copy = tmp_path / "builders"
    shutil.copytree(
        REPO / "builders", copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.rmtree(copy / "step_types" / folder)
    for starter in used_by:
        shutil.rmtree(copy / "starters" / starter)
    out = tmp_path / "pipeline.json"

    run = subprocess.run(
        [sys.executable, "-c", CHECK, name, str(copy / "starters" / other_starter), str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(REGISTRY.names()) - 1} step types from {copy}" in run.stdout
    assert "Valid:" in run.stdout
    steps = json.loads(out.read_text())["Steps"]
    assert steps and all(step["Type"] != name for step in steps)
