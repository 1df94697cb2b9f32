"""The assistant: proposal checks, the offline planner, the model planner's retry loop against a
Bedrock stand-in on 127.0.0.1, and the questions and answers on every registered Config class."""

from __future__ import annotations

import pytest
from bedrock_standin import BedrockStandIn
from pydantic import BaseModel
from support import STARTERS

from builders.assistant.models import AssistantError, BedrockModel, json_in
from builders.assistant.planner import (
    match_step_types,
    plan,
    plan_offline,
    plan_with_model,
    system_prompt,
)
from builders.assistant.questions import (
    AnswerError,
    answer,
    config_questions,
    design_questions,
    extract_values,
    parse_answer,
)
from builders.assistant.topology import (
    Proposal,
    check_proposal,
    merge_proposal,
    parse_proposal,
    proposal_design,
    type_from_name,
)
from builders.configs.base import BasePipelineConfig
from builders.configs.fields import form_fields
from builders.designs.design import (
    add_node,
    effective_values,
    new_design,
    set_node_values,
    set_settings,
    validate_design,
)
from builders.errors import PipelineDesignError
from builders.graph.dag import load_dag
from builders.registry import REGISTRY
from builders.starters import design_from_starter

GOAL = "Train an XGBoost model on my S3 data and register it with sample payloads"
PYTORCH_GOAL = "load my data, train a pytorch model and run a batch transform on it"


@pytest.fixture
def bedrock(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    stand_in = BedrockStandIn()
    yield stand_in
    stand_in.stop()


def model_at(stand_in: BedrockStandIn) -> BedrockModel:
    return BedrockModel("anthropic.claude-3-5-sonnet-20240620-v1:0", "us-east-1",
                        endpoint_url=stand_in.url)  # fmt: skip


# -- proposals and their check --------------------------------------------------------------
@pytest.mark.parametrize(
    "starter", ["xgboost_end_to_end", "pytorch_model_registration", "features_function_and_lambda"]
)
def test_the_starters_adjacency_lists_pass_the_check(starter):
    """With the starter's step types and values: its nodes' declared ports count."""
    design = design_from_starter(starter, starter)
    adjacency = load_dag(STARTERS / starter / "dag.json").to_adjacency()
    types = {node.name: node.step_type for node in design.nodes}
    assert check_proposal(Proposal(adjacency, types, starter=starter)) == []


def test_step_types_from_node_names():
    assert type_from_name("DataLoadingCalibration") == "DataLoading"
    assert type_from_name("BatchTransform-2") == "BatchTransform"
    assert type_from_name("Training") is None


def test_a_proposal_with_a_cycle_names_its_nodes():
    proposal = parse_proposal({"DataLoading": ["TabularPreprocessing"],
                               "TabularPreprocessing": ["DataLoading"]})  # fmt: skip
    (problem,) = check_proposal(proposal)
    assert "cycle" in problem.message and "DataLoading" in problem.message


def test_unknown_step_types_and_parents_are_named():
    problems = check_proposal(parse_proposal({"FeatureStore": [], "Payload": ["Ghost"]}))
    messages = {p.node: p.message for p in problems}
    assert "Unknown step type 'FeatureStore'" in messages["FeatureStore"]
    assert "Parent 'Ghost' is not a node" in messages["Payload"]


def test_a_required_input_without_producer_is_a_problem():
    (problem,) = check_proposal(parse_proposal({"XGBoostTraining": []}))
    assert problem.node == "XGBoostTraining" and "training_data" in problem.message


def test_a_meaningless_connection_is_a_problem():
    problems = check_proposal(parse_proposal({"Payload": [], "BatchTransform": ["Payload"]}))
    assert any("Remove this connection" in p.message for p in problems)


def test_malformed_proposals_are_refused():
    with pytest.raises(PipelineDesignError, match="adjacency list"):
        parse_proposal({"DataLoading": "TabularPreprocessing"})
    with pytest.raises(PipelineDesignError, match="adjacency list"):
        parse_proposal(["DataLoading"])
    assert check_proposal(parse_proposal({})) != []


def test_json_in_a_models_prose():
    assert json_in('Sure:\n```json\n{"a": [1]}\n```') == {"a": [1]}
    assert json_in('Here: {"a": 1} done') == {"a": 1}
    with pytest.raises(AssistantError):
        json_in("no JSON here")


# -- offline planner ------------------------------------------------------------------------
def test_offline_plan_follows_the_starter_that_has_every_step():
    result = plan(GOAL)
    assert not result.problems and result.mode == "offline"
    assert result.proposal.starter == "xgboost_end_to_end"
    assert set(result.proposal.dag) == {
        "DataLoadingTraining",
        "TabularPreprocessing",
        "XGBoostTraining",
        "Packaging",
        "Payload",
        "ModelRegistration",
    }  # fmt: skip  (registering needs no model step: it serves batch transform)
    design = proposal_design(result.proposal, "fraud")
    assert validate_design(design).valid  # the starter's values came along


def test_offline_plan_picks_the_framework_the_goal_names():
    result = plan("Package my existing PyTorch model and register it")
    assert not result.problems and result.proposal.starter == "pytorch_model_registration"


def test_offline_plan_composes_when_no_starter_fits():
    result = plan("Train a PyTorch model and run a batch transform on new data")
    assert not result.problems and result.proposal.starter is None
    types = set(result.proposal.step_types.values())
    assert {"PyTorchTraining", "PyTorchModel", "BatchTransform", "DataLoading"} <= types
    assert check_proposal(result.proposal) == []
    design = proposal_design(result.proposal, "torch")
    assert set(design.edges) == set(result.proposal.edges)


def test_offline_plan_of_a_goal_it_cannot_read():
    result = plan("make it good")
    assert result.problems and "names no step" in result.problems[0].message
    assert plan("   ").problems[0].message == "Describe the goal first."


def test_matching_needs_more_than_a_framework_word():
    assert "PyTorchTraining" not in match_step_types("register my pytorch model")


def test_merge_into_a_design_renames_what_is_taken():
    design = design_from_starter("pytorch_model_registration", "mine")
    types = {"Payload": "Payload", "ModelRegistration": "ModelRegistration"}
    proposal = Proposal({"Payload": [], "ModelRegistration": []}, types)
    merged, names = merge_proposal(design, proposal)
    assert names == {"Payload": "Payload-2", "ModelRegistration": "ModelRegistration-2"}
    assert merged.node_names[: len(design.nodes)] == design.node_names
    lowest = max(n.ui.y for n in design.nodes)
    assert all(merged.node(n).ui.y > lowest for n in names.values())


# -- the model planner against the Bedrock stand-in ----------------------------------------
def test_a_proposal_with_a_cycle_goes_back_to_the_model(bedrock):
    bedrock.replay("plan_with_cycle", "plan_valid")
    result = plan_with_model(GOAL, model_at(bedrock))
    assert not result.problems and result.mode == "model"
    assert len(result.attempts) == 1 and "cycle" in result.attempts[0]
    path, second = bedrock.requests[1]
    assert path.endswith("/converse") and "anthropic.claude" in path
    feedback = second["messages"][-1]["content"][0]["text"]
    assert "cycle" in feedback and "corrected JSON" in feedback
    assert second["messages"][1]["role"] == "assistant"  # the model sees its own answer
    assert "DataLoading" in second["system"][0]["text"]  # the catalog of step types


def test_a_malformed_answer_is_sent_back_too(bedrock):
    bedrock.replay("plan_malformed", "plan_valid")
    result = plan_with_model(GOAL, model_at(bedrock))
    assert not result.problems and "not a JSON object" in result.attempts[0]


def test_the_retries_are_bounded(bedrock):
    bedrock.replay("plan_unknown_step", "plan_with_cycle", "plan_malformed", "plan_valid")
    result = plan_with_model(GOAL, model_at(bedrock), max_attempts=3)
    assert result.problems and len(bedrock.requests) == 3 and len(result.attempts) == 3


def test_a_refusing_model_says_what_to_do(bedrock):
    bedrock.refuse(403, "AccessDeniedException", "You don't have access to the model.")
    with pytest.raises(AssistantError, match="Enable access to this model"):
        plan(GOAL, model_at(bedrock))


def test_an_unreachable_model_says_so(bedrock):
    url = bedrock.url
    bedrock.stop()
    model = BedrockModel("some-model", "us-east-1", endpoint_url=url)
    with pytest.raises(AssistantError, match="Could not reach"):
        model.ask("system", [{"role": "user", "content": [{"text": "hi"}]}])


# -- questions and answers -------------------------------------------------------------------
@pytest.mark.parametrize("step_type", REGISTRY.names())
def test_a_question_per_missing_required_field(step_type):
    config_class = REGISTRY.get(step_type).config_class
    questions = config_questions(config_class, {}, step_type)
    fields = config_class.model_fields
    top = {q.path.split(".")[0] for q in questions}
    required = {name for name, info in fields.items() if info.is_required()}
    assert required <= top
    for question in questions:
        assert question.text.startswith(question.spec.label)
        assert f"for step {step_type}?" in question.text and "Answer with" in question.text


@pytest.mark.parametrize("starter", ["xgboost_end_to_end", "pytorch_model_registration"])
def test_answering_every_question_completes_a_design(starter):
    """Strip each node's required values (its optional ones stay, as a user would have
    them); the answers (the starter's own) make it valid."""
    full = design_from_starter(starter, "full")
    design = new_design("asked")
    design = set_settings(design, _optional_only(BasePipelineConfig, full.settings))
    for node in full.nodes:
        design = add_node(design, node.step_type, node.name)
        config_class = REGISTRY.get(node.step_type).config_class
        design = set_node_values(design, node.name, _optional_only(config_class, node.values))
    design = design.model_copy(update={"edges": full.edges})
    questions = design_questions(design)
    assert [q.node for q in questions[:4]] == [None] * 4  # pipeline settings first
    for question in questions:
        node = question.node
        source = full.settings if node is None else effective_values(full, full.node(node))
        value = source
        for part in question.path.split("."):
            value = value[part]
        design = answer(design, question, value)
    # What is left: the starter's bucket and role are examples, asked for as such.
    assert {q.key for q in design_questions(design)} == {"settings:bucket", "settings:role"}


def _optional_only(model: type[BaseModel], values: dict) -> dict:
    """The values of `model`'s optional fields; a required group keeps its optional ones."""
    kept = {}
    for name, value in values.items():
        field = model.model_fields.get(name)
        group = getattr(field, "annotation", None)
        if isinstance(group, type) and issubclass(group, BaseModel) and isinstance(value, dict):
            kept[name] = _optional_only(group, value)
        elif field is not None and not field.is_required():
            kept[name] = value
    return kept


def test_questions_come_from_the_validation_the_badges_show():
    """Every field problem the node badges count is asked, the required code folder of
    PyTorch training included (a shared field, optional for other steps); after the
    answers the design has no field problem left (issue 8, defect 9)."""
    design = proposal_design(plan_offline(PYTORCH_GOAL).proposal, "asked")
    asked = {question.key: question for question in design_questions(design)}
    assert "PyTorchTraining:source_dir" in asked
    answers = {"author": "me", "bucket": "my-bucket-1", "service_name": "svc",
               "role": "arn:aws:iam::123456789012:role/R", "source_dir": "s3://my-bucket-1/code",
               "data_sources": "s3://my-bucket-1/data/", "label_name": "y",
               "full_field_list": "y, x", "framework_version": "2.1.0",
               "py_version": "py310"}  # fmt: skip
    for _ in range(20):
        questions = design_questions(design)
        if not questions:
            break
        question = questions[0]
        default = question.spec.options[0] if question.spec.options else "x"
        value = answers.get(question.path.split(".")[-1], default)
        design = answer(design, question, parse_answer(question.spec, str(value)))
    assert design_questions(design) == []
    for problem in validate_design(design).problems:  # what is left is wiring, not a field
        config_class = REGISTRY.get(design.node(problem.node).step_type).config_class
        assert problem.field not in config_class.model_fields, problem


def test_an_invalid_answer_gets_the_message_and_changes_nothing():
    design = add_node(new_design("d"), "Payload")
    (expected_tps,) = [q for q in design_questions(design) if q.path == "author"]
    with pytest.raises(AnswerError, match="letters, digits and hyphens"):
        answer(design, expected_tps, "not valid!")
    assert design_questions(design)[0].path == "author"


def test_typed_answers_are_read_by_field_type():
    specs = {s.name: s for s in form_fields(REGISTRY.get("DataLoading").config_class)}
    sources = parse_answer(specs["data_sources"], "s3://b/train/, s3://b/more/")
    assert sources == ["s3://b/train/", "s3://b/more/"]
    toggle = next(s for s in specs.values() if s.kind == "bool")
    assert parse_answer(toggle, "yes") is True and parse_answer(toggle, "No") is False


def test_a_nested_answer_goes_to_the_hyperparameters():
    design = add_node(new_design("d", {"author": "a", "bucket": "my-bucket-1",
                                         "role": "arn:aws:iam::123456789012:role/R",
                                         "service_name": "svc"}), "XGBoostTraining")  # fmt: skip
    question = next(q for q in design_questions(design) if q.path == "hyperparameters.label_name")
    design = answer(design, question, "is_fraud")
    assert design.node("XGBoostTraining").values["hyperparameters"]["label_name"] == "is_fraud"


def test_free_text_fills_several_values_through_the_model(bedrock):
    design = new_design("d")
    questions = design_questions(design, every=True)  # region has a default, but may be given
    bedrock.replay("values_from_free_text")
    found = extract_values(model_at(bedrock), questions, "bucket my-ml-data in us-west-2, role arn")
    assert found == {
        "settings:bucket": "my-ml-data",
        "settings:region": "us-west-2",
        "settings:role": "arn:aws:iam::123456789012:role/SageMakerRole",
    }  # only keys that were asked; "settings:colour" dropped
    for key, value in found.items():
        design = answer(design, next(q for q in questions if q.key == key), value)
    assert design.settings["region"] == "us-west-2"


def test_a_malformed_free_text_reading_is_an_error(bedrock):
    bedrock.replay("plan_malformed")
    with pytest.raises(AssistantError):
        extract_values(model_at(bedrock), design_questions(new_design("d")), "bucket x")


# -- what the goal states, and what a starter only suggests (issue 17) --------------------------
GATED = "register it only if the AUC is at least 0.8, otherwise fail"


def test_the_offline_planner_keeps_the_gate_the_goal_states():
    result = plan(GATED)
    assert not result.problems, result.problems
    design = proposal_design(result.proposal, "gated")
    by_type = {node.step_type: node for node in design.nodes}
    assert {"ModelRegistration", "Condition", "Fail"} <= set(by_type)
    gate = by_type["Condition"]
    values = effective_values(design, gate)
    assert (values["metric"], values["operator"], values["threshold"]) == ("auc", ">=", 0.8)
    fail = by_type["Fail"].name
    assert (gate.name, fail) in design.edges and fail not in values["if_steps"]
    assert validate_design(design).valid, validate_design(design).problems


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("fail the run when the F1 is below 0.6", ("f1", ">=", 0.6)),
        ("register the model when the rmse is at most 12.5", ("rmse", "<=", 12.5)),
        ("gate on accuracy above 0.9", ("accuracy", ">", 0.9)),
    ],
)
def test_the_gate_reads_the_metric_comparison_and_number_of_the_goal(goal, expected):
    from builders.assistant.goal_values import gate_values

    metric, operator, threshold = expected
    assert gate_values(goal) == {"metric": metric, "operator": operator, "threshold": threshold}


def test_a_starters_bucket_and_role_are_asked_for_as_placeholders():
    """The questions said 'nothing required is missing' while the bucket and the role held
    the starter's example values."""
    design = design_from_starter("xgboost_end_to_end", "fraud")
    questions = {q.key: q for q in design_questions(design)}
    assert set(questions) == {"settings:bucket", "settings:role"}
    assert "my-ml-bucket is an example value from a starter" in questions["settings:bucket"].text
    design = answer(design, questions["settings:bucket"], "acme-ml-data")
    design = answer(
        design, questions["settings:role"], "arn:aws:iam::210987654321:role/PipelineRole"
    )
    assert design_questions(design) == []


def test_a_composed_plan_gates_what_follows_the_condition():
    """No starter has PyTorch training and a gate: the composed plan puts the condition
    before the registration chain and the Fail step on its else branch."""
    from builders.graph.branches import branch_problems, unconditional

    result = plan("train a pytorch model and register it only if the AUC is at least 0.8, "
                  "otherwise fail")  # fmt: skip
    assert not result.problems and result.proposal.starter is None
    design = proposal_design(result.proposal, "torch-gated")
    (gate,) = [n for n in design.nodes if n.step_type == "Condition"]
    assert gate.values["threshold"] == 0.8 and gate.values["if_steps"] == ["Packaging"]
    dag = design.dag()
    assert set(dag.children(gate.name)) == {"Packaging", "Fail"}
    ifs = {gate.name: gate.values["if_steps"]}
    assert branch_problems(dag, ifs) == [] and unconditional(dag, ifs, ["Fail"]) == []


def test_the_catalog_and_the_offline_planner_know_the_code_steps():
    """A goal naming a Python function and a Lambda call gets both, wired by their ports."""
    listed = {line.split(":")[0] for line in system_prompt().splitlines() if line.startswith("- ")}
    assert {"- PythonFunction", "- LambdaCall"} <= listed
    result = plan_offline("load the data, add features with a python function, then call a lambda")
    assert result.proposal is not None and not result.problems, result.problems
    types = result.proposal.step_types
    assert {"DataLoading", "PythonFunction", "LambdaCall"} <= set(types.values())
    design = proposal_design(result.proposal, "code-steps")
    check = next(n for n in design.nodes if n.step_type == "LambdaCall")
    assert check.values["handler"] == "checks.check_features"  # the starter's values came along
