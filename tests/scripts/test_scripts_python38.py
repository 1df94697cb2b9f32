"""The job scripts run on Python 3.8 in SageMaker containers with a few libraries only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

BUILDERS = Path(__file__).resolve().parents[2] / "builders"
# The job runtime (builders/scripts) and each step type's job script (step_types/*/job).
SCRIPTS = sorted([*(BUILDERS / "scripts").glob("*.py"), *BUILDERS.glob("step_types/*/job/*.py")])
# Modules the job scripts share, and the evaluation job's scoring module beside it.
HELPERS = {"archives", "container_paths", "features", "metrics", "scoring"}
JOB_SCRIPTS = [path for path in SCRIPTS if path.stem not in {"__init__", *HELPERS}]
LIBRARIES = {"pandas", "numpy", "sklearn"}
# The function step's runner uploads its outputs itself: the SDK's job image has boto3.
EXTRA_LIBRARIES = {"xgboost_train": {"xgboost"}, "sm_function_step": {"boto3"}}
# Job scripts without the job runtime: the function step's runner is packed beside the
# user's code, whose modules may have any name (its docstring says why).
STANDALONE = {"sm_function_step"}
# Methods and names newer than Python 3.8 that its grammar check cannot see.
NEWER_THAN_38 = ("removeprefix", "removesuffix", "zoneinfo", "graphlib", "tomllib")


def imported_roots(tree: ast.Module) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_seven_job_scripts_are_there():
    assert {path.stem for path in JOB_SCRIPTS} == {
        "data_loading",
        "model_evaluation",
        "tabular_preprocessing",
        "xgboost_train",
        "payload",
        "packaging",
        "sm_function_step",
    }


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_parses_with_python_38_grammar(path):
    source = path.read_text(encoding="utf-8")
    ast.parse(source, filename=str(path), feature_version=(3, 8))
    assert not [word for word in NEWER_THAN_38 if word in source]


@pytest.mark.parametrize("path", JOB_SCRIPTS, ids=lambda path: path.name)
def test_imports_only_the_standard_library_and_allowed_packages(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    # `builders` only in the branch that runs in this repository (tests, the sandbox): in
    # the container the staged helpers are imported instead.
    allowed = LIBRARIES | EXTRA_LIBRARIES.get(path.stem, set()) | HELPERS | {"builders"}
    outside = imported_roots(tree) - set(sys.stdlib_module_names) - allowed
    assert not outside
    assert "from __future__ import annotations" in source
    if path.stem in STANDALONE:
        return
    assert "from builders.scripts import container_paths as paths" in source
    fallback = "except ImportError:  # run as a script inside the SageMaker container\n"
    assert fallback + "    import container_paths as paths" in source
    assert 'if __name__ == "__main__":\n    main()' in source
