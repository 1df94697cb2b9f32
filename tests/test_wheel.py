"""The wheel ships what an installed designer needs, and nothing else at the top level.

Its top-level packages are `builders` and `components` (the layout is the project's): a
wheel that added another would claim one more name other distributions might use. Both
XGBoost starters' inference code is in it (one file in the repository, which the quality
gate's inference/ links to), and so is the license.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
from support import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel pip builds from a copy of the sources (building writes build/ in place)."""
    sources = tmp_path_factory.mktemp("sources") / "project"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source, target = REPO / name, sources / name
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=sources,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_installs_builders_and_components_only(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    (info,) = [top for top in tops if top.endswith(".dist-info")]
    assert tops - {info} == {"builders", "components"}
    assert f"{info}/licenses/LICENSE" in wheel.namelist()
    metadata = wheel.read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Operating System :: POSIX" in metadata


def test_both_xgboost_starters_carry_their_inference_code(wheel):
    shipped = wheel.read("builders/starters/xgboost_end_to_end/inference/inference.py")
    assert wheel.read("builders/starters/xgboost_quality_gate/inference/inference.py") == shipped
    assert (REPO / "builders/starters/xgboost_quality_gate/inference").is_symlink()
