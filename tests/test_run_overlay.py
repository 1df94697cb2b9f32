"""The last run on the designer (AppTest): each node's run state and duration on the canvas,
the node panel's run section (reason, outputs, log tail), "Show last run", and an AWS
execution (a moto server) whose steps cannot be listed."""

from __future__ import annotations

import re

from app_support import canvas_edit, open_on, plain, shown, texts
from test_deploy_page import (  # noqa: F401
    aws,
    finished_run,
    fresh_machine,
    press_deploy,
    stop_the_sandbox_after,
)

from builders.designs.design import add_node, set_node_values
from builders.localrun import RunRecord, RunStore
from builders.starters import design_from_starter
from components.run_overlay import SHOW, pipeline_name

DESIGNER, DEPLOY = "pages/designer.py", "pages/deploy.py"
FAILING = 'print("checking the model")\nraise ValueError("column amount has text in row 7")\n'


def starter(failing_check=None):
    """The pytorch starter; with a folder, and a node Check running a script that raises."""
    design = design_from_starter("pytorch_model_registration", "fraud")
    if failing_check is None:
        return design
    failing_check.mkdir()
    (failing_check / "check.py").write_text(FAILING)
    values = {
        "script_folder": str(failing_check),
        "script": "check.py",
        "container": "xgboost",
        "container_version": "1.7-1",
        "input_ports": {},
        "output_ports": {"report": "data metadata"},
    }
    return set_node_values(add_node(design, "ScriptProcessing", name="Check"), "Check", values)


def run_then_designer(space, design):
    """The designer after a sandbox run of `design` deployed from the Deploy page ended."""
    at = finished_run(press_deploy(open_on(DEPLOY, design, space)), space)
    assert not at.exception
    return at.switch_page(DESIGNER).run()


def chips(at) -> dict[str, str]:
    return {node["id"]: node["run"] for node in shown(at)["nodes"]}


def section(at) -> str:
    (expander,) = [e for e in at.expander if e.label.startswith("Last run")]
    return expander.label


def test_a_finished_run_shows_on_each_node_and_in_its_panel(space):
    at = run_then_designer(space, starter())
    states = chips(at)
    assert set(states) == {"PyTorchModel", "Packaging", "Payload", "ModelRegistration"}
    for node, chip in states.items():
        assert re.fullmatch(r"✓ succeeded · \d+\.\d s", chip), (node, chip)
    assert all(n["run_elapsed"] is None for n in shown(at)["nodes"])  # nothing counts on
    assert re.search(r"Last run \(sandbox run \w+, started .* UTC\): \*\*Succeeded\*\*", texts(at))
    assert "4 succeeded" in texts(at)

    at = canvas_edit(at, selected="Packaging")
    assert re.fullmatch(r"Last run: succeeded · \d+\.\d s", section(at))
    output = next(t.value for t in at.text_input if plain(t.label) == "Output packaged_model")
    assert output.startswith("s3://my-ml-bucket/")
    assert "attempt 1 of Processing step Packaging" in at.code[0].value


def test_a_failing_script_shows_its_reason_and_leaves_the_others(space, tmp_path):
    at = run_then_designer(space, starter(tmp_path / "my_code"))
    states = chips(at)
    assert states["Check"].startswith("✕ failed · ")
    assert {states[n][:11] for n in ("PyTorchModel", "Packaging", "Payload")} == {"✓ succeeded"}
    check = next(n for n in shown(at)["nodes"] if n["id"] == "Check")
    assert "column amount has text in row 7" in check["run_title"]  # the reason, on hover
    assert "failed: Check (click it for the reason)" in texts(at)

    at = canvas_edit(at, selected="Check")
    assert section(at).startswith("Last run: failed")
    assert "ValueError: column amount has text in row 7" in plain(at.error[0].value)
    assert "checking the model" in at.code[0].value  # the log's tail

    # Edits after the run keep its states, as the last run's; the toggle hides them.
    at = canvas_edit(at, moves={"Payload": (900.0, 40.0)})
    assert chips(at)["Check"].startswith("✕ failed")
    at.toggle(key=SHOW).set_value(False).run()
    assert set(chips(at).values()) == {""}
    assert not [e for e in at.expander if e.label.startswith("Last run")]


def test_an_aws_execution_without_step_states_says_why(space, aws):  # noqa: F811
    """moto's server has no ListPipelineExecutionSteps: the execution's status shows, with a
    one-line reason why the nodes have no state, and no traceback."""
    import boto3

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="my-ml-bucket")
    at = open_on(DEPLOY, starter(), space)
    assert at.radio(key="target").value == "AWS"
    at = press_deploy(at).switch_page(DESIGNER).run()
    assert not at.exception
    said = texts(at)
    assert re.search(r"Last run \(AWS execution \w+, started .* UTC\): \*\*Succeeded\*\*", said)
    (note,) = [line for line in said.splitlines() if "could not be listed" in line]
    assert note.startswith("The steps could not be listed: ")
    assert "Traceback" not in said
    assert set(chips(at).values()) == {""}


# -- runs recorded in the store: whose they are, and what a condition decided (issue 17) --------
def recorded_run(space, design, steps: dict[str, tuple[str, str]]) -> RunRecord:
    """A finished sandbox run of `design` in the workspace's run store, as a deploy from its
    Deploy page records it: {step: (state, outcome)}."""
    from builders.localrun.store import StepRecord, now

    name = pipeline_name(design)
    run = RunRecord(
        execution_id=f"run{len(RunStore(space.root / 'runs').runs()):09d}",
        pipeline_name=name,
        execution_arn=f"arn:aws:sagemaker:us-east-1:123456789012:pipeline/{name}/execution/x",
        status="Succeeded",
        ended=now(),
        design=design.id,
        step_order=list(steps),
        steps={
            step: StepRecord(step, "Processing", state, reason=outcome, outcome=outcome)
            for step, (state, outcome) in steps.items()
        },
    )
    store = RunStore(space.root / "runs")
    store.create(run, {})
    store.release(run.execution_id)
    return run


def opened(space, design):
    """The designer with `design` opened as the app opens a saved design."""
    from app_support import app

    space.save(design)
    space.set_current(design.name)
    return app().switch_page(DESIGNER).run()


def test_a_conditions_chip_and_panel_show_the_metric_against_the_threshold(space):
    at = opened(space, design_from_starter("xgboost_quality_gate", "gate"))
    design = at.session_state["design"]
    assert design.id  # opening gives a design without one its identity, once
    outcome = "AUC 0.935 >= 0.75: if branch"
    recorded_run(space, design, {"QualityGate": ("succeeded", outcome)})
    at = canvas_edit(at.run(), selected="QualityGate")
    assert chips(at)["QualityGate"] == f"✓ {outcome}"
    assert section(at) == f"Last run: {outcome}"


def test_runs_belong_to_the_design_not_to_its_pipeline_name(space):
    """An imported or assistant-made design with the same pipeline name showed the run chips
    of another design."""
    at = opened(space, design_from_starter("xgboost_quality_gate", "gate"))
    first = at.session_state["design"]
    recorded_run(space, first, {"QualityGate": ("succeeded", "AUC 0.9 >= 0.75: if branch")})
    assert chips(at.run())["QualityGate"].startswith("✓ AUC 0.9")

    twin = design_from_starter("xgboost_quality_gate", "gate twin")  # the same pipeline name
    assert pipeline_name(twin) == pipeline_name(first)
    at.session_state["design"] = None
    space.create(twin)
    at = opened(space, space.load("gate twin"))
    second = at.session_state["design"]
    assert second.id and second.id != first.id
    assert set(chips(at).values()) == {""}
