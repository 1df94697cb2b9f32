"""The designer at real size, in Chromium (issue 19): the quality-gate starter fits a
1366x768 window with every node's text at least 11 px on screen; the view fits again when
the window is resized (until the user zooms) and is kept across page switches; a new step
lands in view beside the step it follows and is connected from it (one undo takes both
back); a palette item dropped on the canvas lands where it was dropped; copy, paste,
duplicate and several nodes at once; a condition's "if" and "else" handles; the panel opens
at the top of each node; labels are plain text."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from conftest import WAIT_MS, Server
from playwright.sync_api import Page, expect
from test_designer import CANVAS, add_from_palette, go_to, settle
from test_edits_in_browser import create, until

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
        page.set_default_timeout(WAIT_MS)
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


def pane_box(page: Page) -> dict:
    """The canvas's pane in page coordinates, less the panel over its right side."""
    drawn = measured(page)
    pane, box = dict(drawn["pane"]), drawn["frame"]
    pane["x"] += box["x"]
    pane["y"] += box["y"]
    drawer = page.locator('[class*="st-key-drawer"]')
    covered = drawer.bounding_box()["width"] if drawer.count() else 0
    return {**pane, "covered": covered}


def in_sight(page: Page, name: str) -> bool:
    """The node is wholly in the pane, clear of the panel over its right side."""
    pane = pane_box(page)
    box = node(page, name).bounding_box()
    return inside(
        {"x": box["x"], "y": box["y"], "w": box["width"], "h": box["height"]},
        pane,
        right_inset=pane["covered"],
    )


def test_new_steps_land_in_view_connected_and_one_undo_takes_both(open_page, shared_server):
    page = open_page(1366, 768)
    go_to(page, "Designs")
    page.get_by_label("Name", exact=True).fill("landing")
    page.get_by_role("button", name="Create").click()
    settle(page)
    steps = ["Script processing", "XGBoost training", "Packaging", "Payload samples"]
    names = ["ScriptProcessing", "XGBoostTraining", "Packaging", "Payload"]
    for index, (label, name) in enumerate(zip(steps, names, strict=True)):
        add_from_palette(page, label)
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()  # its panel
        expect(node(page, name)).to_have_class(re.compile(r"\bselected\b"))
        page.wait_for_function(  # the view has followed it
            "([s, n]) => { const d = document.querySelector(s).contentDocument;"
            " const b = d.querySelector(`.react-flow__node[data-id='${n}']`)"
            "?.getBoundingClientRect(); const p = d.querySelector('.react-flow')"
            ".getBoundingClientRect(); return b && b.right <= p.right && b.left >= p.left; }",
            arg=[CANVAS, name],
        )
        assert in_sight(page, name), name
        if index:  # beside the step before it, connected from it
            before = node(page, names[index - 1]).bounding_box()
            assert node(page, name).bounding_box()["x"] > before["x"] + before["width"]
            edge = frame(page).locator(f'[data-testid="rf__edge-{names[index - 1]}->{name}"]')
            expect(edge).to_have_count(1)
    design = saved(shared_server, "landing")
    assert design["edges"] == [list(pair) for pair in itertools.pairwise(names)]
    page.locator(".st-key-undo").get_by_role("button").click()  # the step and its connection
    expect(node(page, "Payload")).to_have_count(0)
    expect(frame(page).locator(".react-flow__edge")).to_have_count(2)


def test_a_step_dragged_from_the_palette_lands_where_it_is_dropped(open_page, shared_server):
    page = open_page(1366, 768)
    create(page, "dropped", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    add_from_palette(page, "Payload samples")  # opens the palette; adds one by a click
    expect(frame(page).locator(".react-flow__node")).to_have_count(10)
    item = frame(page).locator(".fc-palette-item").filter(has_text=re.compile("^Batch transform$"))
    pane = pane_box(page)
    drop = (pane["x"] + 260, pane["y"] + pane["h"] - 120)  # an empty spot low on the left
    start = item.bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(drop[0], drop[1], steps=15)
    page.mouse.up()
    expect(node(page, "BatchTransform")).to_be_visible()
    box = node(page, "BatchTransform").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert abs(centre[0] - drop[0]) < 3 and abs(centre[1] - drop[1]) < 3  # where it was dropped
    assert "BatchTransform" in [n["name"] for n in saved(shared_server, "dropped")["nodes"]]


def test_copy_paste_duplicate_and_several_steps_at_once(open_page, shared_server):
    page = open_page(1366, 768)
    create(page, "copies", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    values = next(n for n in saved(shared_server, "copies")["nodes"] if n["name"] == "Payload")
    node(page, "Payload").click()
    expect(page.get_by_role("heading", name="Payload", exact=True)).to_be_visible()
    page.keyboard.press("Control+c")
    pane = pane_box(page)
    page.mouse.move(pane["x"] + 200, pane["y"] + 160)  # where the copy goes, below the top bar
    page.keyboard.press("Control+v")
    expect(node(page, "Payload-2")).to_be_visible()
    copy = next(n for n in saved(shared_server, "copies")["nodes"] if n["name"] == "Payload-2")
    assert copy["values"] == values["values"] and copy["step_type"] == "Payload"
    box = node(page, "Payload-2").bounding_box()
    assert abs(box["x"] + box["width"] / 2 - (pane["x"] + 200)) < 3  # at the pointer
    page.keyboard.press("Control+d")  # the copy is selected: duplicated
    expect(node(page, "Payload-3")).to_be_visible()

    # Shift+click two steps: dragged together, deleted together, one undo each.
    node(page, "Payload-2").click()
    node(page, "Payload-3").click(modifiers=["Shift"])
    expect(page.get_by_text("2 steps selected")).to_be_visible()
    before = {n["name"]: n["ui"] for n in saved(shared_server, "copies")["nodes"]}
    grab = node(page, "Payload-2").bounding_box()
    page.mouse.move(grab["x"] + 30, grab["y"] + 10)
    page.mouse.down()
    page.mouse.move(grab["x"] + 30, grab["y"] + 130, steps=10)
    page.mouse.up()
    moved = lambda: {  # noqa: E731
        n["name"]: n["ui"] for n in saved(shared_server, "copies")["nodes"]
    }
    until(lambda: moved()["Payload-3"] != before["Payload-3"])  # the drop's run saved it
    after = {n["name"]: n["ui"] for n in saved(shared_server, "copies")["nodes"]}
    for name in ("Payload-2", "Payload-3"):
        assert after[name]["y"] > before[name]["y"] + 60, name  # both moved
    assert after["Payload"] == before["Payload"]
    page.keyboard.press("Delete")
    expect(node(page, "Payload-2")).to_have_count(0)
    expect(node(page, "Payload-3")).to_have_count(0)
    page.locator(".st-key-undo").get_by_role("button").click()
    expect(node(page, "Payload-2")).to_be_visible()
    expect(node(page, "Payload-3")).to_be_visible()


def handle_centre(page: Page, name: str, branch: str) -> tuple[float, float]:
    handle = node(page, name).locator(f'.react-flow__handle[data-handleid="{branch}"]')
    box = handle.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def edge_start(page: Page, edge: str) -> tuple[float, float]:
    path = frame(page).locator(f'[data-testid="rf__edge-{edge}"] .react-flow__edge-path')
    x, y = path.evaluate(
        """(path) => {
          const p = path.getPointAtLength(0), m = path.getScreenCTM();
          return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
        }"""
    )
    shown = page.locator(CANVAS).bounding_box()
    return shown["x"] + x, shown["y"] + y


def test_a_condition_has_if_and_else_handles_and_a_connection_takes_its_branch(
    open_page, shared_server
):
    page = open_page(1366, 768)
    create(page, "branches", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    branches = (("QualityGate->Packaging", "if"), ("QualityGate->FailBelowThreshold", "else"))
    for edge, branch in branches:
        start, handle = edge_start(page, edge), handle_centre(page, "QualityGate", branch)
        assert abs(start[0] - handle[0]) < 6 and abs(start[1] - handle[1]) < 6, edge
    # Drag from the "else" handle to Packaging: Packaging moves to the else branch.
    target = node(page, "Packaging").locator(".react-flow__handle.target").bounding_box()
    page.mouse.move(*handle_centre(page, "QualityGate", "else"))
    page.mouse.down()
    page.mouse.move(target["x"] + 5, target["y"] + 5, steps=12)
    page.mouse.up()
    gate = lambda: next(  # noqa: E731
        n for n in saved(shared_server, "branches")["nodes"] if n["name"] == "QualityGate"
    )
    page.wait_for_function(
        "([s, e]) => { const d = document.querySelector(s).contentDocument;"
        " const p = d.querySelector(`[data-testid='rf__edge-${e}'] .react-flow__edge-path`);"
        " return !!p; }",
        arg=[CANVAS, "QualityGate->Packaging"],
    )
    expect(frame(page).locator('.fc-edge-label[data-edge="QualityGate->Packaging"]')).to_have_text(
        "else"
    )
    assert gate()["values"]["if_steps"] == []
    start = edge_start(page, "QualityGate->Packaging")
    handle = handle_centre(page, "QualityGate", "else")
    assert abs(start[0] - handle[0]) < 6 and abs(start[1] - handle[1]) < 6


def test_the_panel_opens_at_the_top_of_each_node(open_page):
    page = open_page(1366, 768)
    create(page, "scrolled", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    node(page, "XGBoostTraining").click()
    expect(page.get_by_role("heading", name="XGBoostTraining", exact=True)).to_be_visible()
    drawer = page.locator('[class*="st-key-drawer"]')
    drawer.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    assert drawer.evaluate("e => e.scrollTop") > 100  # a long form, scrolled down
    node(page, "ModelEvaluation").click()
    expect(page.get_by_role("heading", name="ModelEvaluation", exact=True)).to_be_visible()
    assert page.locator('[class*="st-key-drawer"]').evaluate("e => e.scrollTop") == 0
    expect(page.get_by_role("heading", name="ModelEvaluation", exact=True)).to_be_in_viewport()


def test_fields_are_found_by_the_label_a_person_reads(open_page):
    page = open_page(1366, 768)
    create(page, "labels", "xgboost_quality_gate")
    wait_all_in_view(page, 9)
    node(page, "Payload").click()
    page.get_by_role("switch", name="Pipeline settings", exact=True).click(force=True)
    author = page.get_by_label("Author (pipeline setting) *", exact=True)
    expect(author).to_be_visible()
    expect(author).to_have_attribute("aria-label", "Author (pipeline setting) *")
