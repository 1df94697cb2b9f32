"""Issue 9 in Chromium: the first screen, the panel beside the canvas, Tidy layout, and undo
and redo of each kind of change (buttons and keyboard shortcuts)."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page, expect
from test_designer import CANVAS, add_from_palette, canvas, drag_edge, settle, steady_box
from test_edits_in_browser import click_edge, click_node, create, open_section, shared
from test_layout_in_browser import GEOMETRY, _overlap

# The panel has scrolled and stopped: its scroll position the same two frames running.
SCROLLED_AND_STILL = """() => {
  const drawer = document.querySelector('[class*="st-key-drawer"]');
  const top = drawer ? drawer.scrollTop : 0;
  const still = top > 0 && top === window.__drawerTop;
  window.__drawerTop = top;
  return still;
}"""


def saved(server, name: str) -> dict:
    return json.loads((server.workspace / f"{name}.design.json").read_text())


def places(design: dict) -> dict:
    return {node["name"]: node["ui"] for node in design["nodes"]}


def wait_saved(server, check, what: str = "", name: str = "fraud") -> None:
    """Until the saved design passes `check` (the run of a canvas event comes a moment
    after the event), or 10 s."""
    for _ in range(100):
        if check(saved(server, name)):
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: the change was not saved: {saved(server, name)}")


def undo_button(page: Page):
    return page.locator(".st-key-undo").get_by_role("button")


def redo_button(page: Page):
    return page.locator(".st-key-redo").get_by_role("button")


def test_the_first_screen_starts_a_design_in_place(page: Page, server, artifacts):
    settle(page)
    expect(page.get_by_role("heading", name="Start a design")).to_be_visible()
    expect(page.get_by_text("Train XGBoost on tabular data")).to_be_visible()
    expect(page.get_by_text("4 steps: PyTorchModel, Packaging, Payload")).to_be_visible()
    page.screenshot(path=artifacts / "10-first-screen.png", full_page=True)
    page.get_by_role("textbox", name="Name of the new design").fill("fraud")
    page.get_by_role("textbox", name="Name of the new design").press("Enter")
    settle(page)
    page.locator(".st-key-first-xgboost_end_to_end button").click()
    settle(page)
    expect(page.get_by_role("heading", name="fraud")).to_be_visible()
    expect(canvas(page).locator(".react-flow__node")).to_have_count(9)
    assert len(saved(server, "fraud")["nodes"]) == 9


def test_the_panel_is_over_the_canvas_with_the_status_on_top(page: Page, server, artifacts):
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    add_from_palette(page, "Payload samples")  # incomplete: problems
    frame = page.locator(CANVAS).bounding_box()
    heading = page.get_by_role("heading", name="Payload-2")
    expect(heading).to_be_visible()
    status = page.get_by_text("problems to fill in").first
    expect(status).to_be_visible()
    drawer = page.locator('[class*="st-key-drawer"]').bounding_box()
    assert abs(drawer["x"] + drawer["width"] - (frame["x"] + frame["width"])) < 2
    assert abs(drawer["y"] - frame["y"]) < 2  # over its right side, top to bottom
    assert abs(drawer["height"] - frame["height"]) < 2
    assert drawer["width"] < frame["width"] / 2
    for shown in (heading.bounding_box(), status.bounding_box()):
        assert drawer["x"] < shown["x"] < drawer["x"] + drawer["width"]
        assert frame["y"] < shown["y"] < frame["y"] + frame["height"]
    required = page.get_by_role("textbox", name="Model registration objective")
    advanced = page.get_by_role("switch", name="Advanced settings")
    assert required.bounding_box()["y"] < advanced.bounding_box()["y"]  # required first
    page.screenshot(path=artifacts / "11-panel-beside-canvas.png")
    # Scrolling the long form keeps the canvas where it is.
    page.locator(".st-key-panel").hover()
    page.mouse.wheel(0, 1500)
    page.wait_for_function(SCROLLED_AND_STILL, polling="raf")
    assert page.locator(CANVAS).bounding_box()["y"] == frame["y"]
    # A click on the empty canvas closes the panel.
    pane = canvas(page).locator(".react-flow__pane")
    pane.click(position={"x": 12, "y": 12})
    settle(page)
    expect(page.get_by_role("heading", name="Payload-2")).to_have_count(0)


def test_tidy_layout_leaves_no_node_on_another(page: Page, server, artifacts):
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    frame = canvas(page)
    nodes = ["Payload", "XGBoostModel", "BatchTransform"]
    target = steady_box(page, frame.locator('.react-flow__node[data-id="Packaging"]'))
    for name in nodes:  # pile three nodes onto Packaging
        before = places(saved(server, "fraud"))[name]
        box = steady_box(page, frame.locator(f'.react-flow__node[data-id="{name}"]'))
        page.mouse.move(box["x"] + 20, box["y"] + 10)
        page.mouse.down()
        page.mouse.move(target["x"] + 24, target["y"] + 14, steps=10)
        page.mouse.up()
        wait_saved(server, lambda design, name=name, at=before: places(design)[name] != at)
        settle(page)
    piled = page.evaluate(GEOMETRY, CANVAS)["nodes"]
    assert any(_overlap(a, b) for a in piled for b in piled if a is not b)
    untidy = saved(server, "fraud")
    page.get_by_role("button", name="Tidy layout").click()
    wait_saved(server, lambda design: places(design) != places(untidy))
    settle(page)
    drawn = drawn_apart(page)
    page.screenshot(path=artifacts / "12-tidy-layout.png")
    assert len(drawn) == 9
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert not _overlap(a, b), (a["id"], b["id"])
    assert places(saved(server, "fraud")) != places(untidy)
    undo_button(page).click()  # tidying is a change like any other
    wait_saved(server, lambda design: design == untidy, "undo Tidy layout")


def drawn_apart(page: Page, timeout: float = 15) -> list[dict]:
    """The canvas's node boxes once no two overlap, or as they are after `timeout` (the
    canvas takes pushed positions a moment after the run that pushed them)."""
    deadline = time.monotonic() + timeout
    while True:
        drawn = page.evaluate(GEOMETRY, CANVAS)["nodes"]
        apart = not any(_overlap(a, b) for i, a in enumerate(drawn) for b in drawn[i + 1 :])
        if apart or time.monotonic() > deadline:
            return drawn
        page.wait_for_timeout(100)


def test_undo_and_redo_each_kind_of_change(page: Page, server):
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    expect(undo_button(page)).to_be_disabled()
    expect(redo_button(page)).to_be_disabled()
    frame = canvas(page)

    def add():
        add_from_palette(page, "Batch transform")

    def connect():
        drag_edge(page, "XGBoostModel", "BatchTransform-2")

    def edit():
        click_node(page, "Payload")
        box = page.get_by_role("textbox", name="Model registration objective")
        box.fill("Churn")
        box.press("Enter")

    def override():
        click_node(page, "Payload")
        open_section(page, "Pipeline settings")
        shared(page, "Payload", "author").get_by_text("Override for this node").click()

    def rename():
        click_node(page, "Payload")
        box = page.get_by_role("textbox", name="Node name", exact=True)
        box.fill("Samples")
        box.press("Enter")

    def move():
        box = steady_box(page, frame.locator('.react-flow__node[data-id="Packaging"]'))
        page.mouse.move(box["x"] + 20, box["y"] + 10)
        page.mouse.down()
        page.mouse.move(box["x"] + 20, box["y"] + 200, steps=10)
        page.mouse.up()

    def disconnect():
        assert click_edge(page, "Packaging", "ModelRegistration")
        page.get_by_role("button", name="Remove connection").click()

    def delete():
        click_node(page, "BatchTransform")
        page.get_by_role("button", name="Delete", exact=True).click()

    changes = {"add": add, "connect": connect, "edit a field": edit, "override": override,
               "rename": rename, "move": move, "disconnect": disconnect,
               "delete": delete}  # fmt: skip
    for number, (kind, change) in enumerate(changes.items()):
        before = saved(server, "fraud")
        change()
        wait_saved(server, lambda design, before=before: design != before, kind)
        settle(page)
        after = saved(server, "fraud")
        by_keys = number % 2  # buttons and shortcuts in turn
        page.evaluate("document.activeElement?.blur()")  # no text box has the keys
        if by_keys:
            page.keyboard.press("Control+z")
        else:
            undo_button(page).click()
        wait_saved(server, lambda design, before=before: design == before, f"undo {kind}")
        settle(page)
        expect(frame.locator(".react-flow__node")).to_have_count(len(before["nodes"]))
        expect(frame.locator(".react-flow__edge")).to_have_count(len(before["edges"]))
        if by_keys:
            page.keyboard.press("Control+Shift+z")
        else:
            redo_button(page).click()
        wait_saved(server, lambda design, after=after: design == after, f"redo {kind}")
        settle(page)
        expect(frame.locator(".react-flow__edge")).to_have_count(len(after["edges"]))


def test_ctrl_z_in_a_text_box_is_the_boxs_own(page: Page, server):
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    created = saved(server, "fraud")
    add_from_palette(page, "Batch transform")  # something to undo
    wait_saved(server, lambda design: design != created)
    settle(page)
    before = saved(server, "fraud")
    click_node(page, "Payload")
    box = page.get_by_role("textbox", name="Model registration objective")
    box.click()
    box.press("End")
    typed = box.input_value()
    page.keyboard.type("X")
    expect(box).to_have_value(typed + "X")
    page.keyboard.press("Control+z")  # the box takes back its X; the design is untouched
    expect(box).to_have_value(typed)
    settle(page)
    assert places(saved(server, "fraud")) == places(before)  # nothing undone
    assert saved(server, "fraud") == before
    expect(undo_button(page)).to_be_enabled()


def test_ctrl_z_works_with_the_canvas_focused(page: Page, server):
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    before = saved(server, "fraud")
    add_from_palette(page, "Batch transform")
    wait_saved(server, lambda design: design != before)
    settle(page)
    click_node(page, "Packaging")  # the canvas's frame has the keyboard now
    page.keyboard.press("Control+z")
    wait_saved(server, lambda design: design == before)
    expect(canvas(page).locator(".react-flow__node")).to_have_count(9)


def test_go_to_a_step_selects_it_as_a_click_does(page: Page, server):
    """The canvas's "Go to a step" box: a whole name selects at once, a part of a name and
    Enter selects the first step containing it, a part that matches none says so and
    selects nothing; the box is emptied after each choice."""
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    box = canvas(page).get_by_role("combobox", name="Go to a step")
    chosen = canvas(page).locator(".react-flow__node.selected")
    box.fill("Packaging")
    expect(page.get_by_role("heading", name="Packaging", exact=True)).to_be_visible()
    expect(chosen).to_have_attribute("data-id", "Packaging")
    expect(box).to_have_value("")
    settle(page)
    box.fill("payl")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Payload", exact=True)).to_be_visible()
    expect(chosen).to_have_attribute("data-id", "Payload")
    settle(page)
    box.fill("no such step")
    box.press("Enter")
    missed = "No step's name contains “no such step”."
    expect(box).to_have_accessible_description(missed)
    expect(canvas(page).get_by_role("status").filter(has_text=missed)).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(chosen).to_have_attribute("data-id", "Payload")  # the selection is kept
    box.press("Escape")
    expect(box).to_have_value("")
    expect(canvas(page).get_by_text(missed)).to_have_count(0)
    expect(box).to_have_accessible_description("")
