"""Names are text: a URL or an email address in a design's or a node's name is shown as
written, never as a link (GFM turns bare URLs into links after escapes are read)."""

from __future__ import annotations

from playwright.sync_api import expect
from test_designer import canvas, settle

from builders.designs.design import add_node
from builders.designs.workspace import Workspace
from builders.starters import design_from_starter
from components.text import WORD_JOINER

DESIGN = "Docs at https://evil.example/x, www.evil.example or me@evil.example"
NODE = "www.evil.example"
LINKS = "a[href*='evil']:not([href^='#']), a[href^='mailto:']"  # not a heading's own anchor


def shown(locator) -> str:
    return locator.inner_text().replace(WORD_JOINER, "")


def test_urls_in_names_show_as_text_in_the_heading_sidebar_and_panel(page, server, artifacts):
    design = add_node(design_from_starter("xgboost_end_to_end", DESIGN), "Payload", name=NODE)
    space = Workspace(server.workspace)
    space.create(design)
    space.set_current(DESIGN)
    page.reload()
    settle(page)

    heading = page.get_by_test_id("stMain").locator("h4").first  # the designer's toolbar
    expect(heading).to_be_visible()
    assert shown(heading) == DESIGN

    canvas(page).locator(f'.react-flow__node[data-id="{NODE}"]').click()
    settle(page)
    panel_heading = page.get_by_test_id("stMain").locator("h3").filter(has_text="evil")
    expect(panel_heading.first).to_be_visible()
    assert shown(panel_heading.first) == NODE
    page.screenshot(path=artifacts / "names-as-text.png")
    assert page.locator(LINKS).count() == 0, _debug(page)

    page.get_by_role("link", name="Pipeline settings").click()  # other pages name the design
    caption = page.get_by_test_id("stMain").get_by_text("Design:")
    expect(caption).to_be_visible()
    assert DESIGN in shown(caption)
    links = page.locator(LINKS)
    assert links.count() == 0, _debug(page)


def _debug(page):
    return page.evaluate(
        "(links) => [...document.querySelectorAll(links)].map(a => a.outerHTML)", LINKS
    )
