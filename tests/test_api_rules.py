"""Configs follow the SageMaker API's own rules, read from botocore's service model offline."""

from __future__ import annotations

import re
import typing

import botocore.session
import pytest
from pydantic import BaseModel

from builders.configs.api_rules import INSTANCE_TYPE_SHAPES, instance_types
from builders.configs.base import ProcessingStepConfigBase
from builders.graph.validation import validate_config
from builders.step_types.batch_transform.config import BatchTransformConfig
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

MODEL = botocore.session.get_session().get_service_model("sagemaker")


def problems(cls: type[BaseModel], values: dict) -> dict[str, str]:
    return {p.field: p.message for p in validate_config(cls, values)[1]}


def test_instance_types_are_the_apis_own_lists_per_job_kind():
    for kind, shape in INSTANCE_TYPE_SHAPES.items():
        assert instance_types(kind) == tuple(MODEL.shape_for(shape).enum), kind
    assert "ml.t2.medium" in instance_types("inference")
    assert "ml.t2.medium" not in instance_types("training")


@pytest.mark.parametrize(
    ("cls", "field", "bad", "good"),
    [
        (
            ProcessingStepConfigBase,
            "processing_instance_type_large",
            "ml.m5.xlarge2",
            "ml.t3.medium",
        ),
        (XGBoostTrainingConfig, "training_instance_type", "ml.t2.medium", "ml.m5.xlarge"),
        (BatchTransformConfig, "transform_instance_type", "ml.t3.medium", "ml.m5.large"),
        (XGBoostModelConfig, "inference_instance_type", "ml.p3dn.24xlarge", "ml.t2.medium"),
    ],
)
def test_an_instance_type_the_job_kind_does_not_offer_is_refused(
    cls, field, bad, good, base, hyperparameters
):
    values = {**base, "processing_entry_point": "job.py", "hyperparameters": hyperparameters}
    values = {k: v for k, v in values.items() if k in cls.model_fields}
    found = problems(cls, {**values, field: bad})
    assert found[field].startswith("is not an instance type for SageMaker"), found
    assert field not in problems(cls, {**values, field: good})


def test_the_message_suggests_near_names(base):
    values = {**base, "processing_entry_point": "job.py"}
    found = problems(
        ProcessingStepConfigBase, {**values, "processing_instance_type_small": "ml.m5.xlarge2"}
    )
    assert "did you mean ml.m5.xlarge" in found["processing_instance_type_small"]


def test_registration_instance_lists_are_checked_per_kind(base):
    found = problems(
        RegistrationConfig,
        {**base, "inference_instances": ["ml.t2.medium"], "transform_instances": ["ml.t2.medium"]},
    )
    assert list(found) == ["transform_instances.0"]


ENTITY = re.compile(MODEL.shape_for("EntityName").metadata["pattern"])


def test_a_derived_group_name_cut_at_63_never_ends_with_a_hyphen(base):
    # author-service-region: the 63rd character of this pipeline name is a hyphen.
    author = "a" * 62
    config = RegistrationConfig(**{**base, "author": author})
    assert config.pipeline_name[62] == "-"
    group = config.effective_model_package_group
    assert ENTITY.fullmatch(group) and len(group) <= 63, group


@pytest.mark.parametrize("name", ["a" * 64, "my group", "-lead", "trail-"])
def test_an_explicit_group_name_follows_the_api(base, name):
    assert "model_package_group" in problems(
        RegistrationConfig, {**base, "model_package_group": name}
    )
    assert not ENTITY.fullmatch(name)


def test_random_seed_stays_within_what_the_job_accepts(base):
    values = {**base, "label_name": "label"}
    assert "random_seed" in problems(TabularPreprocessingConfig, {**values, "random_seed": 2**32})
    assert not problems(TabularPreprocessingConfig, {**values, "random_seed": 2**32 - 1})


@pytest.mark.parametrize(
    ("cls", "field", "shape"),
    [
        (RegistrationConfig, "approval_status", "ModelApprovalStatus"),
        (BatchTransformConfig, "split_type", "SplitType"),
        (BatchTransformConfig, "assemble_with", "AssemblyType"),
        (BatchTransformConfig, "join_source", "JoinSource"),
    ],
)
def test_closed_choices_are_values_the_api_enumerates(cls, field, shape):
    choices = typing.get_args(cls.model_fields[field].annotation)
    assert set(choices) <= set(MODEL.shape_for(shape).enum)
