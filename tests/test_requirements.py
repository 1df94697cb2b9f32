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
