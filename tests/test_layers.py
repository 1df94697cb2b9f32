"""The layers keep their imports: builders never loads Streamlit, components never the SDK.

Each check runs in a fresh interpreter, so what an earlier test imported cannot hide it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from support import REPO

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
