"""Each starter's compiled definition equals a committed one that was read by a person.

A change to what the library compiles shows here as a readable diff of the definition.
When the change is meant, write the new files and review their diff before committing:

    .venv/bin/pytest tests/test_golden_definitions.py --update-golden
    git diff tests/golden/
"""

from __future__ import annotations

import difflib
import json

import pytest
from support import REPO, STARTERS, load_starter

from builders.compiling.compile import compile_pipeline

GOLDEN = REPO / "tests" / "golden"
NAMES = sorted(p.name for p in STARTERS.iterdir() if (p / "dag.json").is_file())


def readable(definition: dict) -> str:
    """One line per value, keys sorted: a diff names exactly what moved."""
    return json.dumps(definition, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("starter", NAMES)
def test_a_starter_compiles_to_its_reviewed_definition(starter, request):
    dag, configs, folder = load_starter(starter)
    compiled = readable(compile_pipeline(dag, configs, base_dir=folder).definition)
    golden = GOLDEN / f"{starter}.definition.json"
    if request.config.getoption("--update-golden"):
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
    assert sorted(p.name for p in GOLDEN.glob("*.definition.json")) == [
        f"{name}.definition.json" for name in NAMES
    ]
