"""The last run on the canvas, in Chromium: a sandbox run started from the Deploy page shows
on the designer's nodes while it goes (a running step counts its seconds) and after (states
and durations), without a click, and without disturbing a value being typed; a failing
script's node shows its reason in the panel."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_designer import canvas, go_to, settle

from builders.designs.design import add_node, set_node_values
from builders.designs.workspace import Workspace
from builders.starters import design_from_starter

RUN = 120_000  # ms: a run on a loaded machine
# Waits for the test's go-ahead (so the test sees it running), then fails as a buggy job does.
CHECK = """
import os, sys, time
print("checking the model", flush=True)
deadline = time.time() + 120
while not os.path.exists({go!r}) and time.time() < deadline:
    time.sleep(0.1)
raise ValueError("column amount has text in row 7")
"""


def saved_design(server, folder):
    """The pytorch starter plus a node Check running CHECK, saved in the app's workspace."""
    folder.mkdir()
    go = folder.parent / "go"
    (folder / "check.py").write_text(CHECK.format(go=str(go)))
    design = add_node(
        design_from_starter("pytorch_model_registration", "fraud"), "ScriptProcessing", name="Check"
    )
    design = set_node_values(
        design,
        "Check",
        {
            "script_folder": str(folder),
            "script": "check.py",
            "container": "xgboost",
            "container_version": "1.7-1",
            "input_ports": {},
            "output_ports": {"report": "data metadata"},
        },
    )
    Workspace(server.workspace).save(design)
    return go


def chip(frame, node: str):
    return frame.locator(f'.react-flow__node[data-id="{node}"] .fc-run-chip')


def test_a_sandbox_run_shows_on_the_canvas_while_it_goes_and_after(
    page: Page, server, artifacts, tmp_path
):
    go = saved_design(server, tmp_path / "my_code")
    settle(page)
    go_to(page, "Designs")
    page.get_by_role("button", name="Open", exact=True).and_(
        page.get_by_test_id("stBaseButton-secondary")
    ).click()
    settle(page)
    go_to(page, "Deploy")
    page.get_by_role("button", name="Deploy").click()
    settle(page)
    expect(page.get_by_text(re.compile("created on the local sandbox"))).to_be_visible()

    go_to(page, "Designer")
    frame = canvas(page)
    expect(chip(frame, "Check")).to_have_text(re.compile(r"^◔ running · \d+ s$"), timeout=RUN)
    for node in ("PyTorchModel", "Packaging", "Payload", "ModelRegistration"):
        expect(chip(frame, node)).to_have_text(
            re.compile(r"^✓ succeeded · \d+\.\d s$"), timeout=RUN
        )
    seconds = chip(frame, "Check").inner_text()
    expect(chip(frame, "Check")).not_to_have_text(seconds)  # counts on with no push
    expect(page.get_by_text(re.compile(r"Last run \(sandbox run \w+"))).to_be_visible()

    # A value being typed in the panel survives the refreshes; so does the selection.
    frame.locator('.react-flow__node[data-id="Payload"]').click()
    settle(page)
    typing = page.get_by_role("textbox", name="Node name")
    typing.fill("Payload2")  # not committed: no Enter, no blur
    page.screenshot(path=artifacts / "10-run-going.png", full_page=True)
    go.write_text("go")
    expect(chip(frame, "Check")).to_have_text(re.compile(r"^✕ failed · \d+\.\d s$"), timeout=RUN)
    expect(page.get_by_text(re.compile(r"\): Failed"))).to_be_visible()
    expect(typing).to_have_value("Payload2")
    expect(frame.locator('.react-flow__node[data-id="Payload"]')).to_have_class(
        re.compile("selected")
    )
    typing.fill("Payload")  # back as it was, before it is committed

    frame.locator('.react-flow__node[data-id="Check"]').click()
    settle(page)
    panel = page.locator(".st-key-panel")
    expect(panel.get_by_text(re.compile(r"^Last run: failed · "))).to_be_visible()
    reason = panel.get_by_test_id("stAlertContentError")
    expect(reason).to_contain_text("ValueError: column amount has text in row 7")
    expect(panel.get_by_text("checking the model")).to_be_visible()  # the log's tail
    page.screenshot(path=artifacts / "11-run-failed.png", full_page=True)
