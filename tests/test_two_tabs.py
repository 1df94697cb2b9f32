"""Two tabs (two sessions) on one design: saves carry the revision they were based on, so
neither silently overwrites the other. Changes to different things are merged; the same
thing changed differently keeps the other tab's version and offers to re-apply (AppTest)."""

from __future__ import annotations

from app_support import (
    add_step,
    app,
    button,
    canvas_edit,
    create_from_starter,
    design_of,
    panel_field,
    texts,
)
from streamlit.testing.v1 import AppTest

DESIGNER, SETTINGS = "pages/designer.py", "pages/settings.py"


def two_tabs(space, starter="xgboost_end_to_end"):
    first = create_from_starter(app(), "fraud", starter)
    second = app().switch_page(DESIGNER).run()  # a second tab: it reopens the same design
    assert design_of(second) == design_of(first)
    return first, second


def settings_key(at: AppTest, field: str) -> str:
    return f"settings:{at.session_state['design_epoch']}:{field}"


def test_nodes_added_in_two_tabs_are_both_kept(space):
    first, second = two_tabs(space)
    add_step(first, "Payload")
    add_step(second, "Payload")  # this tab has not seen the first one's
    names = space.load("fraud").node_names
    assert {"Payload-2", "Payload-3"} <= set(names) and len(names) == 11
    assert design_of(second).node_names == names
    assert "both are kept" in texts(second)
    first.run()  # the first tab takes up the second one's save
    assert design_of(first).node_names == names


def test_settings_changed_in_two_tabs_are_both_kept(space):
    first, second = two_tabs(space)
    first.switch_page(SETTINGS).run()
    second.switch_page(SETTINGS).run()
    first.text_input(key=settings_key(first, "author")).input("alice").run()
    second.text_input(key=settings_key(second, "service_name")).input("fraud-v2").run()
    settings = space.load("fraud").settings
    assert (settings["author"], settings["service_name"]) == ("alice", "fraud-v2")


def clash(space):
    """Both tabs type into Payload's expected TPS: the first 5, then the second 7."""
    first, second = two_tabs(space)
    for tab in (first, second):
        canvas_edit(tab, selected="Payload")
    for tab, value in ((first, 5), (second, 7)):
        panel_field(tab, "expected_tps").set_value(value).run()
    return first, second


def test_one_field_changed_differently_keeps_both_safe_and_says_so(space):
    _, second = clash(space)
    assert space.load("fraud").node("Payload").values["expected_tps"] == 5  # first save kept
    shown = texts(second)
    assert "changed the same things at the same time" in shown
    assert "'7' here, '5' in the other tab" in shown
    assert design_of(second).node("Payload").values["expected_tps"] == 5  # what the file holds
    button(second, "Re-apply my change").click().run()
    assert space.load("fraud").node("Payload").values["expected_tps"] == 7
    assert "changed the same things" not in texts(second)


def test_keep_the_other_tabs_version(space):
    _, second = clash(space)
    button(second, "Keep the other tab's version").click().run()
    assert "changed the same things" not in texts(second)
    assert space.load("fraud").node("Payload").values["expected_tps"] == 5


def test_a_connection_removed_in_one_tab_and_a_node_added_in_the_other(space):
    first, second = two_tabs(space)
    canvas_edit(first, selected="Packaging->XGBoostModel")
    button(first, "Remove connection").click().run()
    add_step(second, "BatchTransform")
    saved = space.load("fraud")
    assert ("Packaging", "XGBoostModel") not in saved.edges
    assert "BatchTransform-2" in saved.node_names


def test_a_design_deleted_in_another_tab_is_saved_again_on_the_next_change(space):
    first, second = two_tabs(space)
    first.switch_page("pages/designs.py").run()
    first.button(key="delete:fraud.design.json").click().run()
    assert not space.exists("fraud")
    add_step(second, "Payload")
    assert "Payload-2" in space.load("fraud").node_names
    assert "deleted or renamed in another tab" in texts(second)


def test_undo_takes_back_only_this_tabs_change(space):
    """Undo goes through the revision-checked save: another tab's change, taken up (the
    first case) or merged by the undo's own save (the second), stays."""
    first, second = two_tabs(space)
    add_step(first, "Payload")
    add_step(second, "BatchTransform")  # merged with the first's
    first.run()  # takes up the second tab's save
    first.button(key="undo").click().run()
    names = space.load("fraud").node_names
    assert "Payload-2" not in names and "BatchTransform-2" in names
    add_step(second, "Packaging")  # the first tab has not seen it
    first.button(key="redo").click().run()
    names = space.load("fraud").node_names
    assert {"Payload-2", "BatchTransform-2", "Packaging-2"} <= set(names)
    assert design_of(first).node_names == names


def test_undo_after_a_merged_save_keeps_the_other_tabs_change(space):
    """The save that merged the other tab's step records the step before it with that
    change in: undoing this tab's step keeps the other's (the designer saves its edits
    once it has drawn them, and records the merge then)."""
    first, second = two_tabs(space)
    add_step(first, "Payload")
    add_step(second, "BatchTransform")  # not seen the first's: its save merges it
    second.button(key="undo").click().run()
    names = space.load("fraud").node_names
    assert "Payload-2" in names and "BatchTransform-2" not in names
    assert design_of(second).node_names == names


def test_an_edit_a_stopped_run_left_unsaved_is_saved_by_the_next_run(space):
    """Inside saving_after_drawing a commit is saved at the end of the run. A run stopped
    before its end (a newer click reruns it) cannot touch the session any more: the next
    run saves the edit first thing, whatever page it draws."""

    def script():
        import streamlit as st

        from builders.designs.design import Design
        from components import session

        if st.session_state.get("stop"):
            st.session_state.stop = False
            with session.saving_after_drawing():
                design = session.current()
                settings = {**design.settings, "author": "alice"}
                session.commit(design.model_copy(update={"settings": settings}))
                st.stop()
        elif "design" in st.session_state:
            session.start()  # as every page's run does (app.py)
        else:
            session.create_design(Design(name="kept"))

    at = AppTest.from_function(script, default_timeout=30).run()
    at.session_state["stop"] = True
    at.run()
    assert space.load("kept").settings.get("author") != "alice"  # stopped before its save
    assert at.session_state["design"].settings["author"] == "alice"
    at.run()
    assert space.load("kept").settings["author"] == "alice"


def test_an_edit_a_stopped_run_left_is_saved_before_another_design_is_opened(space):
    """A callback runs before the page (and its `start`): one that switches designs saves
    the edit held back first, and the session stays on the new design."""

    def script():
        import streamlit as st

        from builders.designs.design import Design
        from components import session

        stage = st.session_state.get("stage")
        if stage == "stop":
            st.session_state.stage = None
            with session.saving_after_drawing():
                design = session.current()
                settings = {**design.settings, "author": "alice"}
                session.commit(design.model_copy(update={"settings": settings}))
                st.stop()
        elif stage == "other":
            session.create_design(Design(name="other"))
        elif "design" not in st.session_state:
            session.create_design(Design(name="kept"))

    at = AppTest.from_function(script, default_timeout=30).run()
    at.session_state["stage"] = "stop"
    at.run()
    at.session_state["stage"] = "other"
    at.run()
    assert space.load("kept").settings["author"] == "alice"
    assert at.session_state["design"].name == "other"
    at.session_state["stage"] = None
    at.run()
    assert at.session_state["design"].name == "other"
