"""Checks between connected nodes: what SageMaker would refuse or misuse, caught offline."""

from __future__ import annotations

import json

import pytest
from support import STARTERS

from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import configs_from_document, node_values
from builders.errors import ConfigValidationError
from builders.graph.checks import check_pipeline
from builders.graph.dag import PipelineDAG, load_dag

XGB = STARTERS / "xgboost_end_to_end"


@pytest.fixture
def document() -> dict:
    return json.loads((XGB / "config.json").read_text())


def specific(document: dict, node: str) -> dict:
    return document["configuration"]["specific"][node]


def problems(document: dict, dag: PipelineDAG | None = None) -> dict[tuple, str]:
    """(node, field) -> its messages, one per line."""
    classes, values = node_values(document)
    found = {}
    for p in check_pipeline(dag or load_dag(XGB / "dag.json"), classes, values):
        found[(p.node, p.field)] = "\n".join(
            filter(None, [found.get((p.node, p.field)), p.message])
        )
    return found


def test_the_starter_passes_every_cross_check(document):
    assert problems(document) == {}


def test_payload_formats_must_be_what_registration_declares(document):
    specific(document, "Payload")["source_model_inference_content_types"] = ["application/json"]
    specific(document, "Payload")["source_model_inference_response_types"] = ["text/csv"]
    found = problems(document)
    assert (
        "registers the model with content_types text/csv"
        in (found[("Payload", "source_model_inference_content_types")])
    )
    assert ("Payload", "source_model_inference_response_types") in found


def test_payload_variables_must_be_the_trained_models_features_in_order(document):
    variables = specific(document, "Payload")["source_model_inference_input_variable_list"]
    specific(document, "Payload")["source_model_inference_input_variable_list"] = dict(
        reversed(variables.items())
    )
    message = problems(document)[("Payload", "source_model_inference_input_variable_list")]
    assert "reads (account_age, transaction_count, amount), in this order" in message


def test_numeric_features_are_sent_as_numbers(document):
    variables = specific(document, "Payload")["source_model_inference_input_variable_list"]
    variables["amount"] = "TEXT"
    message = problems(document)[("Payload", "source_model_inference_input_variable_list")]
    assert "(amount) are numeric features" in message


def with_categorical_field(document: dict) -> None:
    hyper = specific(document, "XGBoostTraining")["hyperparameters"]
    hyper["full_field_list"].append("country")
    hyper["cat_field_list"] = ["country"]
    variables = specific(document, "Payload")["source_model_inference_input_variable_list"]
    variables["country"] = "TEXT"


def test_batch_transform_scores_categories_through_the_registered_inference_code(document):
    with_categorical_field(document)
    assert problems(document) == {}  # the starter serves the packaged model: same code
    specific(document, "XGBoostModel")["inference_entry_point"] = None
    message = problems(document)[("XGBoostModel", "inference_entry_point")]
    assert "categorical fields (country)" in message and "default handler" in message


def test_a_model_serving_the_raw_training_output_is_caught(document):
    """The starter's former shape: batch transform's model served the training output."""
    with_categorical_field(document)
    dag = load_dag(XGB / "dag.json")
    dag.remove_edge("Packaging", "XGBoostModel")
    dag.add_edge("XGBoostTraining", "XGBoostModel")
    found = problems(document, dag)
    message = found[("XGBoostModel", "inference_entry_point")]
    assert "'XGBoostTraining', whose archive has no code/ folder" in message
    specific(document, "XGBoostModel")["inference_entry_point"] = None
    message = problems(document, dag)[("XGBoostModel", "inference_entry_point")]
    assert "default handler" in message and "registers the model of the same training" in message


def test_a_different_entry_point_than_the_registration_is_caught(document):
    specific(document, "XGBoostModel")["inference_entry_point"] = "other.py"
    message = problems(document)[("XGBoostModel", "inference_entry_point")]
    assert "'ModelRegistration' registers the model of the same training" in message


def test_compiling_raises_the_same_problems(document):
    specific(document, "Payload")["source_model_inference_content_types"] = ["application/json"]
    with pytest.raises(ConfigValidationError) as raised:
        compile_pipeline(load_dag(XGB / "dag.json"), configs_from_document(document))
    assert raised.value.node == "Payload"
    assert raised.value.field == "source_model_inference_content_types"


# -- where an evaluation's inference code comes from (issue 17) --------------------------------
def with_evaluation(document: dict, model_from: str) -> PipelineDAG:
    """The starter with a ModelEvaluation of the model `model_from` gives, on the test split,
    and no inference_source_dir of its own."""
    document["metadata"]["config_types"]["Evaluation"] = "ModelEvaluationConfig"
    document["configuration"]["specific"]["Evaluation"] = {"label_name": "is_fraud"}
    adjacency = json.loads((XGB / "dag.json").read_text())
    adjacency["Evaluation"] = [model_from, "TabularPreprocessing"]
    return PipelineDAG.from_adjacency(adjacency)


@pytest.mark.parametrize("model_from", ["Packaging", "XGBoostModel"])
def test_an_evaluation_of_a_packaged_model_finds_its_code_in_the_archive(document, model_from):
    assert problems(document, with_evaluation(document, model_from)) == {}


def test_an_evaluation_of_the_raw_training_output_needs_its_inference_code(document):
    """It read ready; the run failed after training: 'No inference code inference.py'."""
    dag = with_evaluation(document, "XGBoostTraining")
    message = problems(document, dag)[("Evaluation", "inference_source_dir")]
    assert "'XGBoostTraining' gives model artifacts without inference code" in message
    assert "set inference_source_dir" in message and "(Packaging)" in message
    classes, values = node_values(document)
    (problem,) = [p for p in check_pipeline(dag, classes, values) if p.node == "Evaluation"]
    assert problem.code == "missing"
    specific(document, "Evaluation")["inference_source_dir"] = "inference"
    assert problems(document, dag) == {}
