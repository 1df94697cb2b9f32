"""requirements.txt agrees with pyproject.toml and constraints.txt's pins."""

from __future__ import annotations

import subprocess
import sys

from support import REPO


def _pins(path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.lower().replace("_", "-").split("==") for line in lines if "==" in line)


def test_requirements_txt_is_up_to_date():
    run = subprocess.run(
        [sys.executable, "tools/requirements.py", "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


def test_every_requirement_has_the_constraints_pin_and_the_app_needs_are_there():
    required, pinned = _pins(REPO / "requirements.txt"), _pins(REPO / "constraints.txt")
    assert {name: pinned[name] for name in required} == required
    # What the app imports, and moto's server extra (the local sandbox) with its Flask.
    assert {"streamlit", "sagemaker", "pydantic", "boto3", "moto", "flask"} <= set(required)
    assert "pytest" not in required  # test tools stay in the dev extra


def test_the_pins_install_sdk_3_and_sdk_2_both_of_which_the_project_admits():
    """.venv (constraints.txt, requirements.txt) gets SDK 3.x; .venv-sdk2 (constraints-sdk2.txt)
    2.x; pyproject's dependency admits both, so a user with either can install the library."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.version import Version

    declared = next(
        Requirement(raw)
        for raw in metadata.distribution("sagemaker-pipeline-designer").requires or []
        if Requirement(raw).name == "sagemaker"
    )
    three = _pins(REPO / "constraints.txt")["sagemaker"]
    two = _pins(REPO / "constraints-sdk2.txt")["sagemaker"]
    assert (Version(three).major, Version(two).major) == (3, 2)
    assert declared.specifier.contains(three) and declared.specifier.contains(two)
    assert _pins(REPO / "requirements.txt")["sagemaker"] == three
