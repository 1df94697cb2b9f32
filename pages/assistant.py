"""Assistant: plan a pipeline from a goal, then fill in what is missing by question and answer.

The logic lives in builders.assistant; this page arranges it. Offline (the default) the
planner matches the goal against the starters and the step descriptions and the questions
go field by field; with a reachable Bedrock model, the model plans and reads free text.
"""

from __future__ import annotations

import json

import streamlit as st

from builders.assistant.models import DEFAULT_MODEL_ID, AssistantError, BedrockModel
from builders.assistant.planner import Plan, plan, plan_offline
from builders.assistant.questions import (
    AnswerError,
    Question,
    answer,
    design_questions,
    extract_values,
    parse_answer,
)
from builders.assistant.topology import merge_proposal, proposal_design
from builders.configs.fields import text_of
from builders.configs.types import AwsRegion
from builders.errors import PipelineDesignError
from components import aws, session
from components.text import counted, md

PLAN, PENDING, SKIPPED = "assistant_plan", "assistant_pending", "assistant_skipped"
REGIONS = list(AwsRegion.__args__)


def choose_model() -> BedrockModel | None:
    """The model chosen in the settings, or None (offline); the page says which and why."""
    with st.expander("Model settings"):
        use = st.toggle("Use Amazon Bedrock", key="bedrock_on")
        model_id = st.text_input("Model ID", DEFAULT_MODEL_ID, key="bedrock_model")
        region = st.selectbox(
            "Region", REGIONS, index=REGIONS.index("us-east-1"), key="bedrock_region"
        )
    if not use:
        st.info("Offline mode: proposals come from the starter designs and the step descriptions; "
                "questions go field by field. Turn on Amazon Bedrock in Model settings to plan "
                "and answer in free text.", icon=":material/cloud_off:")  # fmt: skip
        return None
    if not aws.has_credentials():
        st.warning("Offline mode: no AWS credentials were found for Amazon Bedrock. Set them "
                   "(environment, `aws configure` or `aws sso login`) and reload the page.",
                   icon=":material/key_off:")  # fmt: skip
        return None
    model = BedrockModel(model_id.strip(), region)
    st.info(f"Model mode: {md(model.label)}.", icon=":material/smart_toy:")
    return model


# -- planner --------------------------------------------------------------------------------
def planner(model: BedrockModel | None) -> None:
    st.subheader("Plan a pipeline")
    goal = st.text_area(
        "Goal",
        key="goal",
        placeholder="Train an XGBoost model on my S3 data and register it with sample payloads",
    )
    if st.button("Propose a pipeline", type="primary", icon=":material/auto_awesome:"):
        st.session_state[PLAN] = _plan(goal, model)
    planned: tuple[Plan, str | None] | None = st.session_state.get(PLAN)
    if planned is not None:
        show_plan(*planned)


def _plan(goal: str, model: BedrockModel | None) -> tuple[Plan, str | None]:
    """The plan, and why the offline planner answered when the model could not."""
    with st.spinner("Planning..."):
        try:
            return plan(goal, model), None
        except AssistantError as error:
            return plan_offline(goal), f"{error.message} The offline planner answered instead."


def show_plan(result: Plan, fallback: str | None) -> None:
    if fallback:
        st.warning(md(fallback))
    for attempt, problems in enumerate(result.attempts, 1):
        st.caption(f"Attempt {attempt} was sent back to the model: {md(problems)}")
    if result.problems:
        st.error("No usable proposal: " + md("; ".join(str(p) for p in result.problems)))
        return
    proposal = result.proposal
    st.caption(md(proposal.reason))
    st.graphviz_chart(_dot(proposal))
    with st.expander("Adjacency list"):
        st.code(json.dumps(proposal.dag, indent=2), language="json")
    accept(proposal)


def _dot(proposal) -> str:
    """The proposal as Graphviz DOT; names are quoted as JSON strings (valid DOT strings)."""
    nodes = [
        f"{json.dumps(n)} [label={json.dumps(n if n == t else n + chr(10) + t)}]"
        for n, t in proposal.step_types.items()
    ]
    edges = [f"{json.dumps(a)} -> {json.dumps(b)}" for a, b in proposal.edges]
    body = ";\n".join(nodes + edges)
    return f"digraph {{ rankdir=LR; node [shape=box, style=rounded];\n{body} }}"


def accept(proposal) -> None:
    name = st.text_input("Name of the new design", key="proposal_name")
    new, merge, discard = st.columns(3)
    if new.button("Accept as a new design", icon=":material/add_circle:"):
        try:
            name = session.workspace().check_new_name(name)
            session.create_design(proposal_design(proposal, name))
        except PipelineDesignError as error:
            st.error(md(error.message))
            return
        _accepted(session.current(), f"Created '{name}' from the proposal.")
    current = session.current()
    if merge.button("Merge into the open design", disabled=current is None):
        merged, names = merge_proposal(current, proposal)
        session.commit(merged)
        _accepted(merged, f"Added {len(names)} steps to '{current.name}'.")
    if discard.button("Discard"):
        st.session_state.pop(PLAN, None)
        st.rerun()


def _accepted(design, message: str) -> None:
    st.session_state.pop(PLAN, None)
    missing = len(design_questions(design))
    if missing:
        message += f" {counted(missing, 'value')} to give (required ones, or a starter's "
        message += "examples): fill them in the node forms, "
        message += "or let the Assistant ask for them."
    session.notice("success", message)
    st.switch_page("pages/designer.py")


# -- question and answer ------------------------------------------------------------------
def questions_and_answers(model: BedrockModel | None) -> None:
    st.subheader("Fill in missing values")
    design = session.current()
    if design is None:
        st.caption("Open or create a design to answer its questions.")
        return
    scope = st.selectbox("Ask about", ["The whole design", *design.node_names], key="qa_scope")
    node = None if scope == "The whole design" else scope
    skipped = st.session_state.setdefault(SKIPPED, set())
    questions = design_questions(design, node)
    if not questions:
        st.success("Nothing required is missing. Check the Designer for any other problem.")
        return
    waiting = [q for q in questions if q.key not in skipped] or questions
    skipped &= {q.key for q in questions}
    given = counted(len(questions), "value")
    st.caption(f"{given} to give: required ones, and a starter's examples.")
    pending = st.session_state.get(PENDING)
    # What a free-text answer may fill: any field in scope (only the model reads free text).
    fillable = design_questions(design, node, every=True) if model or pending else []
    if pending:
        confirm(design, pending, fillable)
    else:
        ask(design, waiting[0], fillable, model)


_MULTILINE = ("list", "multichoice", "dict", "model", "json")


def ask(design, question: Question, fillable: list[Question], model) -> None:
    st.markdown(f"**{md(question.text)}**")
    label = "Your answer" + (" (you may give several values at once)" if model else "")
    # A list or table answer has one item per line, as its question says: a box of lines.
    box = st.text_area if question.spec.kind in _MULTILINE else st.text_input
    with st.form(f"qa:{session.epoch()}:{question.key}", clear_on_submit=True):
        text = box(label, key=f"answer:{question.key}")
        submitted = st.form_submit_button("Answer", type="primary")
        skip = st.form_submit_button("Skip for now")
    if skip:
        st.session_state[SKIPPED].add(question.key)
        st.rerun()
    if not submitted:
        return
    if model is not None:
        try:
            found = extract_values(model, fillable, text)
        except AssistantError as error:
            st.warning(f"{md(error.message)} Your answer was read as the answer to this question.")
            found = {}
        if found:
            st.session_state[PENDING] = found
            st.rerun()
    store(design, question, parse_answer(question.spec, text))


def store(design, question: Question, value) -> None:
    try:
        session.commit(answer(design, question, value))
    except AnswerError as error:
        st.error(f"{md(question.spec.label)}: {md(error.message)}. Please answer again.")
        return
    st.rerun()


def confirm(design, pending: dict, fillable: list[Question]) -> None:
    by_key = {q.key: q for q in fillable}
    st.markdown("The model read these values from your answer. Store them?")
    st.dataframe(
        [{"value for": k.replace(":", " · "), "value": text_of(v)} for k, v in pending.items()],
        hide_index=True,
        width="stretch",
    )
    yes, no = st.columns(2)
    if yes.button("Store these values", type="primary"):
        refused = []
        for key, value in pending.items():
            if key not in by_key:  # the scope changed since: no longer asked
                continue
            try:
                design = answer(design, by_key[key], value)
            except AnswerError as error:
                refused.append(f"{key}: {error.message}")
        session.commit(design)
        st.session_state.pop(PENDING)
        if refused:
            session.notice("warning", "Not stored (ask again): " + "; ".join(refused))
        st.rerun()
    if no.button("Discard them"):
        st.session_state.pop(PENDING)
        st.rerun()


st.title("Assistant")
session.refresh()
session.show_notices("assistant")
chosen = choose_model()
planner(chosen)
questions_and_answers(chosen)
