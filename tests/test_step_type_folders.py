"""A step type is its folder: nothing outside `builders/step_types/<type>/` names it.

docs/architecture.md promises that adding a step type adds a folder and edits nothing else.
This test holds the promise for every built-in step type: no file outside its folder (the
starters, docs, tests, benchmarks and READMEs aside: they use step types, they are not the
tool) names it. A file names a type when it holds

- its package's path: `step_types.<folder>` or `step_types/<folder>`;
- its registered name as a string ("EndpointConfig"), or as a word when the name is two or
  more words run together (`LambdaCall`; "Endpoint" alone is an ordinary word);
- its Config or builder class's name, as a word.

What may stay is listed in ALLOWED, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO

from builders.registry import REGISTRY

# What the tool is made of (the rest of the repository uses step types or describes them).
SCANNED = ("builders", "components", "pages", "app.py", "dev", ".ci", ".importlinter",
           "pyproject.toml")  # fmt: skip
NOT_SCANNED = ("builders/starters/", "node_modules/", "/dist/", "__pycache__/")
TEXT_SUFFIXES = {"", ".py", ".toml", ".cfg", ".ini", ".json", ".md", ".txt", ".sh", ".js",
                 ".ts", ".tsx", ".jsx", ".yml", ".yaml", ".css", ".html"}  # fmt: skip

# (file or folder outside the type's folder, the type's folder) -> why it may name the type.
ALLOWED = {
    # SageMaker's own control steps: the definition format's step kinds "Condition" and
    # "Fail", which the compiler nests and the sandbox's runner reads, whatever step type of
    # the designer made them.
    ("builders/compiling/compile.py", "condition"): "the definition's Condition kind",
    ("builders/compiling/api_requests.py", "condition"): "the definition's Condition kind",
    ("builders/localrun/", "condition"): "the definition's Condition kind",
    ("builders/localrun/runner.py", "fail"): "the definition's Fail kind",
    # The CLI's `payload` command writes a Payload node's sample archive (.importlinter names
    # the same exception): a command of that step type.
    ("builders/cli.py", "payload"): "the CLI's payload command",
    (".importlinter", "payload"): "the CLI's payload command",
    # Step types built on another step type: a folder that needs another one's code names
    # it, and goes when that one goes (as an installed step type needs its dependencies).
    ("builders/step_types/xgboost_tuning/", "xgboost_training"): "tunes XGBoost's training",
    ("builders/step_types/pytorch_tuning/", "pytorch_training"): "tunes PyTorch's training",
    ("builders/step_types/condition/", "model_evaluation"): "reads an evaluation's metrics",
    ("builders/step_types/xgboost_training/", "model_evaluation"): "its problem types",
    ("builders/step_types/python_function/", "script_processing"): "its declared ports",
    ("builders/step_types/lambda_call/", "script_processing"): "its declared ports",
    # The sample archive's layout is what Payload's job script writes; it stays beside the
    # script (a module of the job runtime would change every job's code hash).
    ("builders/step_types/endpoint/", "payload"): "reads a Payload's sample archive",
}


def step_type_folders() -> dict[str, tuple[str, ...]]:
    """Each built-in step type's folder and the names that name it."""
    folders = {}
    for step_type in REGISTRY:
        module = step_type.config_class.__module__
        if not module.startswith("builders.step_types."):
            continue  # an installed step type
        folder = module.split(".")[2]
        builder = str(step_type.builder).rsplit(":", 1)[-1]
        folders[folder] = (step_type.name, step_type.config_class.__name__, builder)
    return folders


def naming(folder: str, names: tuple[str, ...]) -> re.Pattern:
    registered, *classes = names
    patterns = [rf"step_types[./]{folder}\b", rf"[\"']{registered}[\"']"]
    if len(re.findall(r"[A-Z][a-z0-9]+|[A-Z]+(?![a-z])", registered)) > 1:
        patterns.append(rf"\b{registered}\b")
    patterns += [rf"\b{name}\b" for name in classes]
    return re.compile("|".join(patterns))


def scanned_files(root: Path) -> Iterator[tuple[str, str]]:
    for entry in SCANNED:
        path = root / entry
        paths = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in paths:
            rel = file.relative_to(root).as_posix()
            if (
                not file.is_file()
                or file.suffix not in TEXT_SUFFIXES
                or file.name == "README.md"
                or any(part in rel + "/" for part in NOT_SCANNED)
            ):
                continue
            yield rel, file.read_text(encoding="utf-8", errors="replace")


def offenders(root: Path) -> list[str]:
    files = list(scanned_files(root))
    found = []
    for folder, names in step_type_folders().items():
        pattern = naming(folder, names)
        for rel, text in files:
            if rel.startswith(f"builders/step_types/{folder}/") or any(
                rel.startswith(place) and allowed == folder for place, allowed in ALLOWED
            ):
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if match := pattern.search(line):
                    found.append(f"{rel}:{number} names {folder} ({match.group(0)})")
    return found


def test_the_scan_sees_every_step_type_and_finds_a_name():
    folders = step_type_folders()
    assert {"endpoint", "lambda_call", "xgboost_tuning", "python_function"} <= set(folders)
    assert naming("lambda_call", folders["lambda_call"]).search("a LambdaCall's function")
    assert naming("endpoint", folders["endpoint"]).search('kinds = {"Endpoint": 1}')
    assert not naming("endpoint", folders["endpoint"]).search("the Endpoint serves")
    assert naming("endpoint", folders["endpoint"]).search("import builders.step_types.endpoint")


def test_no_file_outside_a_step_types_folder_names_it():
    found = offenders(REPO)
    assert not found, "Files outside a step type's folder name it:\n" + "\n".join(found)


@pytest.mark.parametrize("place", sorted({place for place, _ in ALLOWED}))
def test_every_allowed_mention_is_still_needed(place):
    """An exception nothing needs any more is removed, so the list stays what it says."""
    folders = step_type_folders()
    texts = dict(scanned_files(REPO))
    for allowed_place, folder in [key for key in ALLOWED if key[0] == place]:
        pattern = naming(folder, folders[folder])
        assert any(
            pattern.search(text) for rel, text in texts.items() if rel.startswith(allowed_place)
        ), f"{allowed_place} no longer names {folder}: remove it from ALLOWED"


# -- the kinds of step a step type alone compiles to are declared in its folder -------------
def test_the_generic_tables_hold_only_the_kinds_the_step_bases_build():
    from builders.compiling.api_requests import REQUESTS, step_requests
    from builders.localrun.cache import KEY_ATTRIBUTES, cached_kinds

    assert set(REQUESTS) == {"Processing", "Training", "Transform", "Model", "CreateModel",
                             "RegisterModel"}  # fmt: skip
    assert set(KEY_ATTRIBUTES) == {"Processing", "Training", "Transform"}
    # What the tuning and endpoint step types declare reaches the tables' readers.
    assert set(REGISTRY.step_kinds()) == {"Tuning", "EndpointConfig", "Endpoint"}
    requests = step_requests()
    assert requests["Endpoint"][0] == "CreateEndpoint"
    assert "HyperParameterTuningJobName" in requests["Tuning"][1]
    assert "TrainingJobDefinition.HyperParameterRanges" in cached_kinds()["Tuning"]
    assert "Endpoint" not in cached_kinds()  # SageMaker never caches it


def test_two_step_types_cannot_declare_one_kind_two_ways():
    from dataclasses import replace

    from builders.registry import StepKind, StepRegistry

    endpoint = REGISTRY.get("Endpoint")
    registry = StepRegistry((endpoint,))
    other = replace(
        REGISTRY.get("EndpointConfig"), kinds=(StepKind("Endpoint", request="UpdateEndpoint"),)
    )
    with pytest.raises(ValueError, match="declares the step kind Endpoint otherwise"):
        registry.register(other)
