"""A person's session in Chromium: starter design, drag an edge, fill a field, download, reload."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from components.flow_canvas import IFRAME_TITLE

CANVAS = f'iframe[title="{IFRAME_TITLE}"]'


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (and has run it at least once)
    and has drawn what it sent (an element whose code is loaded on first use shows a
    skeleton for a moment after the run)."""
    page.wait_for_timeout(300)
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=60_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=60_000)


def go_to(page: Page, title: str) -> None:
    """Open a page from the navigation in the header band."""
    page.get_by_test_id("stTopNavLink").filter(has_text=title).click()
    settle(page)


def create_from_starter(page: Page, name: str) -> None:
    go_to(page, "Designs")
    page.get_by_label("Name").fill(name)
    page.get_by_test_id("stSelectbox").filter(has_text="Start from").click()
    page.get_by_role("option", name="xgboost_end_to_end").click()
    page.get_by_role("button", name="Create").click()
    settle(page)
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def canvas(page: Page):
    frame = page.frame_locator(CANVAS)
    expect(frame.locator(".react-flow__node").first).to_be_visible()
    return frame


def add_from_palette(page: Page, label: str) -> None:
    """Click `label` in the canvas's palette (opened first if closed; it stays open)."""
    frame = page.frame_locator(CANVAS)
    item = frame.locator(".fc-palette-item").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    opener = frame.locator(".fc-palette-open")
    expect(item.or_(opener)).to_be_visible()
    if not item.is_visible():
        opener.click()
    item.click()
    settle(page)


def steady_box(page: Page, locator) -> dict:
    """The element's box once the canvas has stopped moving (it fits the view on changes)."""
    box = locator.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box


def drag_edge(page: Page, source: str, target: str) -> None:
    """Press on the source node's output handle and release on the target's input handle
    (the panel over the canvas closed first, as a person closes it to see both steps)."""
    frame = canvas(page)
    close = page.locator(".st-key-close_panel").get_by_role("button")
    if close.count():
        close.click()
        expect(page.locator('[class*="st-key-drawer"]')).to_have_count(0)
        settle(page)
    page.locator(CANVAS).scroll_into_view_if_needed()
    start = frame.locator(f'.react-flow__node[data-id="{source}"] .react-flow__handle.source')
    end = frame.locator(f'.react-flow__node[data-id="{target}"] .react-flow__handle.target')
    a, b = steady_box(page, start), steady_box(page, end)
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()
    settle(page)


def test_design_in_the_browser(page: Page, server, artifacts):
    settle(page)
    page.screenshot(path=artifacts / "01-designer-empty.png")
    create_from_starter(page, "fraud")
    frame = canvas(page)
    expect(frame.locator(".react-flow__node")).to_have_count(9)
    page.screenshot(path=artifacts / "02-designs-created.png", full_page=True)

    # Add a second batch transform and connect the model to it by dragging.
    add_from_palette(page, "Batch transform")
    expect(frame.locator(".react-flow__node")).to_have_count(10)
    # Two steps equally last make what it takes: no connection is guessed.
    expect(frame.locator(".react-flow__edge")).to_have_count(9)
    drag_edge(page, "XGBoostModel", "BatchTransform-2")
    expect(frame.locator(".react-flow__edge")).to_have_count(10)
    drag_edge(page, "DataLoadingCalibration", "BatchTransform-2")
    expect(frame.locator(".react-flow__edge")).to_have_count(11)
    saved = json.loads((server.workspace / "fraud.design.json").read_text())
    assert ["XGBoostModel", "BatchTransform-2"] in saved["edges"]

    # A cycle is refused: the edge disappears and a message says why.
    drag_edge(page, "BatchTransform-2", "XGBoostTraining")
    expect(page.get_by_text("would make a cycle")).to_be_visible()
    expect(frame.locator(".react-flow__edge")).to_have_count(11)

    # Add a Payload node and fill its required objective.
    add_from_palette(page, "Payload samples")
    objective = page.get_by_role("textbox", name=re.compile(r"Model registration objective.*\*"))
    objective.fill("FraudDetection")
    objective.press("Enter")  # the panel sends it; the run it starts saves it

    def objective_saved() -> bool:
        saved = json.loads((server.workspace / "fraud.design.json").read_text())
        payload = next(n for n in saved["nodes"] if n["name"] == "Payload-2")
        return payload["values"].get("model_registration_objective") == "FraudDetection"

    for _ in range(200):  # the run may start a moment later on a loaded machine
        if objective_saved():
            break
        page.wait_for_timeout(100)
    assert objective_saved()
    settle(page)
    page.screenshot(path=artifacts / "03-designer-form.png", full_page=True)

    # Remove the incomplete node again, so that the design is valid, and download.
    page.get_by_role("button", name="Delete").click()
    settle(page)
    expect(frame.locator(".react-flow__node")).to_have_count(10)
    go_to(page, "Pipeline settings")
    page.screenshot(path=artifacts / "04-settings.png", full_page=True)
    go_to(page, "Preview and export")
    expect(page.get_by_text("The design is complete and valid.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download pipeline JSON").click()
    definition = json.loads(download.value.path().read_text())
    steps = {step["Name"]: step for step in definition["Steps"]}
    assert {"BatchTransform", "BatchTransform-2", "XGBoostTraining"} <= set(steps)
    assert steps["BatchTransform-2"]["Arguments"]["ModelName"] == {
        "Get": "Steps.XGBoostModel-CreateModel.ModelName"
    }
    page.screenshot(path=artifacts / "05-export.png", full_page=True)

    # A reload finds the design as it was.
    page.reload()
    settle(page)
    go_to(page, "Designer")
    expect(page.get_by_role("heading", name="fraud")).to_be_visible()
    expect(canvas(page).locator(".react-flow__node")).to_have_count(10)
    expect(canvas(page).locator(".react-flow__edge")).to_have_count(11)
    go_to(page, "Designs")
    page.screenshot(path=artifacts / "06-designs.png", full_page=True)
