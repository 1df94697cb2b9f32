"""Checks between connected nodes: what SageMaker would refuse or misuse, caught offline."""

from __future__ import annotations

import json

import pytest
from support import STARTERS

from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import configs_from_document, node_values
from builders.errors import ConfigValidationError
from builders.graph.checks import check_and_wire
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
    for p in check_and_wire(dag or load_dag(XGB / "dag.json"), classes, values)[0]:
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
        "declares the model's content_types as text/csv"
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
    adjacency = json.loads((XGB / "dag.json").read_text())
    dag = PipelineDAG.from_adjacency({**adjacency, "XGBoostModel": ["XGBoostTraining"]})
    found = problems(document, dag)
    message = found[("XGBoostModel", "inference_entry_point")]
    assert "'XGBoostTraining' gives model artifacts without inference code" in message
    specific(document, "XGBoostModel")["inference_entry_point"] = None
    message = problems(document, dag)[("XGBoostModel", "inference_entry_point")]
    assert "default handler" in message and "serves the model of the same training" in message


def test_a_different_entry_point_than_the_registration_is_caught(document):
    specific(document, "XGBoostModel")["inference_entry_point"] = "other.py"
    message = problems(document)[("XGBoostModel", "inference_entry_point")]
    assert "'ModelRegistration' serves the model of the same training" in message


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
    (problem,) = [p for p in check_and_wire(dag, classes, values)[0] if p.node == "Evaluation"]
    assert problem.code == "missing"
    specific(document, "Evaluation")["inference_source_dir"] = "inference"
    assert problems(document, dag) == {}


# -- the PyTorch path: the same checks, from the PyTorch step types' declarations (issue 21) ---
TORCH = STARTERS / "pytorch_model_registration"


@pytest.fixture
def torch_document(document) -> dict:
    """The PyTorch starter's nodes fed by a PyTorch training on the XGBoost starter's data:
    Training -> Packaging -> PyTorchModel, Payload -> ModelRegistration."""
    torch = json.loads((TORCH / "config.json").read_text())
    types, nodes = torch["metadata"]["config_types"], torch["configuration"]["specific"]
    for name in ("DataLoadingTraining", "TabularPreprocessing"):
        types[name] = document["metadata"]["config_types"][name]
        nodes[name] = specific(document, name)
    hyperparameters = dict(specific(document, "XGBoostTraining")["hyperparameters"])
    types["Training"] = "PyTorchTrainingConfig"
    nodes["Training"] = {
        "source_dir": "train",
        "hyperparameters": {
            key: hyperparameters[key]
            for key in ("full_field_list", "cat_field_list", "tab_field_list", "label_name")
        },
    }
    nodes["PyTorchModel"]["model_data"] = None
    return torch


TORCH_DAG = {
    "DataLoadingTraining": [],
    "TabularPreprocessing": ["DataLoadingTraining"],
    "Training": ["TabularPreprocessing"],
    "Packaging": ["Training"],
    "PyTorchModel": ["Packaging"],
    "Payload": ["Packaging"],
    "ModelRegistration": ["Packaging", "Payload"],
}


def torch_problems(document: dict, **changes: list[str]) -> dict[tuple, str]:
    adjacency = {**TORCH_DAG, **changes}
    return problems(document, PipelineDAG.from_adjacency(adjacency))


def test_a_pytorch_path_gets_the_same_checks(torch_document):
    assert torch_problems(torch_document) == {}
    payload = specific(torch_document, "Payload")
    variables = payload["source_model_inference_input_variable_list"]
    payload["source_model_inference_input_variable_list"] = dict(reversed(variables.items()))
    message = torch_problems(torch_document)[
        ("Payload", "source_model_inference_input_variable_list")
    ]
    assert "the model trained by 'Training' reads (account_age, transaction_count, amount)" in (
        message
    )
    payload["source_model_inference_input_variable_list"] = variables

    specific(torch_document, "PyTorchModel")["inference_entry_point"] = "other.py"
    message = torch_problems(torch_document)[("PyTorchModel", "inference_entry_point")]
    assert "'ModelRegistration' serves the model of the same training" in message
    specific(torch_document, "PyTorchModel")["inference_entry_point"] = "inference.py"

    # A raw PyTorch training archive holds what your script writes: code/ may be there.
    assert torch_problems(torch_document, PyTorchModel=["Training"]) == {}


def test_a_gate_after_a_pytorch_evaluation_compares_a_metric_it_writes(torch_document):
    """The evaluation's own problem type says what it writes; with auto it reads the
    objective from the archive, which a PyTorch training script may or may not declare."""
    types = torch_document["metadata"]["config_types"]
    types.update(Evaluation="ModelEvaluationConfig", Gate="ConditionConfig", Stop="FailConfig")
    nodes = torch_document["configuration"]["specific"]
    nodes["Evaluation"] = {"label_name": "is_fraud", "framework": "pytorch"}
    nodes["Evaluation"]["inference_source_dir"] = "inference"
    nodes["Gate"] = {"metric": "auc", "threshold": 0.5, "if_steps": ["Packaging"]}
    nodes["Stop"] = {}
    edges = {
        "Evaluation": ["Training", "TabularPreprocessing"],
        "Gate": ["Evaluation"],
        "Packaging": ["Gate", "Training"],
        "Stop": ["Gate"],
    }
    assert torch_problems(torch_document, **edges) == {}  # auto: not known before the run
    nodes["Evaluation"]["problem_type"] = "regression"
    message = torch_problems(torch_document, **edges)[("Gate", "metric")]
    assert "'Evaluation' evaluates a regression model and writes rmse, mae, r2, not auc" in message
    nodes["Gate"]["metric"] = "rmse"
    assert torch_problems(torch_document, **edges) == {}
