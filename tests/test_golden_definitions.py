"""Each starter's compiled definition equals a committed one that was read by a person, one
per SageMaker SDK major version (tests/golden/sdk2/, tests/golden/sdk3/); where the two
differ, the README lists the difference ("SageMaker Python SDK 2.x and 3.x").

A change to what the library compiles shows here as a readable diff of the definition.
When the change is meant, write the new files with each SDK and review their diff:

    .venv/bin/pytest tests/test_golden_definitions.py --update-golden       # SDK 3
    .venv-sdk2/bin/pytest tests/test_golden_definitions.py --update-golden  # SDK 2
    git diff tests/golden/
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import pytest
from support import REPO, STARTERS, load_starter

from builders.compiling.compile import compile_pipeline
from builders.compiling.sdk import backend

GOLDEN = REPO / "tests" / "golden"
NAMES = sorted(p.name for p in STARTERS.iterdir() if (p / "dag.json").is_file())
MAJORS = (2, 3)
# Lists whose items are told apart by a name: compared by that name, not by position.
NAMED_ITEMS = ("Name", "ChannelName", "InputName", "OutputName")


def readable(definition: dict) -> str:
    """One line per value, keys sorted: a diff names exactly what moved. What SDK 3 makes
    anew on every compile is named instead (`per_compile`)."""
    text = json.dumps(definition, indent=2, sort_keys=True) + "\n"
    for value, name in per_compile(definition).items():
        text = text.replace(value, name)
    return text


def per_compile(definition: dict) -> dict[str, str]:
    """A function step's build folder (a digest of what it ships) and, with SDK 3, the
    public key of the key pair SDK 3 signs its payloads with, made anew on every compile
    (the build folder holds it too). tests/test_python_function.py checks both: the same
    design compiles to the same folder with SDK 2, a changed function to another."""
    found = {}
    for step in definition["Steps"]:
        arguments = step.get("Arguments", {})
        words = arguments.get("AlgorithmSpecification", {}).get("ContainerArguments", [])
        if "--func_step_s3_dir" not in words:
            continue
        found[words[words.index("--func_step_s3_dir") + 1]] = f"<{step['Name']}: build folder>"
        key = arguments.get("Environment", {}).get("REMOTE_FUNCTION_SECRET_KEY")
        if key:
            found[json.dumps(key)[1:-1]] = f"<{step['Name']}: public key of this compile>"
    return found


def golden_file(starter: str, major: int):
    return GOLDEN / f"sdk{major}" / f"{starter}.definition.json"


@pytest.mark.parametrize("starter", NAMES)
def test_a_starter_compiles_to_its_reviewed_definition(starter, request):
    dag, configs, folder = load_starter(starter)
    compiled = readable(compile_pipeline(dag, configs, base_dir=folder).definition)
    golden = golden_file(starter, backend().MAJOR)
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(compiled)
    assert golden.is_file(), f"No {golden.name}: run this test with --update-golden"
    expected = golden.read_text()
    if compiled != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), compiled.splitlines(), "committed", "compiled", lineterm=""
        )
        pytest.fail(
            f"{starter} compiles differently from {golden.relative_to(REPO)}:\n"
            + "\n".join(diff)
            + "\nIf this is meant: --update-golden, then review `git diff tests/golden/`.",
            pytrace=False,
        )


def test_every_golden_file_belongs_to_a_starter():
    for major in MAJORS:
        assert sorted(p.name for p in (GOLDEN / f"sdk{major}").glob("*.definition.json")) == [
            f"{name}.definition.json" for name in NAMES
        ]


def test_the_sdks_definitions_differ_only_as_the_readme_says():
    found = set()
    for starter in NAMES:
        two, three = (json.loads(golden_file(starter, major).read_text()) for major in MAJORS)
        found |= set(differences(two, three))
    assert found == readme_differences()


def differences(two: Any, three: Any, where: str = "") -> list[tuple[str, str]]:
    """(where, how) for each value SDK 3 adds, drops or changes. A step is named by its type
    (the same difference in every training step is one); an item of a named list (channels,
    inputs) by its name when it is added or dropped, `[*]` when it differs in both; the
    `sagemaker_*` hyperparameters together; step arguments without "Arguments"."""
    named = isinstance(two, list) and isinstance(three, list) and _named(two + three)
    if named:
        two, three = _by_name(two), _by_name(three)
    if not (isinstance(two, dict) and isinstance(three, dict)):
        return [] if two == three else [(where, "changed")]
    found = []
    for key in sorted(set(two) | set(three)):
        inner = _where(where, key, two.get(key, three.get(key)), item=named)
        if key not in three:
            found.append((inner, "removed"))
        elif key not in two:
            found.append((inner, "added"))
        else:
            both = _where(where, "[*]", None, item=named) if named else inner
            if where == "Steps":
                both = inner
            found += differences(two[key], three[key], both)
    return found


def _named(items: list) -> bool:
    return bool(items) and all(
        isinstance(i, dict) and any(k in i for k in NAMED_ITEMS) for i in items
    )


def _by_name(items: list) -> dict:
    return {next(i[k] for k in NAMED_ITEMS if k in i): i for i in items}


def _where(where: str, key: str, value: Any, *, item: bool = False) -> str:
    if where == "Steps" and isinstance(value, dict) and "Type" in value:
        return value["Type"]  # a step, by its type
    if key == "Arguments" or (item and key == "[*]"):
        return where + ("[*]" if key == "[*]" else "")
    key = re.sub(r"^sagemaker_\w+$", "sagemaker_*", key)
    return f"{where}.{key}" if where else key


def readme_differences() -> set[tuple[str, str]]:
    """The rows of the README's table of definition differences: (`where`, how)."""
    section = (REPO / "README.md").read_text().split("## SageMaker Python SDK 2.x and 3.x\n")[1]
    section = section.split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \| (added|removed|changed) \|", section, re.M))
