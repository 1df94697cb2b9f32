"""The Assistant page under AppTest: offline by default; a goal becomes a design or joins the
open one; questions one at a time, an invalid answer asked again; with Bedrock (a stand-in on
127.0.0.1 through AWS_ENDPOINT_URL_BEDROCK_RUNTIME), free text read and confirmed."""

from __future__ import annotations

import pytest
import streamlit as st
from app_support import app, button, create_from_starter, open_on, plain, texts
from bedrock_standin import BedrockStandIn
from test_assistant import GOAL

from builders.designs.design import add_node, new_design

ASSISTANT = "pages/assistant.py"


pytestmark = pytest.mark.usefixtures("no_aws_credentials")


@pytest.fixture
def bedrock(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    stand_in = BedrockStandIn()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", stand_in.url)
    st.cache_data.clear()
    yield stand_in
    stand_in.stop()


def propose(at, goal: str = GOAL):
    at.text_area(key="goal").input(goal)
    return button(at, "Propose a pipeline").click().run()


def test_offline_by_default_a_goal_becomes_a_new_design(space):
    at = app().switch_page(ASSISTANT).run()
    assert "Offline mode" in texts(at)
    propose(at)
    assert "Follows the starter design xgboost_end_to_end" in texts(at)
    assert at.get("graphviz_chart")
    at.text_input(key="proposal_name").input("fraud")
    button(at, "Accept as a new design").click().run()
    design = at.session_state["design"]
    assert design.name == "fraud" and "ModelRegistration" in design.node_names
    assert space.load("fraud") == design


def test_a_taken_name_is_refused_and_nothing_is_lost(space):
    at = create_from_starter(app(), "fraud")
    before = at.session_state["design"]
    at.switch_page(ASSISTANT).run()
    propose(at)
    at.text_input(key="proposal_name").input("fraud")
    button(at, "Accept as a new design").click().run()
    assert at.error and at.session_state["design"] == before
    assert "Follows the starter" in texts(at)  # the proposal is still there


def test_merge_a_proposal_into_the_open_design(space):
    at = create_from_starter(app(), "fraud")
    at.switch_page(ASSISTANT).run()
    propose(at, "register my existing pytorch model")
    button(at, "Merge into the open design").click().run()
    design = at.session_state["design"]
    assert {"PyTorchModel", "Packaging-2", "Payload-2", "ModelRegistration-2"} <= set(
        design.node_names
    )
    assert ("Packaging-2", "ModelRegistration-2") in design.edges


def test_discard_a_proposal(space):
    at = app().switch_page(ASSISTANT).run()
    propose(at)
    button(at, "Discard").click().run()
    assert "Follows the starter" not in texts(at)


def test_a_goal_it_cannot_read(space):
    at = propose(app().switch_page(ASSISTANT).run(), "make it good")
    assert "names no step" in at.error[0].value


def test_questions_one_at_a_time_an_invalid_answer_is_asked_again(space):
    at = open_on(ASSISTANT, add_node(new_design("draft"), "Payload"), space)
    assert "Author for the pipeline" in texts(at)
    at.text_input(key="answer:settings:author").input("not valid!")
    button(at, "Answer").click().run()
    assert "letters, digits and hyphens" in plain(at.error[0].value)
    assert "Author for the pipeline" in texts(at)  # asked again
    at.text_input(key="answer:settings:author").input("ml-team")
    button(at, "Answer").click().run()
    assert at.session_state["design"].settings["author"] == "ml-team"
    assert "Bucket for the pipeline" in texts(at)
    assert space.load("draft").settings["author"] == "ml-team"  # saved at once


def test_skip_a_question(space):
    at = open_on(ASSISTANT, add_node(new_design("draft"), "Payload"))
    button(at, "Skip for now").click().run()
    assert "Bucket for the pipeline" in texts(at)


def test_a_complete_design_has_no_questions_but_its_placeholders(space):
    """A starter's bucket and role are examples: asked for before 'nothing is missing'."""
    at = create_from_starter(app(), "fraud").switch_page(ASSISTANT).run()
    assert "Nothing required is missing" not in texts(at)
    assert "my-ml-bucket is an example value from a starter" in texts(at)
    for key, value in (
        ("bucket", "acme-ml-data"),
        ("role", "arn:aws:iam::210987654321:role/PipelineRole"),
    ):
        at.text_input(key=f"answer:settings:{key}").input(value)
        button(at, "Answer").click().run()
    assert "Nothing required is missing" in texts(at)


def test_with_bedrock_free_text_fills_several_values_after_confirmation(space, bedrock):
    at = open_on(ASSISTANT, add_node(new_design("draft"), "Payload"))
    at.toggle(key="bedrock_on").set_value(True).run()
    assert "Model mode: Bedrock" in texts(at)
    bedrock.replay("values_from_free_text")
    at.text_input(key="answer:settings:author").input("bucket my-ml-data in us-west-2, role ...")
    button(at, "Answer").click().run()
    shown = at.dataframe[0].value
    assert list(shown["value"]) == [
        "my-ml-data", "us-west-2", "arn:aws:iam::123456789012:role/SageMakerRole"
    ]  # fmt: skip
    assert "bucket" not in at.session_state["design"].settings  # not before confirmation
    button(at, "Store these values").click().run()
    settings = at.session_state["design"].settings
    assert settings["bucket"] == "my-ml-data" and settings["region"] == "us-west-2"


def test_with_bedrock_a_cycle_is_sent_back_and_the_fix_shown(space, bedrock):
    at = app().switch_page(ASSISTANT).run()
    at.toggle(key="bedrock_on").set_value(True).run()
    bedrock.replay("plan_with_cycle", "plan_valid")
    propose(at)
    assert "Attempt 1 was sent back to the model" in texts(at)
    assert at.get("graphviz_chart") and len(bedrock.requests) == 2


def test_with_bedrock_refusing_the_offline_planner_answers(space, bedrock):
    at = app().switch_page(ASSISTANT).run()
    at.toggle(key="bedrock_on").set_value(True).run()
    bedrock.refuse(403, "AccessDeniedException", "You don't have access to the model.")
    propose(at)
    assert "Enable access to this model" in texts(at)
    assert "Follows the starter design" in texts(at)


def test_a_list_question_takes_one_item_per_line(space):
    """A list or table answer may have one item per line: its answer box takes lines."""
    at = open_on(ASSISTANT, add_node(new_design("draft"), "Payload"), space)
    key = "answer:Payload:source_model_inference_input_variable_list"
    for _ in range(8):
        if any(t.key == key for t in at.text_area):
            break
        button(at, "Skip for now").click().run()
    box = at.text_area(key=key)
    box.input("account_age=NUMERIC\namount=NUMERIC")
    button(at, "Answer").click().run()
    stored = space.load("draft").node("Payload").values
    assert stored["source_model_inference_input_variable_list"] == {
        "account_age": "NUMERIC",
        "amount": "NUMERIC",
    }
