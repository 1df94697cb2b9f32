"""Typed ports: each input gets the parent output of its kind; exact names break ties."""

from __future__ import annotations

import pytest

from builders.compiling.template import PipelineBuilderTemplate
from builders.errors import AmbiguousInputError, IncompatibleEdgeError, UnresolvedInputError
from builders.graph.dag import PipelineDAG
from builders.graph.wiring import Wire, accepted_ports, resolve_wiring
from builders.ports import Port, PortKind
from builders.registry import REGISTRY, StepRegistry, StepType
from builders.step_types.packaging.config import PackageStepConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig


def types(**nodes: str) -> dict[str, StepType]:
    return {node: REGISTRY.get(name) for node, name in nodes.items()}


def resolve(adjacency: dict, step_types: dict, values: dict | None = None):
    values = values or {}

    def field_value(node: str, field: str):
        return values.get(node, {}).get(field)

    return resolve_wiring(PipelineDAG.from_adjacency(adjacency), step_types, field_value)


def test_one_producer_of_the_kind_feeds_the_input():
    wires, errors = resolve(
        {"Load": [], "Prep": ["Load"]}, types(Load="DataLoading", Prep="TabularPreprocessing")
    )
    assert errors == []
    assert Wire("Prep", "data", "Load", "data") in wires
    assert Wire("Prep", "signature", "Load", "signature") in wires


MODEL_DATA = {"model_data": "s3://my-ml-bucket/m.tar.gz"}


def test_two_equally_good_producers_are_ambiguous():
    step_types = types(A="XGBoostModel", B="PyTorchModel", Pack="Packaging")
    values = {"A": MODEL_DATA, "B": MODEL_DATA}
    _, errors = resolve({"A": [], "B": [], "Pack": ["A", "B"]}, step_types, values)
    assert len(errors) == 1 and isinstance(errors[0], AmbiguousInputError)
    error = errors[0]
    assert (error.node, error.port, error.producers) == ("Pack", "model_artifacts", ["A", "B"])
    assert "A.model_artifacts" in error.message and "B.model_artifacts" in error.message


def test_an_exact_port_name_wins_over_other_outputs_of_the_kind():
    producer = StepType(
        name="TwoModels",
        display_name="Two models",
        category="Test",
        description="Produces two model archives.",
        config_class=XGBoostModelConfig,
        builder=object,
        outputs=(
            Port("champion", PortKind.MODEL_ARTIFACTS, "best"),
            Port("model_artifacts", PortKind.MODEL_ARTIFACTS, "latest"),
        ),
    )
    step_types = {"Source": producer, "Pack": REGISTRY.get("Packaging")}
    wires, errors = resolve({"Source": [], "Pack": ["Source"]}, step_types)
    assert errors == []
    assert wires == [Wire("Pack", "model_artifacts", "Source", "model_artifacts")]


def test_a_required_input_without_producer_names_node_port_and_remedy():
    _, errors = resolve({"Pack": []}, types(Pack="Packaging"))
    assert len(errors) == 1 and isinstance(errors[0], UnresolvedInputError)
    assert (errors[0].node, errors[0].port) == ("Pack", "model_artifacts")
    assert "XGBoostTraining" in errors[0].message  # which step types could provide it


def test_a_config_field_supplies_an_input_no_parent_provides():
    wires, errors = resolve(
        {"Model": []},
        types(Model="PyTorchModel"),
        {"Model": {"model_data": "s3://my-ml-bucket/m.tar.gz"}},
    )
    assert errors == []
    assert wires == [Wire("Model", "model_artifacts", config_field="model_data")]
    assert wires[0].source == "Model config: model_data"


def test_without_the_config_field_the_error_says_to_set_it():
    _, errors = resolve({"Model": []}, types(Model="PyTorchModel"))
    assert isinstance(errors[0], UnresolvedInputError)
    assert "set model_data" in errors[0].message


def test_a_parent_output_wins_over_the_config_field():
    wires, _ = resolve(
        {"Train": [], "Model": ["Train"]},
        types(Train="XGBoostTraining", Model="XGBoostModel"),
        {"Model": {"model_data": "s3://my-ml-bucket/old.tar.gz"}},
    )
    assert wires == [Wire("Model", "model_artifacts", "Train", "model_artifacts")]


def test_optional_inputs_may_stay_unconnected():
    wires, errors = resolve(
        {"Pack": [], "Register": ["Pack"]},
        {"Pack": REGISTRY.get("Packaging"), "Register": REGISTRY.get("ModelRegistration")},
        {"Pack": {}},
    )
    # Packaging itself lacks its model; registration's payload is optional and not reported.
    assert [e.port for e in errors] == ["model_artifacts"]
    assert Wire("Register", "packaged_model", "Pack", "packaged_model") in wires


def test_a_connection_carrying_nothing_is_an_error():
    _, errors = resolve(
        {"Payload": [], "Load": ["Payload"]}, types(Payload="Payload", Load="DataLoading")
    )
    assert len(errors) == 1 and isinstance(errors[0], IncompatibleEdgeError)
    assert errors[0].node == "Load"
    assert "Remove this connection" in errors[0].message


def test_accepted_ports_lists_what_an_edge_can_carry():
    pairs = accepted_ports(REGISTRY.get("DataLoading"), REGISTRY.get("TabularPreprocessing"))
    assert [(out.name, inp.name) for out, inp in pairs] == [
        ("data", "data"),
        ("signature", "signature"),
    ]
    assert accepted_ports(REGISTRY.get("Payload"), REGISTRY.get("DataLoading")) == []


def test_the_template_raises_the_wiring_error(base):
    dag = PipelineDAG.from_adjacency({"A": [], "Model": [], "Pack": ["A", "Model"]})
    configs = {
        "A": XGBoostModelConfig(**base, **MODEL_DATA),
        "Model": XGBoostModelConfig(**base, **MODEL_DATA),
        "Pack": PackageStepConfig(**base, source_dir="s3://my-ml-bucket/code/"),
    }
    with pytest.raises(AmbiguousInputError) as raised:
        PipelineBuilderTemplate(dag, configs)
    assert raised.value.node == "Pack"


def test_producers_of_a_kind_come_from_the_registry():
    producers = [t.name for t in REGISTRY.producers_of(PortKind.PACKAGED_MODEL)]
    assert producers == ["Packaging"]
    assert StepRegistry().producers_of(PortKind.MODEL) == []
