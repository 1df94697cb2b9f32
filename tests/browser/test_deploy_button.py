"""Deploy in Chromium: a fresh machine presses Deploy and sees the execution in the sandbox."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_designer import create_from_starter, go_to, settle


def test_deploy_to_the_sandbox_and_see_the_execution(page: Page, server, artifacts):
    settle(page)
    create_from_starter(page, "fraud")
    go_to(page, "Deploy")
    expect(page.get_by_text("runs no jobs")).to_be_visible()
    page.get_by_role("button", name="Deploy").click()
    settle(page)
    execution = page.get_by_role("textbox", name="Execution ARN")
    expect(execution).to_have_value(
        re.compile(r"^arn:aws:sagemaker:us-east-1:\d{12}:pipeline/.+/execution/")
    )
    expect(page.get_by_text("Execution status: Succeeded")).to_be_visible()
    expect(page.get_by_text(re.compile("created on the local sandbox"))).to_be_visible()
    page.screenshot(path=artifacts / "08-deploy.png", full_page=True)

    # Deploying again updates the pipeline and uploads nothing new.
    page.get_by_role("button", name="Deploy").click()
    settle(page)
    expect(
        page.get_by_text(re.compile(r"updated on the local sandbox.*0 file\(s\) uploaded"))
    ).to_be_visible()
