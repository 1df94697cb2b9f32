"""The assistant in Chromium, offline: a goal becomes a proposal, then a design on the canvas."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from test_designer import canvas, go_to, settle


def test_a_goal_becomes_a_design_on_the_canvas(page: Page, server, artifacts):
    settle(page)
    go_to(page, "Assistant")
    expect(page.get_by_text("Offline mode")).to_be_visible()
    page.get_by_label("Goal").fill(
        "Train an XGBoost model on my S3 data and register it with sample payloads"
    )
    page.get_by_role("button", name="Propose a pipeline").click()
    settle(page)
    expect(page.get_by_text("Follows the starter design xgboost_end_to_end")).to_be_visible()
    # The starter trimmed to the goal: loading to registration, six steps (no model step).
    expect(page.locator("svg .node")).to_have_count(6)  # the proposed graph
    page.screenshot(path=artifacts / "09-assistant-proposal.png", full_page=True)

    page.get_by_label("Name of the new design").fill("planned")
    page.get_by_role("button", name="Accept as a new design").click()
    settle(page)
    expect(page.get_by_role("heading", name="planned")).to_be_visible()
    frame = canvas(page)
    expect(frame.locator(".react-flow__node")).to_have_count(6)
    expect(frame.locator(".react-flow__edge")).to_have_count(6)
    assert (server.workspace / "planned.design.json").is_file()
    page.screenshot(path=artifacts / "10-assistant-accepted.png", full_page=True)
