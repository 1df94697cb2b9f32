"""Model-based test of editing in Chromium: a seeded random sequence of user actions done
with the mouse and keyboard (add a step, drag a connection, click one and remove it, type a
field, switch an override, rename, delete, undo and redo by button or Ctrl+Z and
Ctrl+Shift+Z), the design file checked after each against the
independent model (tests/editing_model.py), and the canvas, its summary and badges against it.

CI runs a few dozen actions; run longer by hand:

    .venv/bin/pytest tests/browser/test_editing_model_in_browser.py --actions 200 --seed 3
"""

from __future__ import annotations

import json
import random
import re

import pytest
from editing_model import Model, editable, is_setting, value_for
from playwright.sync_api import Page, expect
from test_designer import CANVAS, add_from_palette, canvas, drag_edge, settle
from test_edits_in_browser import click_edge, click_node, create, open_section

from builders.designs.design import Design, validate_design
from builders.registry import REGISTRY

pytestmark = pytest.mark.actions(24)
ROLES = {"text": "textbox", "int": "spinbutton", "float": "spinbutton"}
MAX_NODES = 11


class Browser:
    def __init__(self, page: Page, server, name: str):
        self.page, self.server, self.name = page, server, name

    def selected(self) -> str | None:
        """The node the canvas shows selected (a new step follows it), if one alone is."""
        chosen = canvas(self.page).locator(".react-flow__node.selected")
        return chosen.first.get_attribute("data-id") if chosen.count() == 1 else None

    def saved(self) -> dict:
        return json.loads((self.server.workspace / f"{self.name}.design.json").read_text())

    def field(self, node: str, field: str):
        """The block of `field` in the node's panel (`field:override`: its override switch),
        or None when the form does not draw it."""
        panel = self.page.locator(f'[data-node-form="{node}"]')
        if field.endswith(":override"):
            found = panel.locator(f'[data-override="{field.removesuffix(":override")}"]')
        else:
            found = panel.locator(f'[data-field="{field}"]')
        return found if found.count() == 1 else None


def fit_view(page: Page) -> None:
    """The whole design in sight: the panel over the canvas closed, the view fitted."""
    close = page.locator(".st-key-close_panel").get_by_role("button")
    if close.count():
        close.click()
        expect(page.locator('[class*="st-key-drawer"]')).to_have_count(0)
        settle(page)
    page.locator(CANVAS).evaluate("e => e.scrollIntoView({block: 'center'})")
    page.locator(CANVAS).hover(position={"x": 200, "y": 4})  # no button's tooltip on it
    canvas(page).locator(".react-flow__controls-fitview").click()
    frame = page.locator(CANVAS).element_handle().content_frame()
    frame.evaluate("delete window.__viewBefore")
    frame.wait_for_function(VIEW_STILL, polling="raf")


# The canvas's view has stopped moving: the same transform two frames running.
VIEW_STILL = """() => {
  const view = document.querySelector(".react-flow__viewport");
  const now = view ? view.style.transform : null;
  const still = now !== null && now === window.__viewBefore;
  window.__viewBefore = now;
  return still;
}"""


# -- actions ---------------------------------------------------------------------------------
def add(b: Browser, model: Model, rng) -> str:
    step_type = rng.choice(["Payload", "BatchTransform", "XGBoostModel", "Packaging"])
    after = model.feeder(step_type, b.selected())
    add_from_palette(b.page, REGISTRY.get(step_type).display_name)
    name = Model.free_name(step_type, set(model.names))
    ui = next(n["ui"] for n in b.saved()["nodes"] if n["name"] == name)
    model.add(name, step_type, ui, after)
    return f"add {name}"


def connect(b: Browser, model: Model, rng) -> str:
    pairs = [(s, t) for s in model.names for t in model.names if model.connectable(s, t)]
    refusable = [
        (s, t)
        for s in model.names
        for t in model.names
        if s != t
        and (s, t) not in model.edges
        and REGISTRY.get(model.node(t)["step_type"]).inputs
        and REGISTRY.get(model.node(s)["step_type"]).outputs
        and not model.connectable(s, t)
    ]
    options = pairs if pairs and (rng.random() < 0.7 or not refusable) else refusable
    if not options:
        return "skip"
    source, target = rng.choice(options)
    allowed = model.connectable(source, target)
    for _ in range(3):  # a drag that misses the handle makes nothing: a person drags again
        fit_view(b.page)
        drag_edge(b.page, source, target)
        if not allowed or [source, target] in b.saved()["edges"]:
            break
        ids = (
            canvas(b.page)
            .locator(".react-flow__edge")
            .evaluate_all("es => es.map(e => e.getAttribute('data-testid'))")
        )  # the canvas shows nothing the file lacks
        assert f"rf__edge-{source}->{target}" not in ids
    model.connect(source, target)
    return f"connect {source} → {target}" + ("" if allowed else " (refused)")


def disconnect(b: Browser, model: Model, rng) -> str:
    source, target = rng.choice(model.edges)
    panel = b.page.get_by_role("heading", name=re.compile(" → "))
    wanted = f"{source} → {target}"
    for _ in range(3):  # a click that lands beside the line selects nothing: click again
        before = panel.inner_text() if panel.count() else None  # a connection chosen earlier
        fit_view(b.page)
        if not click_edge(b.page, source, target):
            return f"skip {wanted}, covered by another connection"
        now = panel.inner_text() if panel.count() else None
        if now != before or now == wanted:
            break
    expect(panel).to_have_text(wanted)  # the one clicked, not another
    b.page.get_by_role("button", name="Remove connection").click()
    settle(b.page)
    model.disconnect(source, target)
    return f"disconnect {source} → {target}"


def edit(b: Browser, model: Model, rng) -> str:
    name = rng.choice(model.names)
    specs = [s for s in editable(model.node(name)["step_type"]) if s.kind in ROLES]
    spec = rng.choice(specs)
    typed = value_for(rng, spec, model.shown(name, spec))
    fit_view(b.page)
    click_node(b.page, name)
    open_section(b.page, "Advanced settings")
    open_section(b.page, "Pipeline settings")
    field = b.field(name, spec.name)
    if field is None or field.get_by_role(ROLES[spec.kind]).count() != 1:
        return f"skip {spec.name}"
    box = field.get_by_role(ROLES[spec.kind])
    box.fill(str(typed))
    box.press("Enter")
    settle(b.page)
    model.type_value(name, spec, typed)
    return f"type {typed!r} into {name}.{spec.name}"


def override(b: Browser, model: Model, rng) -> str:
    name = rng.choice(model.names)
    step_type = model.node(name)["step_type"]
    spec = rng.choice([s for s in editable(step_type) if is_setting(step_type, s)])
    fit_view(b.page)
    click_node(b.page, name)
    open_section(b.page, "Pipeline settings")
    switch = b.field(name, f"{spec.name}:override")
    on = not model.overridden(name, spec)
    switch.get_by_text("Override for this node").click()
    settle(b.page)
    expect(b.field(name, f"{spec.name}:override").locator("input")).to_be_checked(checked=on)
    model.set_override(name, spec, on)
    return f"{'override' if on else 'un-override'} {name}.{spec.name}"


def rename(b: Browser, model: Model, rng) -> str:
    name = rng.choice(model.names)
    new = rng.choice([f"n{rng.randrange(100)}", rng.choice(model.names)])
    fit_view(b.page)
    click_node(b.page, name)
    box = b.page.get_by_role("textbox", name="Node name", exact=True)
    box.fill(new)
    box.press("Enter")
    settle(b.page)
    renamed = model.rename(name, new)
    return f"rename {name} to {new}" + ("" if renamed else " (refused)")


def delete(b: Browser, model: Model, rng) -> str:
    name = rng.choice(model.names)
    fit_view(b.page)
    click_node(b.page, name)
    b.page.get_by_role("button", name="Delete", exact=True).click()
    settle(b.page)
    model.delete(name)
    return f"delete {name}"


def undo(b: Browser, model: Model, rng) -> str:
    return _history(b, rng, "undo", "Control+z", model.undo)


def redo(b: Browser, model: Model, rng) -> str:
    return _history(b, rng, "redo", "Control+Shift+z", model.redo)


def _history(b: Browser, rng, name: str, keys: str, step) -> str:
    """The toolbar's button or its shortcut (with no text box focused); the button is
    disabled exactly when the model has nothing to take."""
    button = b.page.locator(f".st-key-{name}").get_by_role("button")
    if button.is_disabled():
        assert not step(), f"{name} is disabled, but the model has something to {name}"
        return f"skip {name}"
    assert step(), f"{name} is enabled, but the model has nothing to {name}"
    if rng.random() < 0.5:
        button.click()
        return f"{name} (button)"
    b.page.evaluate("document.activeElement?.blur()")
    b.page.keyboard.press(keys)
    return f"{name} ({keys})"


ACTIONS = {add: 2, connect: 3, disconnect: 2, edit: 5, override: 2, rename: 1, delete: 1,
           undo: 2, redo: 1}  # fmt: skip


def _canvas_shows(b: Browser, nodes: list[str], edges: list[str]) -> tuple[list, list]:
    """The node and connection ids on the canvas, once they are the expected ones or after
    10 s (the canvas redraws in its own frame, a moment after the page)."""
    frame = canvas(b.page)
    for _ in range(50):
        shown = frame.locator(".react-flow__node").evaluate_all("ns => ns.map(n => n.dataset.id)")
        ids = frame.locator(".react-flow__edge").evaluate_all(
            "es => es.map(e => e.getAttribute('data-testid'))"
        )
        if (sorted(shown), sorted(ids)) == (nodes, edges):
            break
        b.page.wait_for_timeout(200)
    return sorted(shown), sorted(ids)


def _saved_as(b: Browser, expected: dict) -> dict:
    """The saved file once it is the expected one, or after 10 s (on a loaded machine the
    run that saves an edit may start after the page looked idle)."""
    for _ in range(50):
        saved = b.saved()
        if saved == expected:
            break
        b.page.wait_for_timeout(200)
    return saved


def _difference(saved: dict, expected: dict) -> str:
    """What the file holds that the model does not expect, item by item."""
    lines = [f"settings: file {saved['settings']} model {expected['settings']}"]
    if saved["edges"] != expected["edges"]:
        lines.append(f"edges: file {saved['edges']} model {expected['edges']}")
    held = {node["name"]: node for node in saved["nodes"]}
    for node in expected["nodes"]:
        if held.get(node["name"]) != node:
            lines.append(f"{node['name']}: file {held.get(node['name'])} model {node}")
    return "\n".join(lines)


def check(b: Browser, model: Model, step: str) -> None:
    expected = model.expected()
    saved = _saved_as(b, expected)
    assert saved == expected, f"{step}\n{_difference(saved, expected)}"
    for name, held in (("undo", model.past), ("redo", model.future)):
        button = b.page.locator(f".st-key-{name}").get_by_role("button")
        expect(button).to_be_enabled() if held else expect(button).to_be_disabled()
    frame = canvas(b.page)
    nodes, edges = sorted(model.names), sorted(f"rf__edge-{s}->{t}" for s, t in model.edges)
    assert _canvas_shows(b, nodes, edges) == (nodes, edges), step
    report = validate_design(Design.model_validate(expected))
    ready = [n for n in model.names if not report.for_node(n)]
    steps, links = len(model.names), len(model.edges)
    summary = (
        f"{len(ready)} of {steps} step{'s' * (steps != 1)} ready · "
        f"{links} connection{'s' * (links != 1)}"
    )
    expect(frame.locator(".fc-summary")).to_have_text(summary)
    for name in model.names:
        badge = frame.locator(f'.react-flow__node[data-id="{name}"]')
        expect(badge).to_contain_text("● ready" if name in ready else "● ")
        if name not in ready:
            expect(badge).not_to_contain_text("● ready")


def test_random_edits_in_the_browser(page: Page, server, editing_budget, artifacts):
    actions, seed = editing_budget
    rng = random.Random(f"{seed}:browser")
    settle(page)
    create(page, "model", "xgboost_end_to_end")
    b = Browser(page, server, "model")
    model = Model(b.saved())
    done = []
    for number in range(actions):
        weights = dict(ACTIONS)
        if len(model.names) >= MAX_NODES:
            weights[add] = 0
        if not model.edges:
            weights[disconnect] = 0
        if len(model.names) < 4:
            weights[delete] = 0
        action = rng.choices(list(weights), list(weights.values()))[0]
        before = model.expected()
        step = action(b, model, rng)
        settle(b.page)
        if action not in (undo, redo):
            model.record(before)
        done.append(step)
        if not step.startswith("skip"):
            check(b, model, f"action {number}: {step}\n" + "\n".join(done[-6:]))
    page.screenshot(path=artifacts / "09-after-random-edits.png", full_page=True)
    print(f"\nbrowser: {len(done)} actions, seed {seed}: {done}")
