"""Step caching and retry policies: settings, per-node overrides, the compiled definition.

Compiled with the real SageMaker SDK from the xgboost_end_to_end starter, which has every
kind of step: processing, training, transform, CreateModel and RegisterModel.
"""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from support import load_starter, sdk_classes

from builders.compiling.compile import compile_pipeline
from builders.configs.base import BasePipelineConfig
from builders.configs.types import JOB_FAILURES, STEP_FAILURES
from builders.designs.config_io import configs_from_document, merge_configs
from builders.step_types.packaging.config import PackagingConfig

JOBS = {"DataLoadingTraining", "TabularPreprocessing", "XGBoostTraining", "Packaging",
        "Payload", "DataLoadingCalibration", "BatchTransform"}  # fmt: skip
MODELS = {"XGBoostModel-CreateModel", "ModelRegistration-RegisterModel"}
ALL_FAILURES = [
    "Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR",
    "SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT",
]  # fmt: skip


def compiled_steps(settings: dict, overrides: dict | None = None) -> dict[str, dict]:
    """The starter's definition steps by name, with `settings` on every node whose config
    takes them (as the designer's pipeline settings do) and per-node `overrides`."""
    dag, configs, folder = load_starter("xgboost_end_to_end")
    for node, config in configs.items():
        values = {k: v for k, v in settings.items() if type(config).takes_shared(k)}
        values |= (overrides or {}).get(node, {})
        configs[node] = type(config)(**{**own_values(config), **values})
    definition = compile_pipeline(dag, configs, base_dir=folder).definition
    return {step["Name"]: step for step in definition["Steps"]}


def own_values(config) -> dict:
    return config.model_dump(exclude=set(type(config).model_computed_fields))


def test_by_default_no_step_is_cached_or_retried():
    steps = compiled_steps({})
    assert set(steps) == JOBS | MODELS
    for step in steps.values():
        assert "CacheConfig" not in step
        assert "RetryPolicies" not in step


def test_pipeline_wide_caching_reaches_every_step_sagemaker_caches():
    steps = compiled_steps({"cache_enabled": True, "cache_expire_after": "P7D"})
    for name in JOBS:
        assert steps[name]["CacheConfig"] == {"Enabled": True, "ExpireAfter": "P7D"}, name
    for name in MODELS:
        assert "CacheConfig" not in steps[name], name


def test_a_node_overrides_the_pipeline_wide_caching():
    steps = compiled_steps(
        {"cache_enabled": True},
        {"XGBoostTraining": {"cache_enabled": False}, "Payload": {"cache_expire_after": "PT12H"}},
    )
    assert "CacheConfig" not in steps["XGBoostTraining"]
    assert steps["Payload"]["CacheConfig"] == {"Enabled": True, "ExpireAfter": "PT12H"}
    assert steps["Packaging"]["CacheConfig"] == {"Enabled": True, "ExpireAfter": "P30D"}


def test_retries_name_the_failures_that_can_happen_to_each_step():
    steps = compiled_steps(
        {
            "retry_on": ALL_FAILURES,
            "retry_max_attempts": 5,
            "retry_interval_seconds": 30,
            "retry_backoff_rate": 1.5,
        }
    )
    timing = {"MaxAttempts": 5, "IntervalSeconds": 30, "BackoffRate": 1.5}
    step_policy = {**timing, "ExceptionType": ["Step.SERVICE_FAULT", "Step.THROTTLING"]}
    job_policy = {**timing, "ExceptionType": ALL_FAILURES[2:]}
    for name in JOBS:
        assert steps[name]["RetryPolicies"] == [step_policy, job_policy], name
    for name in MODELS:  # no job runs there, so no job failure can happen
        assert steps[name]["RetryPolicies"] == [step_policy], name


def test_a_node_overrides_the_pipeline_wide_retries():
    steps = compiled_steps(
        {"retry_on": ["SageMaker.CAPACITY_ERROR"]},
        {"XGBoostTraining": {"retry_on": []}, "XGBoostModel": {"retry_on": ["Step.THROTTLING"]}},
    )
    assert "RetryPolicies" not in steps["XGBoostTraining"]
    assert steps["BatchTransform"]["RetryPolicies"] == [
        {
            "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
            "MaxAttempts": 3,
            "IntervalSeconds": 10,
            "BackoffRate": 2.0,
        }
    ]
    assert steps["XGBoostModel-CreateModel"]["RetryPolicies"][0]["ExceptionType"] == [
        "Step.THROTTLING"
    ]
    assert "RetryPolicies" not in steps["ModelRegistration-RegisterModel"]  # job failures only


def problem(cls, values: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        cls(**values)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


@pytest.fixture
def base():
    return {
        "author": "ml-team",
        "bucket": "my-ml-bucket",
        "role": "arn:aws:iam::123456789012:role/SageMakerRole",
        "service_name": "fraud",
    }


@pytest.mark.parametrize("text", ["30 days", "P", "PT", "P0D", "30", "P1X", "", "PT1.5H"])
def test_a_bad_expiry_says_what_a_duration_looks_like(base, text):
    messages = problem(BasePipelineConfig, {**base, "cache_expire_after": text})
    assert "ISO 8601 duration" in messages["cache_expire_after"]
    assert "P30D" in messages["cache_expire_after"]


@pytest.mark.parametrize(
    ("text", "stored"),
    [("P30D", "P30D"), ("pt12h", "PT12H"), ("P1Y2M3W", "P1Y2M3W"), ("P1DT6H5S", "P1DT6H5S")],
)
def test_durations_sagemaker_reads_are_accepted(base, text, stored):
    assert BasePipelineConfig(**base, cache_expire_after=text).cache_expire_after == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("retry_max_attempts", 0),
        ("retry_max_attempts", 21),
        ("retry_interval_seconds", 0),
        ("retry_backoff_rate", 0.5),
        ("retry_on", ["Step.TIMEOUT"]),
    ],
)
def test_bad_retry_settings_are_refused_by_field(base, field, value):
    assert list(problem(BasePipelineConfig, {**base, field: value})) == [
        field if field != "retry_on" else "retry_on.0"
    ]


def test_model_and_registration_steps_refuse_caching_and_say_why():
    configs = load_starter("xgboost_end_to_end")[1]
    for node in ("XGBoostModel", "ModelRegistration"):
        values = own_values(configs[node])
        messages = problem(type(configs[node]), {**values, "cache_enabled": True})
        assert "SageMaker does not cache model or registration steps" in (messages["cache_enabled"])


def test_the_seed_name_of_packaging_caching_is_the_node_caching(base):
    values = {**base, "source_dir": "s3://my-ml-bucket/code"}
    config = PackagingConfig(**values, enable_caching_package_step=True)
    assert config.cache_enabled is True
    assert "enable_caching_package_step" not in config.model_dump()
    assert "disagree" in str(
        problem(
            PackagingConfig, {**values, "enable_caching_package_step": True, "cache_enabled": False}
        )
    )


def test_the_config_file_round_trip_keeps_caching_and_retries():
    configs = load_starter("xgboost_end_to_end")[1]
    for config in configs.values():
        if type(config).CACHED_BY_SAGEMAKER:
            config.cache_enabled = True
        config.retry_on = ["Step.THROTTLING"]
    configs["Payload"].cache_expire_after = "PT6H"
    configs["XGBoostTraining"].retry_max_attempts = 7
    document = json.loads(json.dumps(merge_configs(configs)))
    assert configs_from_document(document) == configs
    loaded = configs_from_document(document)
    assert loaded["XGBoostModel"].cache_enabled is False
    assert loaded["Payload"].cache_expire_after == "PT6H"
    assert loaded["XGBoostTraining"].retry_max_attempts == 7


def test_the_failure_kinds_are_those_the_sdk_names():
    SageMakerJobExceptionTypeEnum, StepExceptionTypeEnum = sdk_classes(
        "SageMakerJobExceptionTypeEnum", "StepExceptionTypeEnum"
    )

    assert tuple(e.value for e in StepExceptionTypeEnum) == STEP_FAILURES
    assert tuple(e.value for e in SageMakerJobExceptionTypeEnum) == JOB_FAILURES


def test_a_design_caches_pipeline_wide_and_refuses_caching_on_a_model_node():
    from builders.designs.design import (
        compile_design,
        config_document,
        design_from_documents,
        set_node_values,
        set_settings,
        validate_design,
    )

    dag, configs, folder = load_starter("xgboost_end_to_end")
    document = json.loads(json.dumps(merge_configs(configs)))
    design = design_from_documents("d", document, dag.to_adjacency(), base_dir=folder)
    design = set_settings(design, {**design.settings, "cache_enabled": True})
    assert validate_design(design).problems == ()
    steps = {s["Name"]: s for s in compile_design(design, folder).definition["Steps"]}
    assert steps["Packaging"]["CacheConfig"]["Enabled"] is True
    assert "CacheConfig" not in steps["XGBoostModel-CreateModel"]
    # The design's config file and back: the same setting, no per-node copies.
    again = design_from_documents("d", config_document(design), dag.to_adjacency())
    assert again.settings["cache_enabled"] is True
    assert all("cache_enabled" not in node.values for node in again.nodes)

    asked = set_node_values(design, "XGBoostModel", {"cache_enabled": True})
    problems = validate_design(asked).problems
    assert [(p.node, p.field) for p in problems] == [("XGBoostModel", "cache_enabled")]
    assert "does not cache model or registration steps" in problems[0].message
