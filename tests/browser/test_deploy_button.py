"""Deploy in Chromium: a fresh machine presses Deploy on a starter and watches the sandbox run
every step to success."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_designer import create_from_starter, go_to, settle

RUN = 180_000  # ms: the xgboost starter's nine steps on a loaded machine


def test_deploy_a_starter_to_the_sandbox_and_see_every_step_succeed(page: Page, server, artifacts):
    settle(page)
    create_from_starter(page, "fraud")
    go_to(page, "Deploy")
    expect(page.get_by_text("runs every step here")).to_be_visible()
    page.get_by_role("button", name="Deploy").click()
    settle(page)
    execution = page.get_by_role("textbox", name="Execution ARN")
    expect(execution).to_have_value(
        re.compile(r"^arn:aws:sagemaker:us-east-1:\d{12}:pipeline/.+/execution/")
    )
    execution_id = execution.input_value().rsplit("/", 1)[-1]
    expect(page.get_by_text(re.compile("created on the local sandbox"))).to_be_visible()
    expect(page.get_by_text(re.compile(rf"Run {execution_id}: Succeeded in"))).to_be_visible(
        timeout=RUN
    )
    expect(page.get_by_text("9 steps: 9 succeeded")).to_be_visible()
    page.screenshot(path=artifacts / "08-deploy.png", full_page=True)

    # Deploying again: the same definition needs no confirmation, uploads nothing new.
    page.get_by_role("button", name="Deploy").click()
    settle(page)
    expect(
        page.get_by_text(re.compile(r"updated on the local sandbox.*0 files uploaded"))
    ).to_be_visible()
    page.get_by_role("button", name="Stop the run").click()
    expect(page.get_by_text(re.compile(r"Run \w+: Stopped"))).to_be_visible(timeout=RUN)
