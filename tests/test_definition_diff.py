"""What a deploy changes, on definitions the real SDK compiles from the xgboost starter:
steps added, removed and changed, and which changes mean cached results are not reused."""

from __future__ import annotations

import json

import pytest
from support import load_starter, start_moto

from builders.compiling.compile import compile_pipeline
from builders.deploying.definition_diff import diff_definitions
from builders.deploying.deploy import Target, deploy, deployed_definition
from builders.designs.design import compile_design
from builders.designs.parameter_edits import promote_field, set_parameter_default
from builders.graph.dag import PipelineDAG
from builders.starters import design_from_starter

CACHE = {"Enabled": True, "ExpireAfter": "P30D"}  # what the SDK's CacheConfig writes
CACHEABLE = ("Processing", "Training", "Transform")


def compiled(dag=None, **changes):
    """The starter's definition (a dict) with `changes` ({node: {field: value}}) applied."""
    starter_dag, configs, folder = load_starter("xgboost_end_to_end")
    dag = dag or starter_dag
    configs = {
        node: config.model_copy(update=changes.get(node, {}))
        for node, config in configs.items()
        if node in dag.nodes
    }
    return compile_pipeline(dag, configs, base_dir=folder)


def cached(definition: str) -> dict:
    """The definition with caching on for every step SageMaker caches."""
    data = json.loads(definition)
    for step in data["Steps"]:
        if step["Type"] in CACHEABLE:
            step["CacheConfig"] = CACHE
    return data


@pytest.fixture(scope="module")
def deployed():
    return compiled().definition_json


def test_the_same_definition_has_no_changes(deployed):
    diff = diff_definitions(deployed, compiled().definition_json)
    assert diff.empty and diff.lines() == ["No changes: the deployed definition is the same."]


def test_an_instance_type_change_keeps_cached_results(deployed):
    bigger = compiled(XGBoostTraining={"training_instance_type": "ml.m5.4xlarge"})
    diff = diff_definitions(cached(deployed), cached(bigger.definition_json))
    (change,) = diff.changed
    assert change.name == "XGBoostTraining" and change.what == ("Arguments.ResourceConfig",)
    assert not change.invalidates_cache and diff.cache_lost == ()
    assert diff.lines() == ["~ XGBoostTraining: Arguments.ResourceConfig changed"]


def test_a_hyperparameter_change_invalidates_the_cache_downstream(deployed):
    _, configs, _ = load_starter("xgboost_end_to_end")
    deeper = configs["XGBoostTraining"].hyperparameters.model_copy(update={"max_depth": 3})
    new = compiled(XGBoostTraining={"hyperparameters": deeper})
    diff = diff_definitions(cached(deployed), cached(new.definition_json))
    changed = {change.name: change for change in diff.changed}
    assert changed["XGBoostTraining"].invalidates_cache
    # The hyperparameters travel as a staged file, a content-addressed input channel.
    assert changed["XGBoostTraining"].what == ("Arguments.InputDataConfig",)
    # Every cached step that reads (directly or not) from the training job runs again.
    assert diff.cache_lost == ("XGBoostTraining", "Packaging", "Payload", "BatchTransform")
    assert "~ XGBoostTraining: " in diff.lines()[0] and "not reused" in diff.lines()[0]
    assert diff.lines()[-1].endswith(": Packaging, Payload, BatchTransform")
    # Without caching the same change loses nothing cached.
    assert diff_definitions(deployed, new.definition_json).cache_lost == ()


def test_removed_and_added_steps(deployed):
    starter_dag, _, _ = load_starter("xgboost_end_to_end")
    drop = {"DataLoadingCalibration", "BatchTransform"}
    smaller = PipelineDAG(
        [n for n in starter_dag.nodes if n not in drop],
        [e for e in starter_dag.edges if not drop & set(e)],
    )
    without = compiled(smaller).definition_json
    removed = diff_definitions(deployed, without)
    assert removed.removed == ("DataLoadingCalibration", "BatchTransform")
    assert removed.added == () and removed.changed == ()
    assert removed.lines() == ["- DataLoadingCalibration: removed", "- BatchTransform: removed"]
    added = diff_definitions(without, deployed)
    assert added.added == ("DataLoadingCalibration", "BatchTransform")
    assert "+ BatchTransform: new step" in added.lines()


def test_the_deployed_definition_is_read_back(deployed, tmp_path):
    server, url = start_moto()
    try:
        target = Target("sandbox", "us-east-1", endpoint_url=url, runs=tmp_path)
        pipeline = compiled()
        assert deployed_definition(target, pipeline.name) is None  # not deployed yet
        deploy(pipeline, target, role_arn="arn:aws:iam::123456789012:role/SageMakerRole")
        assert diff_definitions(deployed_definition(target, pipeline.name), deployed).empty
    finally:
        server.stop()


def test_a_promoted_field_and_a_new_default_are_listed():
    plain = design_from_starter("xgboost_end_to_end", "fraud")
    promoted = promote_field(plain, "ModelRegistration", "approval_status", "Approval")
    approved = set_parameter_default(promoted, "Approval", "Approved")
    deployed, first, second = (compile_design(d).definition for d in (plain, promoted, approved))

    diff = diff_definitions(deployed, first)
    assert diff.parameters == ("Approval: added",)
    assert [(c.name, c.invalidates_cache) for c in diff.changed] == [
        ("ModelRegistration-RegisterModel", False)  # its approval status reads the parameter
    ]
    assert "~ parameter Approval: added" in diff.lines()

    diff = diff_definitions(first, second)
    assert diff.lines() == ["~ parameter Approval: default 'PendingManualApproval' -> 'Approved'"]
