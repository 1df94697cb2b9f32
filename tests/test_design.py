"""The Design: edits, validation per node and field, documents, starters, compile."""

from __future__ import annotations

import json

import pytest
from support import STARTERS, load_starter

from builders.designs.config_io import configs_from_document
from builders.designs.design import (
    add_node,
    build_configs,
    compile_design,
    config_document,
    connect,
    connection_problem,
    dag_document,
    design_from_documents,
    disconnect,
    effective_values,
    move_nodes,
    new_design,
    overrides,
    remove_nodes,
    rename_node,
    set_node_values,
    set_settings,
    setting_defaults,
    validate_design,
)
from builders.errors import ConfigFileError, ConfigValidationError, PipelineDesignError
from builders.graph.layout import tidy_positions
from builders.starters import design_from_starter, starter_names


@pytest.fixture
def xgb():
    return design_from_starter("xgboost_end_to_end", "fraud")


def test_starters_become_valid_designs():
    assert starter_names() == [
        "features_function_and_lambda",
        "pytorch_model_registration",
        "xgboost_end_to_end",
        "xgboost_quality_gate",
        "xgboost_tuned_endpoint",
    ]
    for starter in starter_names():
        design = design_from_starter(starter, starter)
        assert validate_design(design).valid, validate_design(design).problems


def test_a_starter_design_matches_its_files(xgb):
    dag, configs, folder = load_starter("xgboost_end_to_end")
    assert set(xgb.edges) == set(dag.edges)
    assert xgb.settings["author"] == "ml-team" and "author" not in xgb.node("Payload").values
    built = build_configs(xgb)
    assert built["Payload"] == configs["Payload"]
    # local code paths point into the starter folder, wherever the app runs
    assert built["Packaging"].source_dir == str((folder / "inference").resolve())


def test_added_nodes_get_unique_names_and_are_incomplete():
    design = add_node(add_node(new_design("d"), "Payload"), "Payload")
    assert design.node_names == ["Payload", "Payload-2"]
    report = validate_design(design)
    assert {p.field for p in report.for_node("Payload-2")} >= {
        "author",
        "model_registration_objective",
        "source_model_inference_input_variable_list",
    }
    with pytest.raises(PipelineDesignError):
        add_node(design, "NoSuchStep")


def test_settings_are_inherited_and_nodes_override_them(xgb):
    design = set_node_values(
        xgb, "Payload", {**xgb.node("Payload").values, "bucket": "other-bucket"}
    )
    assert effective_values(design, design.node("Payload"))["bucket"] == "other-bucket"
    assert effective_values(design, design.node("Packaging"))["bucket"] == "my-ml-bucket"
    assert ("Payload", "bucket", "other-bucket") in overrides(design)
    assert ("Packaging", "bucket", "other-bucket") not in overrides(design)
    changed = set_settings(design, {**design.settings, "author": "someone"})
    assert build_configs(changed)["Packaging"].author == "someone"


def test_invalid_values_are_kept_and_reported_per_field(xgb):
    values = {**xgb.node("Payload").values, "expected_tps": 0, "role": "nope"}
    design = set_node_values(xgb, "Payload", values)
    assert design.node("Payload").values["expected_tps"] == 0  # stored as typed
    problems = {(p.field, p.message) for p in validate_design(design).for_node("Payload")}
    assert ("expected_tps", "must be at least 1") in problems
    assert any(field == "role" for field, _ in problems)
    with pytest.raises(ConfigValidationError):
        build_configs(design)


def test_connections_refuse_cycles_and_meaningless_edges(xgb):
    message = connection_problem(xgb, "BatchTransform", "DataLoadingTraining")
    assert "cycle" in message
    with pytest.raises(PipelineDesignError, match="cannot use anything"):
        connect(xgb, "Payload", "BatchTransform")
    design = disconnect(xgb, "XGBoostTraining", "Packaging")
    report = validate_design(design)
    assert any(p.field == "model_artifacts" for p in report.for_node("Packaging"))
    assert connect(design, "XGBoostTraining", "Packaging").edges == (
        *design.edges,
        ("XGBoostTraining", "Packaging"),
    )
    assert connect(xgb, "XGBoostTraining", "Packaging") == xgb  # already there


def test_a_design_file_with_a_cycle_reports_it_once_and_wires_nothing(xgb):
    """Connections refuse a cycle, but a file can hold one: its nodes are named once, and
    nothing is wired along it."""
    cyclic = xgb.model_copy(update={"edges": (*xgb.edges, ("Packaging", "TabularPreprocessing"))})
    report = validate_design(cyclic)
    (cycle,) = [p for p in report.problems if p.code == "cycle"]
    for node in ("TabularPreprocessing", "XGBoostTraining", "Packaging"):
        assert node in cycle.message
    assert report.wires == ()
    assert not report.valid


@pytest.mark.parametrize("region", [{"a": {"b": []}}, ["us-east-1"], 3])
def test_a_region_of_another_type_is_the_nodes_problem_not_a_crash(xgb, region):
    """Found by the CLI's fuzz run: the one-region check counted the nodes' raw regions, and
    a dict or a list there raised TypeError. Such a region is its own node's type problem;
    the others are still compared among themselves."""
    nodes = [n.model_copy(update={"values": {**n.values, "region": region}})
             if n.name == "Packaging" else n for n in xgb.nodes]  # fmt: skip
    nodes[0] = nodes[0].model_copy(update={"values": {**nodes[0].values, "region": "eu-west-1"}})
    report = validate_design(xgb.model_copy(update={"nodes": tuple(nodes)}))
    on_packaging = [p for p in report.problems if p.node == "Packaging" and p.field == "region"]
    assert len(on_packaging) == 1 and on_packaging[0].code != "conflict"
    (conflict,) = [p for p in report.problems if p.code == "conflict"]  # the others' own
    assert (conflict.node, conflict.field) == (nodes[0].name, "region")


def test_rename_and_remove_keep_edges_consistent(xgb):
    design = rename_node(xgb, "Packaging", "Pack")
    assert ("XGBoostTraining", "Pack") in design.edges and ("Pack", "Payload") in design.edges
    with pytest.raises(PipelineDesignError, match="already"):
        rename_node(design, "Pack", "Payload")
    smaller = remove_nodes(design, ["Pack"])
    assert all("Pack" not in edge for edge in smaller.edges)
    assert "Pack" not in smaller.node_names


def test_positions_are_kept_apart_from_values(xgb):
    moved = move_nodes(xgb, {"Payload": (10.0, 20.0)})
    assert (moved.node("Payload").ui.x, moved.node("Payload").ui.y) == (10.0, 20.0)
    assert moved.node("Payload").values == xgb.node("Payload").values
    assert validate_design(moved).valid and moved.revision != xgb.revision


def test_layered_layout_puts_parents_left_of_children(xgb):
    positions = tidy_positions(xgb.dag())
    for source, target in xgb.edges:
        assert positions[source][0] < positions[target][0]


def test_the_config_document_loads_back_into_the_same_configs(xgb):
    assert configs_from_document(config_document(xgb)) == build_configs(xgb)
    assert dag_document(xgb)["ModelRegistration"] == ["Packaging", "Payload"]


def test_config_document_of_an_incomplete_design_keeps_what_was_typed():
    design = add_node(new_design("d", {"author": "me"}), "Payload")
    document = config_document(design)
    assert document["configuration"]["shared"] == {**setting_defaults(), "author": "me"}
    assert document["metadata"]["config_types"] == {"Payload": "PayloadConfig"}


def test_import_from_files_round_trips(xgb):
    folder = STARTERS / "xgboost_end_to_end"
    dag = json.loads((folder / "dag.json").read_text())
    design = design_from_documents("again", config_document(xgb), dag)
    assert build_configs(design) == build_configs(xgb) and set(design.edges) == set(xgb.edges)
    without_dag = design_from_documents("nodes only", config_document(xgb))
    assert without_dag.node_names == xgb.node_names and without_dag.edges == ()


def test_import_refuses_a_dag_that_does_not_match(xgb):
    with pytest.raises(ConfigFileError, match="nodes the config file lacks"):
        design_from_documents("x", config_document(xgb), {"Ghost": []})
    with pytest.raises(ConfigFileError):
        design_from_documents("x", {"not": "a config"})


def test_compile_a_design(xgb):
    compiled = compile_design(xgb)
    assert "ModelRegistration-RegisterModel" in compiled.step_names


def test_a_new_design_stores_the_settings_it_shows():
    """Defaults the settings form shows (region us-east-1, ...) are in the design itself,
    so every reader of the settings (deploy, export) sees them."""
    design = new_design("d")
    assert design.settings["region"] == "us-east-1"
    assert design.settings == setting_defaults()
    assert set(setting_defaults()) == {
        "region", "pipeline_version", "framework_version", "py_version", "source_dir",
        "cache_enabled", "cache_expire_after", "retry_on", "retry_max_attempts",
        "retry_interval_seconds", "retry_backoff_rate",
    }  # fmt: skip
    kept = new_design("d", {"region": "eu-west-1"})
    assert kept.settings["region"] == "eu-west-1"
    imported = design_from_documents("i", config_document(add_node(design, "Payload")))
    assert imported.settings["region"] == "us-east-1"
