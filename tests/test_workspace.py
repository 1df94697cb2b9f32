"""Saved designs: atomic files, current design remembered, names kept safe."""

from __future__ import annotations

import pytest

from builders.design import add_node, new_design
from builders.errors import PipelineDesignError
from builders.workspace import WORKSPACE_ENV, Workspace, default_root


@pytest.fixture
def space(tmp_path):
    return Workspace(tmp_path / "ws")


def test_save_load_and_list(space):
    design = add_node(new_design("fraud", {"author": "me"}), "Payload")
    space.create(design)
    assert space.load("fraud") == design
    assert space.names() == ["fraud"] and space.current() == "fraud"
    assert not list(space.root.glob("*.tmp"))  # atomic write leaves no temporary file


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
