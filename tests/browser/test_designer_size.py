"""The designer at real size, in Chromium (issue 19): the quality-gate starter fits a
1366x768 window with every node's text at least 11 px on screen; the view fits again when
the window is resized (until the user zooms) and is kept across page switches; a new step
lands in view beside the step it follows and is connected from it (one undo takes both
back); a palette item dropped on the canvas lands where it was dropped; copy, paste,
duplicate and several nodes at once; a condition's "if" and "else" handles; the panel opens
at the top of each node; labels are plain text."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Server
from playwright.sync_api import Page, expect
from test_designer import CANVAS, go_to, settle
from test_edits_in_browser import create

READABLE_PX = 11
# Every node's box and texts, measured in the canvas's frame: font size as computed times
# the view's zoom is the size on screen (the same as the rendered box's, scaled).
MEASURE = """(selector) => {
  const frame = document.querySelector(selector);
  const doc = frame.contentDocument;
  const viewport = doc.querySelector(".react-flow__viewport");
  if (!viewport) return null;
  const zoom = Number(/scale\\(([\\d.]+)\\)/.exec(viewport.style.transform)[1]);
  const pane = doc.querySelector(".react-flow").getBoundingClientRect();
  const nodes = [...doc.querySelectorAll(".react-flow__node")].map((node) => {
    const box = node.getBoundingClientRect();
    const texts = [...node.querySelectorAll(
        ".fc-title, .fc-subtitle, .fc-status, .fc-run-chip, .fc-branch-label")].map((e) => ({
      cls: e.className, text: e.textContent,
      px: parseFloat(getComputedStyle(e).fontSize) * zoom,
      cut: e.scrollHeight > e.clientHeight + 1,
    }));
    return {id: node.dataset.id, x: box.x, y: box.y, w: box.width, h: box.height, texts};
  });
  const main = document.querySelector('[data-testid="stMain"]');
  return {
    zoom, nodes, pane: {x: pane.x, y: pane.y, w: pane.width, h: pane.height},
    frame: frame.getBoundingClientRect().toJSON(),
    window: {w: window.innerWidth, h: window.innerHeight},
    scrolls: main.scrollHeight > main.clientHeight + 1,
    transform: viewport.style.transform,
  };
}"""
ALL_IN_VIEW = """([selector, count]) => {
  const doc = document.querySelector(selector)?.contentDocument;
  const pane = doc?.querySelector(".react-flow")?.getBoundingClientRect();
  const nodes = doc ? [...doc.querySelectorAll(".react-flow__node")] : [];
  return nodes.length === count && nodes.every((n) => {
    const b = n.getBoundingClientRect();
    return b.left >= pane.left && b.right <= pane.right && b.top >= pane.top
      && b.bottom <= pane.bottom;
  });
}"""


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("designer-size") / "workspace")
    yield running
    running.stop()


@pytest.fixture
def open_page(browser, shared_server):
    """A new browser (session) at a window size, on the app."""
    contexts = []

    def opened(width: int = 1366, height: int = 768) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(shared_server.url)
        settle(page)
        return page

    yield opened
    for context in contexts:
        context.close()


def frame(page: Page):
    return page.frame_locator(CANVAS)


def node(page: Page, name: str):
    return frame(page).locator(f'.react-flow__node[data-id="{name}"]')


def measured(page: Page) -> dict:
    return page.evaluate(MEASURE, CANVAS)


def wait_all_in_view(page: Page, count: int) -> None:
    page.wait_for_function(ALL_IN_VIEW, arg=[CANVAS, count])


def saved(server, name: str) -> dict:
    return json.loads((server.workspace / f"{name}.design.json").read_text())


def inside(box: dict, pane: dict, right_inset: float = 0) -> bool:
    return (
        box["x"] >= pane["x"] - 1
        and box["x"] + box["w"] <= pane["x"] + pane["w"] - right_inset + 1
        and box["y"] >= pane["y"] - 1
        and box["y"] + box["h"] <= pane["y"] + pane["h"] + 1
    )


def test_the_quality_gate_starter_is_readable_at_1366x768(open_page, artifacts):
    page = open_page(1366, 768)
    create(page, "gate-readable", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    settle(page)
    page.screenshot(path=artifacts / "19-gate-1366x768.png")
    drawn = measured(page)
    assert not drawn["scrolls"]  # the page fits the window
    window, shown = drawn["window"], drawn["frame"]
    assert shown["width"] >= window["w"] - 40  # the canvas takes the width...
    assert shown["y"] + shown["height"] >= window["h"] - 30  # ...and the height
    assert shown["y"] < 140  # under the toolbar: no empty header band
    for box in drawn["nodes"]:
        assert inside(box, drawn["pane"]), box["id"]  # the whole design in view
        for text in box["texts"]:
            assert text["px"] >= READABLE_PX, (box["id"], text)
        title = next(t for t in box["texts"] if "fc-title" in t["cls"])
        assert not title["cut"], (box["id"], title)  # the whole name on its two lines
    gate = next(box for box in drawn["nodes"] if box["id"] == "QualityGate")
    labels = [t["text"] for t in gate["texts"] if "fc-branch-label" in t["cls"]]
    assert labels == ["if", "else"]


def test_thirty_steps_are_shown_readable_from_the_start_with_a_minimap(open_page, shared_server):
    """A design too large to fit readably: the readable zoom, its first steps in view, the
    rest reached by panning (a minimap shows where)."""
    from builders.designs.design import add_node, new_design
    from builders.designs.workspace import Workspace
    from builders.graph.layout import COLUMN_WIDTH, ROW_HEIGHT

    design = new_design("thirty")
    for index in range(30):
        position = ((index // 3) * COLUMN_WIDTH, (index % 3) * ROW_HEIGHT)
        design = add_node(design, "Payload", name=f"S{index}", position=position)
    space = Workspace(shared_server.workspace)
    space.save(design)
    space.set_current("thirty")  # a new session opens it
    page = open_page(1366, 768)
    expect(frame(page).locator(".react-flow__minimap")).to_be_visible()
    page.wait_for_function(
        "(s) => document.querySelector(s).contentDocument"
        ".querySelectorAll('.react-flow__node').length === 30",
        arg=CANVAS,
    )
    drawn = measured(page)
    assert drawn["zoom"] >= READABLE_PX / 13 - 0.001  # no smaller than readable
    boxes = {box["id"]: box for box in drawn["nodes"]}
    assert inside(boxes["S0"], drawn["pane"]) and not inside(boxes["S29"], drawn["pane"])
    for box in drawn["nodes"]:
        assert all(text["px"] >= READABLE_PX for text in box["texts"]), box["id"]


def transform(page: Page) -> str:
    return frame(page).locator(".react-flow__viewport").evaluate("e => e.style.transform")


def test_the_view_fits_again_on_resize_until_the_user_zooms_and_is_kept(open_page):
    page = open_page(1366, 768)
    create(page, "gate-resize", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    small = measured(page)["zoom"]
    page.set_viewport_size({"width": 1920, "height": 1080})
    expect(frame(page).locator(".react-flow__viewport")).not_to_have_attribute(
        "style", re.compile(re.escape(f"scale({small})"))
    )
    wait_all_in_view(page, 9)
    large = measured(page)
    assert large["zoom"] > small  # fitted again: larger in the larger window
    # A click on a node (its panel opens over the canvas) and on the pane move nothing.
    node(page, "QualityGate").click()
    expect(page.get_by_role("heading", name="QualityGate", exact=True)).to_be_visible()
    frame(page).locator(".react-flow__pane").click(position={"x": 8, "y": 300})
    expect(page.get_by_role("heading", name="QualityGate", exact=True)).to_have_count(0)
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(frame(page).locator(".react-flow__viewport")).to_have_attribute(
        "style", re.compile(re.escape(f"scale({small})"))
    )
    # The user zooms: from then on the view is theirs.
    frame(page).locator(".react-flow__controls-zoomin").click()
    expect(frame(page).locator(".react-flow__viewport")).not_to_have_attribute(
        "style", re.compile(re.escape(f"scale({small})"))
    )
    zoomed = steady_transform(page)
    page.set_viewport_size({"width": 1500, "height": 900})
    page.wait_for_function(  # the canvas has its new size (and would have fitted by then)
        "(s) => document.querySelector(s).contentDocument"
        ".querySelector('.react-flow').getBoundingClientRect().width > 1400",
        arg=CANVAS,
    )
    assert steady_transform(page) == zoomed  # not fitted again
    # Kept across a page switch.
    go_to(page, "Deploy")
    go_to(page, "Designer")
    expect(frame(page).locator(".react-flow__viewport")).to_have_attribute(
        "style", re.compile(re.escape(zoomed))
    )
    # The fit button makes the view automatic again.
    frame(page).locator(".react-flow__controls-fitview").click()
    wait_all_in_view(page, 9)


def steady_transform(page: Page) -> str:
    """The view's transform once two reads 200 ms apart agree (a zoom animates)."""
    return page.evaluate(
        """async (s) => {
          const read = () => document.querySelector(s).contentDocument
            .querySelector(".react-flow__viewport").style.transform;
          let last = read();
          for (;;) {
            await new Promise((done) => setTimeout(done, 200));
            const now = read();
            if (now === last) return now;
            last = now;
          }
        }""",
        CANVAS,
    )
