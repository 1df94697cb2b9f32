"""Saved designs: atomic files, current design remembered, names kept safe."""

from __future__ import annotations

import json
import os
import threading

import pytest

from builders.designs.design import add_node, new_design
from builders.designs.workspace import WORKSPACE_ENV, NewerDesign, Workspace, default_root
from builders.errors import PipelineDesignError
from builders.starters import design_from_starter


@pytest.fixture
def space(tmp_path):
    return Workspace(tmp_path / "ws")


def test_save_load_and_list(space):
    design = add_node(new_design("fraud", {"author": "me"}), "Payload")
    space.create(design)
    assert space.load("fraud") == design
    assert space.names() == ["fraud"] and space.current() == "fraud"
    assert not list(space.root.glob("*.tmp"))  # atomic write leaves no temporary file


def test_a_saved_design_is_indented_json_a_person_can_read_and_diff(space):
    """One value a line, two spaces a level, text as typed (not \\u escapes)."""
    design = design_from_starter("xgboost_end_to_end", "Détection")
    space.save(design)
    text = space.path("Détection").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert '"name": "Détection"' in text
    assert space.load("Détection") == design


def test_names_that_are_not_file_names_stay_distinct(space):
    for name in ("a/b", "a?b", "<img src=x onerror=alert(1)>"):
        space.create(new_design(name))
    assert sorted(space.names()) == sorted(["a/b", "a?b", "<img src=x onerror=alert(1)>"])
    assert all(p.parent == space.root for p in space.root.iterdir())


def test_rename_duplicate_delete(space):
    space.create(new_design("one"))
    space.rename("one", "two")
    assert space.names() == ["two"] and space.current() == "two"
    space.duplicate("two", "three")
    assert sorted(space.names()) == ["three", "two"]
    space.delete("three")
    assert space.names() == ["two"]
    with pytest.raises(PipelineDesignError, match="already"):
        space.duplicate("two", "two")
    with pytest.raises(PipelineDesignError, match="name"):
        space.create(new_design("  "))


def test_a_broken_file_is_listed_with_its_problem(space):
    space.create(new_design("good"))
    (space.root / "bad.design.json").write_text("{oops")
    entries = {entry.name: entry for entry in space.list()}
    assert entries["good"].error is None
    assert "not valid JSON" in entries["bad"].error
    assert space.names() == ["good"]


def test_current_forgets_a_deleted_design(space):
    space.create(new_design("gone"))
    space.delete("gone")
    assert space.current() is None


def test_the_location_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "elsewhere"))
    assert default_root() == tmp_path / "elsewhere"
    monkeypatch.delenv(WORKSPACE_ENV)
    assert default_root().name == "workspace"


# --- any file in the folder: each on its own row, nothing touched but the chosen file ------


@pytest.mark.timeout(30)  # a FIFO once made the listing wait forever
def test_every_bad_file_gets_its_own_row_and_message(space):
    space.create(new_design("good"))
    root = space.root
    (root / "deep.design.json").write_text("[" * 10_000 + "]" * 10_000)
    (root / "digits.design.json").write_text('{"name": "x", "n": ' + "9" * 5_000 + "}")
    (root / "dangling.design.json").symlink_to(root / "nowhere.json")
    (root / "folder.design.json").mkdir()
    (root / "binary.design.json").write_bytes(b"\xff\xfe\x00garbage")
    os.mkfifo(root / "pipe.design.json")
    entries = {entry.key: entry for entry in space.list()}
    assert entries["good.design.json"].error is None
    assert "nested more than" in entries["deep.design.json"].error
    assert "number too long" in entries["digits.design.json"].error
    assert "link to a file that does not exist" in entries["dangling.design.json"].error
    assert "folder" in entries["folder.design.json"].error
    assert "not valid JSON" in entries["binary.design.json"].error
    assert "not a regular file" in entries["pipe.design.json"].error  # and no read hangs
    assert space.names() == ["good"]


def test_an_unreadable_file_gets_its_own_row(space, tmp_path):
    space.create(new_design("good"))
    locked = space.root / "locked.design.json"
    locked.write_text("{}")
    locked.chmod(0)
    try:
        with open(locked):  # root reads anything: then there is nothing to test here
            pytest.skip("running as root: a mode-000 file is still readable")
    except PermissionError:
        pass
    entries = {entry.key: entry for entry in space.list()}
    assert "Cannot read" in entries["locked.design.json"].error


def test_a_broken_current_marker_reads_as_no_design(space):
    space.create(new_design("good"))
    marker = space.root / ".current"
    for content in (b"\xff\xfe", b"a\x00b", b"x" * 100_000, b"   ", b"missing"):
        marker.write_bytes(content)
        assert space.current() is None
    marker.unlink()
    marker.mkdir()
    assert space.current() is None
    marker.rmdir()
    marker.symlink_to(marker)  # a link to itself
    assert space.current() is None


def test_delete_removes_the_chosen_file_when_two_hold_one_name(space):
    space.create(add_node(new_design("twin"), "Payload"))
    copy = space.root / "copy.design.json"
    copy.write_text(space.path("twin").read_text())
    entries = {entry.key: entry for entry in space.list()}
    assert entries["twin.design.json"].error is None
    assert "and so does twin.design.json" in entries["copy.design.json"].error
    space.delete(copy)
    assert not copy.exists() and space.load("twin").node_names == ["Payload"]


def test_a_file_holding_another_name_is_renamed_not_opened(space):
    space.create(new_design("twin"))
    copy = space.root / "copy.design.json"
    copy.write_text(space.path("twin").read_text())
    with pytest.raises(PipelineDesignError, match="and so does"):
        space.read(copy)
    space.rename(copy, "twin 2")
    assert sorted(space.names()) == ["twin", "twin 2"] and not copy.exists()


def test_delete_of_a_link_removes_the_link_not_its_target(space, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    link = space.root / "link.design.json"
    space.root.mkdir(parents=True)
    link.symlink_to(target)
    space.delete(link)
    assert not link.is_symlink() and target.exists()


@pytest.mark.parametrize("name", [" good", "good ", "\tgood\n", " good "])
def test_names_with_spaces_around_never_overwrite_another_design(space, name):
    space.create(add_node(new_design("good"), "Payload"))
    space.create(new_design("other"))
    with pytest.raises(PipelineDesignError, match="already a design named 'good'"):
        space.check_new_name(name)
    with pytest.raises(PipelineDesignError):
        space.create(new_design(name))
    with pytest.raises(PipelineDesignError, match="already"):
        space.rename("other", name)
    with pytest.raises(PipelineDesignError, match="already"):
        space.duplicate("other", name)
    assert space.load("good").node_names == ["Payload"]
    assert sorted(space.names()) == ["good", "other"]


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 201])
def test_names_that_cannot_be_stored_are_refused_with_a_reason(space, name):
    with pytest.raises(PipelineDesignError) as refused:
        space.check_new_name(name)
    assert refused.value.message.endswith(".")


def test_leftovers_of_an_interrupted_save_are_cleaned(space):
    space.create(new_design("good"))
    leftover = space.root / ".good.design.json.abc123.tmp"
    leftover.write_text('{"half": ')
    os.utime(leftover, (1, 1))  # long ago: no save is still writing it
    fresh = space.root / ".good.design.json.def456.tmp"
    fresh.write_text("{")  # a save in progress right now: left alone
    assert [e.name for e in space.list()] == ["good"]
    assert not leftover.exists() and fresh.exists()


# --- saves carry the revision they were based on ------------------------------------------


def test_a_save_based_on_an_older_revision_is_refused_with_the_newer_design(space):
    base = new_design("shared")
    space.create(base)
    theirs = add_node(base, "Payload")
    space.save(theirs, based_on=base.revision)
    mine = add_node(base, "Packaging")
    with pytest.raises(NewerDesign) as newer:
        space.save(mine, based_on=base.revision)
    assert newer.value.theirs == theirs
    assert space.load("shared") == theirs  # nothing overwritten


def test_a_save_with_the_signature_of_its_base_still_sees_another_save(space):
    """The signature spares reading a file nobody replaced; a file replaced since (another
    tab's save, even of the same size) is read and refused as before."""
    base = new_design("shared")
    space.create(base)
    signature = space.signature("shared")
    mine = add_node(base, "Packaging")
    space.save(mine, based_on=base.revision, signature=signature)  # nobody else saved
    assert space.load("shared") == mine
    signature = space.signature("shared")
    theirs = add_node(mine, "Payload")
    space.save(theirs, based_on=mine.revision)  # another tab
    with pytest.raises(NewerDesign) as newer:
        space.save(add_node(mine, "Payload", name="Other"), based_on=mine.revision,
                   signature=signature)  # fmt: skip
    assert newer.value.theirs == theirs
    assert space.load("shared") == theirs


def test_the_design_last_opened_is_written_only_when_it_changes(space):
    space.create(new_design("one"))
    marker = space.root / ".current"
    before = marker.stat()
    space.save(add_node(new_design("one"), "Payload"))
    assert marker.stat().st_ino == before.st_ino  # not replaced: no write waited for
    space.create(new_design("two"))
    assert space.current() == "two"


def test_a_save_to_a_deleted_or_broken_file_is_refused(space):
    base = new_design("shared")
    space.create(base)
    space.path("shared").write_text("{oops")
    with pytest.raises(NewerDesign) as broken:
        space.save(add_node(base, "Payload"), based_on=base.revision)
    assert broken.value.theirs is None and "not valid JSON" in broken.value.message
    assert space.path("shared").read_text() == "{oops"
    space.delete("shared")
    with pytest.raises(NewerDesign, match="deleted or renamed"):
        space.save(base, based_on=base.revision)


def test_saves_from_two_threads_never_interleave(space):
    """Each save checks and writes under the folder's lock: of many saves based on one
    revision, exactly one wins, whatever the timing."""
    base = new_design("shared")
    space.create(base)
    outcomes = []

    def save(index: int) -> None:
        try:
            space.save(add_node(base, "Payload", name=f"P{index}"), based_on=base.revision)
            outcomes.append("saved")
        except NewerDesign:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]
