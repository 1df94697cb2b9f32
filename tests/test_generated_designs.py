"""What "valid" promises, held by random designs (issue 17).

Seeded, bounded random designs (tests/design_generator.py) over the registry's step types,
the test plug-in's included: port kinds, branches, parameters, field values valid and not.
For each, the checks decide: the designer's (the badges, Preview) and, for a design they
pass, the full check compile makes (SageMaker's request shapes). A design they call valid
must compile with no exception other than a named refusal, and its definition must conform
to botocore's request shapes as the tests' own checker reads them (tests/request_shapes.py,
no code shared with the product's check). A bounded number of those whose values still fit
their sample data run in a sandbox (moto on 127.0.0.1): every step succeeds, or is skipped
as its condition decides, or is a Fail step its condition chose.

    pytest tests/test_generated_designs.py --cases 600 --seed 5     (or FUZZ_CASES, FUZZ_SEED)

A failure names the seed and the case, with the edits that made it, to make it again.
"""

from __future__ import annotations

import collections
import os
import sys
import time

import pytest
import tomllib
from design_generator import Case, cases
from request_shapes import definition_problems
from support import start_moto
from test_third_party_step_type import PLUGIN, install

from builders.designs.design import compile_design, config_document, validate_design
from builders.errors import PipelineDesignError
from builders.registry import ENTRY_POINT_GROUP, REGISTRY, register_installed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*(UBJSON|Unknown file format):UserWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning:pydantic"),
]
DEFAULT_CASES, DEFAULT_SEED = 90, 17
RUN_EVERY = 30  # one sandbox run per this many cases (at least 2): runs take ~10 s each


def setting(request, option: str, variable: str, default: int) -> int:
    value = request.config.getoption(option) or os.environ.get(variable)
    return int(value) if value else default


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    """The test plug-in installed and registered, as a user's pip install would."""
    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    assert ENTRY_POINT_GROUP in project["entry-points"]
    site = install(tmp_path_factory.mktemp("site"), PLUGIN / "feature_filter_step", project)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(site))
        patch.setattr(REGISTRY, "_types", dict(REGISTRY._types))  # as it was, after
        yield register_installed(REGISTRY)
    for module in [m for m in sys.modules if m.split(".")[0] == "feature_filter_step"]:
        del sys.modules[module]


def test_valid_designs_compile_conform_and_run(request, tmp_path, plugin):
    assert plugin == ["FeatureFilter"]
    count = setting(request, "--cases", "FUZZ_CASES", DEFAULT_CASES)
    seed = setting(request, "--seed", "FUZZ_SEED", DEFAULT_SEED)
    started = time.monotonic()
    generated = cases(count, seed, tmp_path)
    outcomes: collections.Counter[str] = collections.Counter()
    refusals: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    compiled_cases = []
    for case in generated:
        outcome, detail = judge(case)
        outcomes[outcome] += 1
        if outcome == "failure":
            failures.append(f"{case.what}\n  {detail}")
        elif outcome.startswith("refused"):
            refusals[detail] += 1
        else:
            compiled_cases.append((case, detail))
    runnable = [(case, compiled) for case, compiled in compiled_cases if case.runnable]
    to_run = runnable[: max(2, count // RUN_EVERY)]
    ran = run_in_sandbox(to_run, tmp_path, failures) if to_run else collections.Counter()
    outcomes.update(ran)
    print(
        f"\ngenerated designs: {count} cases (seed {seed}) in {time.monotonic() - started:.0f} s:"
        f" {dict(outcomes)}; {len(runnable)} compiled cases fit their sample data, "
        f"{len(to_run)} ran. Refused most often by: {refusals.most_common(6)}"
    )
    assert not failures, f"seed {seed}:\n" + "\n".join(failures)
    assert outcomes["compiled"] >= count // 10  # the generator reaches valid designs
    assert outcomes["refused by checks"] >= count // 10  # and invalid ones


def judge(case: Case) -> tuple[str, object]:
    """('refused by checks' | 'refused at compile' | 'compiled' | 'failure', detail)."""
    report = validate_design(case.design)
    if not report.valid:
        first = next(p for p in report.problems if not p.warning)
        return "refused by checks", f"{first.code}: {first.message[:60]}"
    try:
        compiled = compile_design(case.design)
    except PipelineDesignError as error:
        return "refused at compile", f"{error.code}: {error.message[:60]}"
    except Exception as error:  # the promise: a valid design compiles with no exception
        return "failure", f"compile raised {type(error).__name__}: {error}"
    problems = definition_problems(compiled.definition)
    if problems:
        return "failure", f"SageMaker's request shapes refuse it: {problems[:5]}"
    return "compiled", compiled


def run_in_sandbox(to_run, tmp_path, failures: list[str]) -> collections.Counter:
    """Deploy each case to a sandbox with its sample data and run it to the end."""
    from builders.deploying.deploy import Target, deploy

    server, url = start_moto()
    counted: collections.Counter[str] = collections.Counter()
    try:
        for case, compiled in to_run:
            design = case.design
            target = Target("sandbox", design.settings["region"], endpoint_url=url,
                            runs=tmp_path / "runs")  # fmt: skip
            result = deploy(
                compiled,
                target,
                role_arn=design.settings["role"],
                start=True,
                config_document=config_document(design),
                design_id=f"case-{case.index}",
            )
            execution = target.runner().execution(result.execution_arn.rsplit("/", 1)[-1])
            run = execution.wait(timeout=600)
            gated = branch_steps(compiled.definition)
            wrong = [
                f"{step.name} {step.state}: {step.reason}"
                for step in run.steps.values()
                if not as_its_condition_decides(step, gated)
            ]
            if wrong or not run.finished:
                failures.append(f"{case.what}\n  the run: {run.status}; {wrong}")
            counted["ran"] += 1
    finally:
        server.stop()
    return counted


def branch_steps(definition: dict) -> set[str]:
    """The steps a condition's branches hold."""
    found, pending = set(), list(definition["Steps"])
    while pending:
        step = pending.pop()
        nested = step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", [])
        if step["Type"] == "Condition":
            found.update(s["Name"] for s in nested)
        pending += nested
    return found


def as_its_condition_decides(step, gated: set[str]) -> bool:
    """A step succeeded, was skipped because of a condition's outcome (or a skipped step
    before it), or is a Fail step on a condition's branch that the condition chose."""
    if step.state == "succeeded":
        return True
    if step.state == "skipped":
        return step.reason.startswith(("Skipped: condition", "Not run: step")) and (
            "failed" not in step.reason
        )
    return step.state == "failed" and step.type == "Fail" and step.name in gated
