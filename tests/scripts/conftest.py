"""Fixtures for the job scripts: a fake container root in a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from builders.scripts import container_paths

REPO_ROOT = Path(__file__).resolve().parents[2]
# What a built-in job stages: the job runtime and the step type's job/ folder.
SCRIPTS = [
    *(REPO_ROOT / "builders" / "scripts").glob("*.py"),
    *(REPO_ROOT / "builders" / "step_types").glob("*/job/*.py"),
]


@dataclass
class Container:
    """A container root at `root`: `/opt/ml/<parts>` is `root/opt/ml/<parts>`."""

    root: Path

    def path(self, *parts: str) -> Path:
        return self.root.joinpath("opt", "ml", *parts)

    def write_settings(self, settings: dict, folder: Path | None = None) -> Path:
        """Write settings.json where processing jobs (or `folder`) read it."""
        target = (folder or container_paths.processing_input("config")) / "settings.json"
        return self.write_text(target, json.dumps(settings))

    def write_text(self, target: Path, text: str) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def stage_scripts(self, code_dir: Path | None = None) -> Path:
        """The job runtime and the job scripts side by side in `code_dir`, as staged."""
        code_dir = code_dir or self.path("processing", "input", "code")
        code_dir.mkdir(parents=True, exist_ok=True)
        for path in SCRIPTS:
            if path.name != "__init__.py":
                shutil.copy(path, code_dir / path.name)
        return code_dir

    def env(self) -> dict:
        env = dict(os.environ, SM_PIPELINE_CONTAINER_ROOT=str(self.root))
        env.pop("PYTHONPATH", None)
        return env

    def run_script(
        self, name: str, code_dir: Path | None = None, prelude: list[str] = ()
    ) -> subprocess.CompletedProcess:
        """Run `<name>.py` as a container does: the staged scripts folder, no package.
        `prelude`: Python arguments before the script (`-c`, code that runs it)."""
        code_dir = self.stage_scripts(code_dir)
        return subprocess.run(
            [sys.executable, *prelude, str(code_dir / f"{name}.py")],
            cwd=str(self.root),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Container:
    monkeypatch.setenv(container_paths.ROOT_ENV, str(tmp_path))
    return Container(tmp_path)
