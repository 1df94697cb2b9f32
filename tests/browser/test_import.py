"""Import in Chromium: a malformed file changes nothing; real files become a design.
A node name full of markup shows as text and runs nothing."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from test_designer import add_from_palette, canvas, go_to, settle

from builders.starters import FOLDER


def upload(page: Page, label: str, path) -> None:
    section = page.get_by_test_id("stFileUploader").filter(has_text=label)
    section.locator('input[type="file"]').set_input_files(str(path))


def test_import_refuses_a_malformed_file_then_imports(page: Page, server, artifacts, tmp_path):
    settle(page)
    go_to(page, "Preview and export")
    bad = tmp_path / "broken.json"
    bad.write_text('{"metadata": ')
    upload(page, "Config JSON", bad)
    page.get_by_label("Name of the new design").fill("broken")
    page.get_by_role("button", name="Import as a new design").click()
    settle(page)
    expect(page.get_by_text(re.compile("Nothing was imported: .*not valid JSON"))).to_be_visible()
    assert not list(server.workspace.glob("*.design.json"))
    page.screenshot(path=artifacts / "07-import-refused.png", full_page=True)

    starter = FOLDER / "pytorch_model_registration"
    upload(page, "Config JSON", starter / "config.json")
    upload(page, "DAG JSON", starter / "dag.json")
    page.get_by_label("Name of the new design").fill("imported")
    page.get_by_role("button", name="Import as a new design").click()
    settle(page)
    expect(page.get_by_role("heading", name="imported")).to_be_visible()
    expect(canvas(page).locator(".react-flow__node")).to_have_count(4)
    expect(canvas(page).locator(".react-flow__edge")).to_have_count(4)


def test_markup_in_a_node_name_is_shown_as_text(page: Page, server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    settle(page)
    go_to(page, "Designs")
    page.get_by_label("Name").fill("xss")
    page.get_by_role("button", name="Create").click()
    settle(page)
    add_from_palette(page, "Payload samples")
    name = "<img src=x onerror=alert(1)>"
    field = page.get_by_role("textbox", name="Node name", exact=True)
    field.fill(name)
    field.press("Enter")
    settle(page)
    expect(canvas(page).get_by_text(name)).to_be_visible()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert canvas(page).locator("img[src=x]").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
