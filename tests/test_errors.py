"""Every named error, raised by a real mistake, names the node (and field) it is about."""

from __future__ import annotations

import pytest

from builders import errors
from builders.compiling.template import PipelineBuilderTemplate
from builders.configs.hyperparameters import ModelHyperparameters
from builders.designs.config_io import configs_from_document
from builders.graph.dag import PipelineDAG
from builders.step_types.data_loading.builder import DataLoadingStepBuilder
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig

SOURCES = {"data_sources": ["s3://my-ml-bucket/raw/"]}


def load(base):
    return DataLoadingConfig(**base, **SOURCES)


def prep(base, **values):
    return TabularPreprocessingConfig(**base, label_name="label", **values)


def template(adjacency, configs, **kwargs):
    return PipelineBuilderTemplate(PipelineDAG.from_adjacency(adjacency), configs, **kwargs)


def test_every_error_is_a_pipeline_design_error():
    named = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]
    assert all(issubclass(error, errors.PipelineDesignError) for error in named)
    assert len(named) >= 12


def test_cycle(base):
    with pytest.raises(errors.CycleError) as raised:
        template({"A": ["B"], "B": ["A"]}, {"A": prep(base), "B": prep(base)})
    assert set(raised.value.cycle) == {"A", "B"} and raised.value.node in {"A", "B"}


def test_unknown_node():
    with pytest.raises(errors.UnknownNodeError) as raised:
        PipelineDAG.from_adjacency({"Prep": ["Load"]})
    assert raised.value.node == "Prep" and "'Load'" in raised.value.message


def test_unknown_node_for_a_config_without_a_node(base):
    with pytest.raises(errors.UnknownNodeError) as raised:
        template({"Load": []}, {"Load": load(base), "Ghost": load(base)})
    assert raised.value.node == "Ghost"


def test_duplicate_node():
    dag = PipelineDAG(["Load"])
    with pytest.raises(errors.DuplicateNodeError) as raised:
        dag.add_node("Load")
    assert raised.value.node == "Load"


def test_unknown_step_type_of_a_config_class(base, hyperparameters):
    with pytest.raises(errors.UnknownStepTypeError) as raised:
        template({"Odd": []}, {"Odd": ModelHyperparameters(**hyperparameters)})
    assert raised.value.node == "Odd"


def test_unknown_step_type_without_builder(base):
    with pytest.raises(errors.UnknownStepTypeError) as raised:
        template(
            {"Load": [], "Prep": ["Load"]},
            {"Load": load(base), "Prep": prep(base)},
            step_builder_map={"DataLoading": DataLoadingStepBuilder},
        )
    assert raised.value.node == "Prep" and "TabularPreprocessing" in raised.value.message


def test_missing_config(base):
    with pytest.raises(errors.MissingConfigError) as raised:
        template({"Load": [], "Prep": ["Load"]}, {"Load": load(base)})
    assert raised.value.node == "Prep"


def test_config_validation_lists_every_problem():
    document = {
        "metadata": {"config_types": {"Payload": "PayloadConfig"}},
        "configuration": {"shared": {}, "specific": {"Payload": {"expected_tps": 0}}},
    }
    with pytest.raises(errors.ConfigValidationError) as raised:
        configs_from_document(document)
    fields = {p.field for p in raised.value.problems}
    assert {"author", "bucket", "expected_tps", "model_registration_objective"} <= fields
    assert {p.node for p in raised.value.problems} == {"Payload"}


def test_config_validation_for_two_regions(base):
    configs = {"Load": load(base), "Prep": prep(dict(base, region="eu-west-1"))}
    with pytest.raises(errors.ConfigValidationError) as raised:
        template({"Load": [], "Prep": ["Load"]}, configs)
    (problem,) = raised.value.problems
    assert (problem.node, problem.field) == ("Prep", "region")


def test_config_file():
    with pytest.raises(errors.ConfigFileError):
        configs_from_document("just a string")


def test_unresolved_input(base):
    with pytest.raises(errors.UnresolvedInputError) as raised:
        template({"Prep": []}, {"Prep": prep(base)})
    assert (raised.value.node, raised.value.port, raised.value.field) == ("Prep", "data", "data")


def test_ambiguous_input(base):
    configs = {"L1": load(base), "L2": load(base), "Prep": prep(base)}
    with pytest.raises(errors.AmbiguousInputError) as raised:
        template({"L1": [], "L2": [], "Prep": ["L1", "L2"]}, configs)
    assert raised.value.node == "Prep" and raised.value.producers == ["L1", "L2"]


def test_incompatible_edge(base):
    payload = PayloadConfig(
        **base,
        model_registration_objective="Fraud",
        source_model_inference_input_variable_list={"a": "NUMERIC"},
        source_model_inference_output_variable_list={"s": "NUMERIC"},
    )
    with pytest.raises(errors.IncompatibleEdgeError) as raised:
        template({"Payload": [], "Load": ["Payload"]}, {"Payload": payload, "Load": load(base)})
    assert raised.value.node == "Load"


def test_step_build(base):
    configs = {"Load": DataLoadingConfig(**dict(base, region="mx-central-1"), **SOURCES)}
    with pytest.raises(errors.StepBuildError) as raised:
        template({"Load": []}, configs).definition()
    assert (raised.value.node, raised.value.field) == ("Load", "processing_framework_version")


def test_an_invalid_node_name_is_refused(base):
    with pytest.raises(errors.PipelineDesignError) as raised:
        template({"<img src=x>": []}, {"<img src=x>": load(base)})
    assert raised.value.node == "<img src=x>" and "Rename this node" in raised.value.message


def test_deploy_error_names_its_stage():
    error = errors.DeployError("The bucket does not exist.", stage="preflight")
    assert str(error) == "preflight: The bucket does not exist." and error.stage == "preflight"
