"""The layers keep their imports: builders never loads Streamlit, components never the SDK,
and builders/ keeps the floors and contracts of `.importlinter` (import-linter).

Each check runs in a fresh interpreter, so what an earlier test imported cannot hide it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from support import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

IMPORT_ALL = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    package = importlib.import_module(sys.argv[1])
    names = [sys.argv[1]]
    for module in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
        if not module.name.endswith("__main__"):  # runs the CLI
            importlib.import_module(module.name)
            names.append(module.name)
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))
    print(len(names), "modules imported; forbidden ones loaded:", loaded)
    sys.exit(1 if loaded else 0)
    """
)


def import_all(package: str, *forbidden: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, package, *forbidden],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def test_no_builders_module_loads_streamlit():
    run = import_all("builders", "streamlit")
    assert run.returncode == 0, run.stdout + run.stderr
    # Every module, job scripts and step types included.
    assert int(run.stdout.splitlines()[-1].split()[0]) > 90


def test_no_components_module_loads_the_sagemaker_sdk():
    run = import_all("components", "sagemaker", "sagemaker_core")
    assert run.returncode == 0, run.stdout + run.stderr


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter with the project's contracts, on the builders package found in `root`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / ".importlinter"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=300,
    )


def test_builders_keeps_its_import_contracts():
    run = lint_imports(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 7 kept, 0 broken." in run.stdout


def test_the_contracts_see_imports_inside_functions(tmp_path):
    """An import inside a function counts: the graph reaching up into designs, or naming a
    step type, breaks the contracts (a copy of builders/ with those imports added)."""
    shutil.copytree(REPO / "builders", tmp_path / "builders", ignore=_not_python)
    dag = tmp_path / "builders" / "graph" / "dag.py"
    dag.write_text(
        dag.read_text() + "\n\ndef _later():\n    from builders.designs import design  # noqa\n"
    )
    checks = tmp_path / "builders" / "graph" / "checks.py"
    checks.write_text(
        checks.read_text()
        + "\n\ndef _payload():\n    from builders.step_types.payload import config  # noqa\n"
    )
    # A step type naming an SDK class goes round the seam (compiling/sdk/).
    builder = tmp_path / "builders" / "step_types" / "xgboost_training" / "builder.py"
    builder.write_text(
        builder.read_text() + "\n\ndef _sdk():\n    from sagemaker.workflow import steps  # noqa\n"
    )
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Contracts: 3 kept, 4 broken." in run.stdout
    assert "builders.graph.dag -> builders.designs" in run.stdout
    assert "builders.graph.checks -> builders.step_types.payload.config" in run.stdout
    assert "builders.step_types.xgboost_training.builder -> sagemaker" in run.stdout


def _not_python(folder: str, names: list[str]) -> list[str]:
    return [
        n
        for n in names
        if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(".py"))
    ]
