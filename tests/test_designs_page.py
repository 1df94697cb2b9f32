"""The Designs page with any file in the workspace: each file its own row and message, the
actions take exactly the chosen file, a name never overwrites another design (AppTest)."""

from __future__ import annotations

import os

from app_support import app, button, design_of, texts
from streamlit.testing.v1 import AppTest

from builders.designs.design import add_node, new_design

DESIGNS = "pages/designs.py"


def designs(at: AppTest | None = None) -> AppTest:
    return (at or app()).switch_page(DESIGNS).run()


def test_each_bad_file_has_its_own_row_and_the_good_ones_open(space):
    space.create(add_node(new_design("good"), "Payload"))
    root = space.root
    (root / "deep.design.json").write_text("[" * 10_000 + "]" * 10_000)
    (root / "digits.design.json").write_text('{"n": ' + "9" * 5_000 + "}")
    (root / "dangling.design.json").symlink_to(root / "gone.json")
    at = designs()
    assert not at.exception
    shown = texts(at)
    assert "nested more than 64 levels" in shown
    assert "number too long to read" in shown
    assert "link to a file that does not exist" in shown
    assert len(at.error) == 3
    at.button(key="open:good.design.json").click().run()
    assert design_of(at).name == "good"


def test_a_broken_current_marker_crashes_no_page(space):
    space.create(new_design("good"))
    marker = space.root / ".current"
    for broken in (b"\xff\xfe\x00", b"good\x00", b"x" * 50_000):
        marker.write_bytes(broken)
        at = app()  # a new session reads the marker on its first run
        assert not at.exception, broken[:10]
        for page in (DESIGNS, "pages/settings.py", "pages/export.py", "pages/deploy.py"):
            assert not at.switch_page(page).run().exception, (broken[:10], page)
    marker.unlink()
    marker.mkdir()
    assert not app().exception and "Start a design" in texts(app())


def test_a_design_whose_file_is_broken_is_not_reopened_and_says_why(space):
    space.create(new_design("fraud"))
    space.path("fraud").write_text("{oops")
    at = app()
    assert not at.exception and design_of(at) is None
    assert "Start a design" in texts(at)


def test_delete_removes_the_chosen_file_of_two_holding_one_name(space):
    space.create(add_node(new_design("twin"), "Payload"))
    copy = space.root / "copy.design.json"
    copy.write_text(space.path("twin").read_text())
    at = designs()
    assert "and so does twin.design.json" in texts(at)
    assert not [b for b in at.button if b.key == "open:copy.design.json"]  # rename it first
    at.button(key="delete:copy.design.json").click().run()
    assert not copy.exists() and space.load("twin").node_names == ["Payload"]
    assert space.names() == ["twin"]


def test_a_name_with_spaces_around_never_overwrites_another_design(space):
    space.create(add_node(new_design("good"), "Payload"))
    at = designs()
    next(t for t in at.text_input if t.label == "Name").input(" good")
    button(at, "Create").click().run()
    assert "already a design named 'good'" in texts(at)
    assert space.load("good").node_names == ["Payload"]
    next(t for t in at.text_input if t.label == "Name").input("  spaced  ")
    button(at, "Create").click().run()
    assert design_of(at).name == "spaced" and space.load("spaced").nodes == ()


def test_rename_duplicate_and_delete_keep_to_their_file(space):
    space.create(new_design("first"))
    space.create(new_design("second"))  # newer: listed first
    at = designs()
    at.text_input(key="newname:first.design.json").input("third")
    at.button(key="rename:first.design.json").click().run()
    assert sorted(space.names()) == ["second", "third"]
    at = designs(at)  # third is now the newest: the rows re-sort, the keys follow the files
    assert at.text_input(key="newname:third.design.json").value == "third"
    assert at.text_input(key="newname:second.design.json").value == "second"
    at.text_input(key="newname:second.design.json").input(" third ")
    at.button(key="rename:second.design.json").click().run()
    assert "already a design named 'third'" in texts(at)
    assert sorted(space.names()) == ["second", "third"]


def test_leftovers_of_an_interrupted_save_are_cleaned_when_listed(space):
    space.create(new_design("good"))
    leftover = space.root / ".good.design.json.x1y2z3.tmp"
    leftover.write_text('{"name": "go')
    os.utime(leftover, (1, 1))
    designs()
    assert not leftover.exists() and space.names() == ["good"]
