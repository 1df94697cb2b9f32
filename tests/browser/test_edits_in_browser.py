"""Edits that need a real browser (issue 8): a typed select-box override, a connection
clicked and removed, an out-of-range number typed, a rename after the list re-sorts."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import Page, expect
from test_designer import CANVAS, canvas, go_to, settle, steady_box


def saved(server, name: str) -> dict:
    return json.loads((server.workspace / f"{name}.design.json").read_text())


def saved_values(server, name: str, node: str) -> dict:
    return next(n for n in saved(server, name)["nodes"] if n["name"] == node)["values"]


def until(condition, seconds: float = 10) -> None:
    """Wait for `condition` (a save comes with the run a moment after the user's input)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the change was not saved"
        time.sleep(0.1)


def create(page: Page, name: str, starter: str) -> None:
    go_to(page, "Designs")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_test_id("stSelectbox").filter(has_text="Start from").click()
    page.get_by_role("option", name=starter).click()
    page.get_by_role("button", name="Create").click()
    settle(page)
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def click_node(page: Page, node: str) -> None:
    """Click the node where it shows; wait for its panel (the click's run may start a moment
    later). A node the panel over the canvas hides, or the view has moved out of sight to
    show another, is clicked after closing the panel, as a person would (the view fits
    the design again)."""
    target = canvas(page).locator(f'.react-flow__node[data-id="{node}"]')
    if not _clear_in_view(page, target):
        page.locator(".st-key-close_panel").get_by_role("button").click()
        expect(page.locator('[class*="st-key-drawer"]')).to_have_count(0)
        page.wait_for_function(
            "([s, n]) => { const d = document.querySelector(s).contentDocument;"
            " const b = d.querySelector(`.react-flow__node[data-id='${n}']`)"
            ".getBoundingClientRect(); const p = d.querySelector('.react-flow')"
            ".getBoundingClientRect(); return b.left >= p.left && b.right <= p.right; }",
            arg=[CANVAS, node],
        )
    box = steady_box(page, target)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_role("heading", name=node, exact=True)).to_be_visible()
    settle(page)


def _clear_in_view(page: Page, target) -> bool:
    """Whether the node is wholly in the canvas's pane and not under the page's panel."""
    box = steady_box(page, target)
    frame = page.locator(CANVAS).bounding_box()
    right = frame["x"] + frame["width"]
    drawer = page.locator('[class*="st-key-drawer"]')
    if drawer.count():
        right = drawer.bounding_box()["x"]
    return frame["x"] <= box["x"] and box["x"] + box["width"] <= right


def click_edge(page: Page, source: str, target: str) -> bool:
    """Click the connection where no other one runs close (edges are curves, and two leaving
    one handle overlap near it): of points along its line, the farthest from other lines and
    outside every node. False, without a click, when no point is 12 px clear of other lines
    (a line takes clicks 10 px either side: another one on top of it all along would take
    them, for a person too)."""
    frame = canvas(page)
    page.locator(CANVAS).evaluate("e => e.scrollIntoView({block: 'center'})")  # all of it
    point = frame.locator(".react-flow__edges").first.evaluate(
        """(svg, id) => {
            const line = e => e.querySelector("path.react-flow__edge-path");
            const all = [...document.querySelectorAll(".react-flow__edge")];
            const mine = line(all.find(e => e.dataset.testid === "rf__edge-" + id));
            const others = all.filter(e => line(e) !== mine).map(line);
            const along = (p, n) => [...Array(n + 1).keys()].map(
                i => p.getPointAtLength(p.getTotalLength() * i / n));
            const near = others.flatMap(p => along(p, 60));
            const m = mine.getScreenCTM();
            const screen = at => ({x: at.x * m.a + m.e, y: at.y * m.d + m.f});
            const boxes = [...document.querySelectorAll(
                ".react-flow__node, .react-flow__controls, .react-flow__panel, .fc-palette")]
                .map(n => n.getBoundingClientRect());  // nodes with their handles, the controls
            const frame = window.frameElement.getBoundingClientRect();
            const drawer = window.parent.document.querySelector('[class*="st-key-drawer"]');
            if (drawer) {  // the page's panel over the canvas's right side
                const r = drawer.getBoundingClientRect();
                boxes.push({left: r.left - frame.left, right: r.right - frame.left,
                            top: r.top - frame.top, bottom: r.bottom - frame.top});
            }
            const covered = p => boxes.some(b => p.x > b.left - 14 && p.x < b.right + 14
                                                 && p.y > b.top - 14 && p.y < b.bottom + 14);
            let best = null, room = -1;
            for (const at of along(mine, 40).slice(4, 37)) {
                if (covered(screen(at))) continue;  // edges run behind nodes: not there
                const d = Math.min(Infinity, ...near.map(q => Math.hypot(q.x - at.x, q.y - at.y)));
                if (d > room) { room = d; best = at; }
            }
            return best && room >= 12 ? screen(best) : null;  // lines take clicks 10 px wide
        }""",
        f"{source}->{target}",
    )
    if point is None:
        return False
    box = page.locator(CANVAS).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    settle(page)
    return True


def open_section(page: Page, title: str) -> None:
    """Switch the form's section `title` (Pipeline settings, Advanced settings) on if off.
    The node panel opens it in the browser, without a run: wait for its fields."""
    switch = page.get_by_role("switch", name=title, exact=True)
    if switch.count() and not switch.is_checked():
        page.get_by_test_id("stMainBlockContainer").get_by_text(title, exact=True).click()
        expect(switch).to_be_checked()
        fields = page.locator(f'[data-node-form] [data-section="{title}"] [data-field]')
        expect(fields.first).to_be_visible()
        settle(page)


def form_field(page: Page, node: str, field: str):
    """The block of a field in a node's panel (the node_form component): its label, its
    widget, its problems and, for a pipeline setting, its override switch."""
    return page.locator(f'[data-node-form="{node}"] [data-field="{field}"]')


def shared(page: Page, node: str, field: str):
    """The block of a shared field in a node's form: its value and its override switch."""
    return form_field(page, node, field)


def test_a_typed_override_keeps_every_other_value(page: Page, server):
    """Issue 8, defect 1: typing the region into the select box of an override lost the
    node's other values (model_data, entry point, an Author override) in 3 of 4 tries."""
    settle(page)
    create(page, "pt", "pytorch_model_registration")
    click_node(page, "PyTorchModel")
    open_section(page, "Pipeline settings")
    shared(page, "PyTorchModel", "author").get_by_text("Override for this node").click()
    until(lambda: "author" in saved_values(server, "pt", "PyTorchModel"))
    settle(page)
    author = shared(page, "PyTorchModel", "author").get_by_role("textbox")
    expect(author).to_have_value("ml-team")  # the override's box, drawn
    author.fill("solo")
    author.press("Enter")
    until(lambda: saved_values(server, "pt", "PyTorchModel")["author"] == "solo")
    settle(page)
    expected = {**saved_values(server, "pt", "PyTorchModel"), "region": "eu-west-1"}
    assert expected["author"] == "solo" and expected["model_data"].startswith("s3://")
    for region in ("eu-west-1", "us-west-2", "eu-west-1"):
        region_field = shared(page, "PyTorchModel", "region")
        if "region" not in saved_values(server, "pt", "PyTorchModel"):
            region_field.get_by_text("Override for this node").click()  # no settle: at once
        region_field.get_by_role("combobox").select_option(region)
        settle(page)
        wanted = {**expected, "region": region}
        until(lambda: saved_values(server, "pt", "PyTorchModel") == wanted)  # noqa: B023
    go_to(page, "Designs")  # a page switch drops the browser's widget state
    go_to(page, "Designer")
    click_node(page, "Packaging")
    click_node(page, "PyTorchModel")
    assert saved_values(server, "pt", "PyTorchModel") == expected


def test_a_clicked_connection_is_highlighted_and_removed(page: Page, server, artifacts):
    """Issue 8, defect 2: Backspace hid a connection the design kept. A click selects it (the
    clicked one of two leaving one handle) and it is drawn highlighted; Backspace removes it
    from the design, and so does the panel's Remove connection."""
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    frame = canvas(page)
    expect(frame.locator(".react-flow__edge")).to_have_count(9)
    assert click_edge(page, "Packaging", "Payload")  # Packaging's handle has three
    expect(page.get_by_role("heading", name="Packaging → Payload")).to_be_visible()
    selected = frame.locator('[data-testid="rf__edge-Packaging->Payload"]')
    expect(selected).to_have_class(re.compile("selected"))
    page.screenshot(path=artifacts / "08-connection-selected.png")
    page.keyboard.press("Backspace")
    expect(frame.locator(".fc-summary")).to_contain_text("8 connections")
    settle(page)
    expect(frame.locator(".react-flow__edge")).to_have_count(8)
    assert ["Packaging", "Payload"] not in saved(server, "fraud")["edges"]
    assert click_edge(page, "Packaging", "ModelRegistration")
    page.get_by_role("button", name="Remove connection").click()
    settle(page)
    expect(frame.locator(".react-flow__edge")).to_have_count(7)
    expect(frame.locator(".fc-summary")).to_contain_text("7 connections")
    edges = saved(server, "fraud")["edges"]
    assert ["Packaging", "ModelRegistration"] not in edges
    assert ["Packaging", "XGBoostModel"] in edges
    page.reload()
    settle(page)
    expect(canvas(page).locator(".react-flow__edge")).to_have_count(7)


def test_an_out_of_range_number_is_kept_with_its_message(page: Page, server):
    """Issue 8, defect 6: the box refused -2 with a tooltip and kept the old value."""
    settle(page)
    create(page, "fraud", "xgboost_end_to_end")
    click_node(page, "Payload")
    box = page.get_by_role("spinbutton", name=re.compile("^Expected TPS"))
    box.fill("-2")
    box.press("Enter")
    until(lambda: saved_values(server, "fraud", "Payload").get("expected_tps") == -2)
    settle(page)
    field = form_field(page, "Payload", "expected_tps")
    expect(field.get_by_text("must be at least 1")).to_be_visible()
    expect(box).to_have_value("-2")


def test_rename_acts_on_its_design_after_the_list_re_sorts(page: Page, server):
    """Issue 8, defect 7: renaming moves the design to the top of the list; the open popover
    stayed at its place, on the next design, and typing there renamed that one."""
    settle(page)
    for name in ("older", "newer"):
        go_to(page, "Designs")
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_role("button", name="Create").click()
        settle(page)
    go_to(page, "Designs")
    page.get_by_role("button", name="Rename").nth(1).click()  # the second row: "older"
    field = page.get_by_role("textbox", name="New name")
    expect(field).to_have_value("older")
    field.fill("renamed")
    page.get_by_test_id("stPopoverBody").get_by_role("button", name="Rename").click()
    settle(page)
    names = sorted(p.name for p in server.workspace.glob("*.design.json"))
    assert names == ["newer.design.json", "renamed.design.json"]
    expect(page.get_by_role("textbox", name="New name")).to_have_count(0)  # no popover open
