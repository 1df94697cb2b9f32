"""The flow canvas component in Chromium, in a minimal app (flow_canvas_app.py) that writes
its run count and every event it received to the page.

The canvas must send one small event per user action, at once, and nothing else: a push
from Python (a new status, a new node) must not make it send a value back (each value is a
script run). "No further run" can only be checked over a window of time: QUIET_MS is longer
than streamlit-flow takes to echo a push (its echoes arrive within a few hundred ms).
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO, WAIT_MS, Server
from playwright.sync_api import Page, expect
from test_designer import settle, steady_box

from builders.graph.layout import NODE_HEIGHT, NODE_WIDTH
from components.flow_canvas import IFRAME_TITLE

CANVAS = f'iframe[title="{IFRAME_TITLE}"]'
QUIET_MS = 1500
LONG_NAME = "AStepWhoseNameIsFarTooLongToFitOnTwoLinesOfItsBoxOnTheCanvas"  # the app's


@pytest.fixture(scope="module")
def canvas_server(tmp_path_factory):
    running = Server(
        tmp_path_factory.mktemp("flow-canvas") / "workspace",
        script=REPO / "tests" / "browser" / "flow_canvas_app.py",
    )
    yield running
    running.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    yield context
    context.close()


def open_app(context, url: str) -> Page:
    """A new session: the app's graph as it starts."""
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    expect(canvas(page).locator(".react-flow__node")).to_have_count(4)
    settle(page)
    steady_box(page, canvas(page).locator(".react-flow__node").first)  # the view is fitted
    return page


@pytest.fixture
def page(context, canvas_server):
    return open_app(context, canvas_server.url)


def canvas(page: Page):
    return page.frame_locator(CANVAS)


def node(page: Page, name: str):
    return canvas(page).locator(f'.react-flow__node[data-id="{name}"]')


def runs(page: Page) -> int:
    return int(page.get_by_text(re.compile(r"^runs: \d+$")).inner_text().split()[1])


def events(page: Page) -> list[dict]:
    text = page.get_by_test_id("stCode").inner_text().strip()
    return [] if text == "no events" else [json.loads(line) for line in text.splitlines()]


def expect_runs(page: Page, count: int) -> None:
    """The app ran `count` times and no run follows within QUIET_MS."""
    expect(page.get_by_text(f"runs: {count}", exact=True)).to_be_visible()
    settle(page)
    page.wait_for_timeout(QUIET_MS)
    settle(page)
    assert runs(page) == count


def style(locator, name: str) -> str:
    return locator.evaluate("(e, name) => getComputedStyle(e)[name]", name)


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=30)
    page.mouse.up()


def zoom(page: Page) -> float:
    transform = canvas(page).locator(".react-flow__viewport").evaluate("e => e.style.transform")
    return float(re.search(r"scale\(([\d.]+)\)", transform)[1])


def primary(page: Page) -> str:
    """The theme's primary colour as the canvas received it, in computed-style form."""
    root = canvas(page).locator(".fc-canvas")
    return root.evaluate(
        """(canvas) => {
          const probe = canvas.appendChild(document.createElement("div"));
          probe.style.color = "var(--fc-primary)";
          const colour = getComputedStyle(probe).color;
          probe.remove();
          return colour;
        }"""
    )


def edge_point(page: Page, edge: str, at: float) -> tuple[float, float]:
    """A point on the drawn curve of `edge`, `at` of its length from the source, in page
    coordinates (the iframe's offset added)."""
    path = canvas(page).locator(f'[data-testid="rf__edge-{edge}"] .react-flow__edge-path')
    x, y = path.evaluate(
        """(path, at) => {
          const p = path.getPointAtLength(path.getTotalLength() * at);
          const m = path.getScreenCTM();
          return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
        }""",
        at,
    )
    frame = page.locator(CANVAS).bounding_box()
    return frame["x"] + x, frame["y"] + y


def test_a_node_click_is_one_event_and_one_run(page: Page):
    assert runs(page) == 1 and events(page) == []
    node(page, "Train").click()
    expect(page.get_by_text("selected: Train")).to_be_visible()
    expect_runs(page, 2)
    assert [(e["kind"], e["node"], e["run"]) for e in events(page)] == [("node_click", "Train", 2)]
    expect(node(page, "Train").locator(".fc-node")).to_have_class(re.compile("fc-selected"))
    assert style(node(page, "Train").locator(".fc-node"), "outlineColor") == primary(page)

    canvas(page).locator(".react-flow__pane").click(position={"x": 8, "y": 8})
    expect(page.get_by_text("selected: -")).to_be_visible()
    expect_runs(page, 3)
    assert [e["kind"] for e in events(page)] == ["node_click", "pane_click"]
    expect(canvas(page).locator(".fc-selected")).to_have_count(0)

    node(page, "Evaluate").dblclick()
    expect(page.get_by_text('"node_double_click"')).to_be_visible()
    settle(page)
    kinds = [e["kind"] for e in events(page)]
    assert kinds[2:] == ["node_click", "node_click", "node_double_click"]


def test_events_made_while_a_run_is_busy_all_arrive_once(context, canvas_server):
    """Streamlit keeps only a component's last value: a second click made before the run
    of the first has read the canvas must not replace the first."""
    page = open_app(context, f"{canvas_server.url}/?slow=1")
    node(page, "Train").click()
    node(page, "Evaluate").click()  # while the first click's run waits
    expect(page.get_by_text("selected: Evaluate")).to_be_visible()
    settle(page)
    assert [(e["kind"], e["node"]) for e in events(page)] == [
        ("node_click", "Train"),
        ("node_click", "Evaluate"),
    ]


def test_pushes_from_python_cause_no_run(page: Page):
    page.get_by_role("button", name="Mark Train invalid").click()
    expect(node(page, "Train")).to_contain_text("● invalid")
    expect_runs(page, 2)  # the button's run, none from the canvas
    assert style(node(page, "Train").locator(".fc-node"), "borderColor") == "rgb(198, 40, 40)"

    page.get_by_role("button", name="Add a node").click()
    expect(node(page, "Added")).to_be_visible()
    expect_runs(page, 3)
    assert events(page) == []


def test_connecting_by_dragging_handle_to_handle(page: Page):
    start = centre(steady_box(page, node(page, "Train").locator(".react-flow__handle.source")))
    end = centre(node(page, LONG_NAME).locator(".react-flow__handle.target").bounding_box())
    drag(page, start, end)
    expect(canvas(page).locator(f'[data-testid="rf__edge-Train->{LONG_NAME}"]')).to_have_count(1)
    expect_runs(page, 2)
    assert [(e["kind"], e["source"], e["target"]) for e in events(page)] == [
        ("connect", "Train", LONG_NAME)
    ]


def test_the_clicked_edge_is_selected_and_backspace_removes_it(page: Page):
    # Both edges leave Load's one output handle: each click reports the edge clicked.
    page.mouse.click(*edge_point(page, "Load->Evaluate", 0.75))
    expect(page.get_by_text("selected: Load->Evaluate")).to_be_visible()
    chosen = canvas(page).locator('[data-testid="rf__edge-Load->Evaluate"]')
    expect(chosen).to_have_class(re.compile(r"\bselected\b"))
    assert style(chosen.locator(".react-flow__edge-path"), "stroke") == primary(page)
    label = canvas(page).locator('.fc-edge-label[data-edge="Load->Evaluate"]')
    expect(label).to_have_class(re.compile("fc-selected"))
    page.mouse.click(*edge_point(page, "Load->Train", 0.8))
    expect(page.get_by_text("selected: Load->Train")).to_be_visible()
    page.mouse.click(*edge_point(page, "Load->Evaluate", 0.75))
    expect(page.get_by_text("selected: Load->Evaluate")).to_be_visible()
    expect_runs(page, 4)

    page.keyboard.press("Backspace")
    expect(canvas(page).locator(".react-flow__edge")).to_have_count(1)
    expect_runs(page, 5)
    assert [(e["kind"], e.get("edge")) for e in events(page)] == [
        ("edge_click", "Load->Evaluate"),
        ("edge_click", "Load->Train"),
        ("edge_click", "Load->Evaluate"),
        ("delete", "Load->Evaluate"),
    ]
    expect(canvas(page).locator('[data-testid="rf__edge-Load->Train"]')).to_have_count(1)

    # A node too, with Delete; the label of an edge is clickable like its curve.
    canvas(page).locator('.fc-edge-label[data-edge="Load->Train"]').click()
    expect(page.get_by_text("selected: Load->Train")).to_be_visible()
    node(page, "Evaluate").click()
    expect(page.get_by_text("selected: Evaluate")).to_be_visible()
    page.keyboard.press("Delete")
    expect(node(page, "Evaluate")).to_have_count(0)  # at once, before the app's run
    expect_runs(page, 8)  # the run that reports the deletion
    assert events(page)[-1]["kind"] == "delete" and events(page)[-1]["node"] == "Evaluate"


def test_a_dragged_node_sends_its_new_position_once_on_drop(page: Page):
    scale = zoom(page)
    before = steady_box(page, node(page, "Evaluate"))
    start = (before["x"] + 40, before["y"] + 60)
    drag(page, start, (start[0] + 120, start[1] + 60))
    expect(page.get_by_text('"move"')).to_be_visible()
    expect_runs(page, 2)
    [event] = events(page)
    assert event["kind"] == "move" and list(event["positions"]) == ["Evaluate"]
    x, y = event["positions"]["Evaluate"]
    after = node(page, "Evaluate").bounding_box()  # where it was dropped, as Python has it
    assert abs(320 + (after["x"] - before["x"]) / scale - x) < 1
    assert abs(220 + (after["y"] - before["y"]) / scale - y) < 1
    # It follows the pointer (React Flow starts a drag past a threshold: one step of 4 px).
    assert abs(after["x"] - before["x"] - 120) < 6 and abs(after["y"] - before["y"] - 60) < 6


# Resolves with the viewport's transform once it has held still for 10 animation frames (a
# fit or zoom animates it); waits for that, however long a loaded machine takes.
_STEADY_TRANSFORM = """e => new Promise((resolve, reject) => {
  let last = e.style.transform, same = 0, frames = 0;
  const tick = () => {
    const now = e.style.transform;
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 10) return resolve(now);
    if (++frames > 3600) return reject(new Error("the viewport never stopped moving"));
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def steady_transform(viewport) -> str:
    return viewport.evaluate(_STEADY_TRANSFORM)


def test_the_viewport_survives_a_push_and_fit_token_fits_again(page: Page):
    viewport = canvas(page).locator(".react-flow__viewport")
    fitted = steady_transform(viewport)  # the first fit may still be moving
    canvas(page).locator(".react-flow__controls-zoomin").click()
    canvas(page).locator(".react-flow__controls-zoomin").click()
    expect(viewport).not_to_have_attribute("style", re.compile(re.escape(fitted)))
    zoomed = steady_transform(viewport)

    page.get_by_role("button", name="Mark Train invalid").click()
    expect(node(page, "Train")).to_contain_text("● invalid")
    settle(page)
    assert steady_transform(viewport) == zoomed

    page.get_by_role("button", name="Fit view").click()
    expect(viewport).to_have_attribute("style", re.compile(re.escape(fitted)))
    assert steady_transform(viewport) == fitted
    expect_runs(page, 3)  # the two buttons' runs


def test_boxes_have_the_layout_size_and_long_names_are_cut(page: Page):
    scale = zoom(page)
    boxes = canvas(page).locator(".react-flow__node")
    for box in boxes.evaluate_all("nodes => nodes.map(n => n.getBoundingClientRect().toJSON())"):
        assert abs(box["width"] / scale - NODE_WIDTH) < 1, box
        assert abs(box["height"] / scale - NODE_HEIGHT) < 1, box

    title = node(page, LONG_NAME).locator(".fc-title")
    expect(title).to_have_attribute("title", LONG_NAME)
    lines = title.evaluate(
        "e => [e.clientHeight / parseFloat(getComputedStyle(e).lineHeight), "
        "e.scrollHeight > e.clientHeight]"
    )
    assert lines == [2, True]  # two lines shown, the rest cut

    label = canvas(page).locator('.fc-edge-label[data-edge="Load->Evaluate"]')
    expect(label).to_have_attribute("title", "Load → Evaluate: model_artifacts, metrics")
    assert label.evaluate("e => e.scrollWidth > e.clientWidth")  # cut with an ellipsis
    short = canvas(page).locator('.fc-edge-label[data-edge="Load->Train"]')
    assert short.evaluate("e => e.scrollWidth <= e.clientWidth")  # shown whole
    # As large as the nodes' own text (both scale with the zoom).
    subtitle = node(page, "Load").locator(".fc-subtitle")
    assert style(label, "fontSize") == style(subtitle, "fontSize")
