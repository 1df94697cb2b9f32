"""The step configs as a user fills them in: defaults, derived values and readable errors."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

import annotated_types
import boto3
import pytest
from pydantic import BaseModel, ValidationError

from builders.configs.base import BasePipelineConfig, ProcessingStepConfigBase
from builders.configs.hyperparameters import (
    ModelHyperparameters,
    PyTorchModelHyperparameters,
    XGBoostModelHyperparameters,
)
from builders.configs.types import AwsRegion, FieldRuleError, VariableType
from builders.errors import ConfigValidationError, Problem
from builders.graph.validation import (
    build_config,
    error_field,
    friendly_message,
    problems_from,
    validate_config,
)
from builders.step_types.batch_transform.config import BatchTransformConfig
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.packaging.config import PackageStepConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.pytorch_model.config import PyTorchModelConfig
from builders.step_types.pytorch_training.config import PyTorchTrainingConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

STEP_CONFIGS = [
    DataLoadingConfig,
    TabularPreprocessingConfig,
    XGBoostTrainingConfig,
    PyTorchTrainingConfig,
    XGBoostModelConfig,
    PyTorchModelConfig,
    BatchTransformConfig,
    PackageStepConfig,
    PayloadConfig,
    RegistrationConfig,
]
ALL_CONFIGS = [BasePipelineConfig, ProcessingStepConfigBase, *STEP_CONFIGS]
HYPERPARAMETER_CLASSES = [
    ModelHyperparameters,
    XGBoostModelHyperparameters,
    PyTorchModelHyperparameters,
]
PAYLOAD = {
    "model_registration_objective": "FraudDetection",
    "source_model_inference_output_variable_list": {"score": "NUMERIC"},
    "source_model_inference_input_variable_list": {
        "age": "NUMERIC",
        "country": "TEXT",
        "amount": "NUMERIC",
        "created": "TEXT",
    },
}


def minimal_values(cls: type[BaseModel], base: dict, hyperparameters: dict) -> dict:
    """The fewest values with which `cls` is valid."""
    if cls in HYPERPARAMETER_CLASSES:
        return dict(hyperparameters)
    extra: dict[str, Any] = {
        ProcessingStepConfigBase: {"processing_entry_point": "job.py"},
        DataLoadingConfig: {"data_sources": ["s3://my-ml-bucket/data/train/"]},
        TabularPreprocessingConfig: {"label_name": "label"},
        XGBoostTrainingConfig: {"hyperparameters": hyperparameters},
        PyTorchTrainingConfig: {"source_dir": "./src", "hyperparameters": hyperparameters},
        PackageStepConfig: {"source_dir": "inference"},
        PayloadConfig: PAYLOAD,
    }.get(cls, {})
    return {**base, **extra}


def problems(cls: type[BaseModel], values: dict, node: str | None = None) -> dict[str, str]:
    """{field: message} of every problem with `values`; fails when they are valid."""
    config, found = validate_config(cls, values, node)
    assert config is None, f"{cls.__name__} accepted {values}"
    return {problem.field: problem.message for problem in found}


@pytest.fixture
def payload(base) -> dict:
    return {**base, **PAYLOAD}


# -- field discovery for the rules every config follows -----------------------------------------
def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _fields(classes, predicate):
    return [
        pytest.param(cls, name, info, id=f"{cls.__name__}.{name}")
        for cls in classes
        for name, info in cls.model_fields.items()
        if predicate(info)
    ]


def _is_int(info) -> bool:
    return _strip_optional(info.annotation) is int


def _bounds(info) -> list:
    kinds = (annotated_types.Ge, annotated_types.Gt, annotated_types.Le, annotated_types.Lt)
    return [item for item in info.metadata if isinstance(item, kinds)]


def _literal(info) -> tuple[tuple, bool] | None:
    """(choices, is_list) of a Literal field, a list of Literals, or None."""
    annotation = _strip_optional(info.annotation)
    if typing.get_origin(annotation) is list:
        inner = typing.get_args(annotation)[0]
        if typing.get_origin(inner) is Literal:
            return typing.get_args(inner), True
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation), False
    return None


CLASSES = ALL_CONFIGS + HYPERPARAMETER_CLASSES
INT_FIELDS = _fields(CLASSES, _is_int)
BOUNDED_FIELDS = _fields(CLASSES, _bounds)
LITERAL_FIELDS = _fields(CLASSES, lambda info: _literal(info) is not None)


def test_field_discovery_finds_the_fields_the_rules_are_about():
    ids = {p.id for p in INT_FIELDS + BOUNDED_FIELDS + LITERAL_FIELDS}
    assert {
        "PayloadConfig.expected_tps",
        "ProcessingStepConfigBase.processing_instance_count",
        "XGBoostModelHyperparameters.eta",
        "BasePipelineConfig.region",
        "XGBoostModelHyperparameters.eval_metric",
    } <= ids


# -- rules every config follows ----------------------------------------------------------------
@pytest.mark.parametrize(("cls", "name", "info"), INT_FIELDS)
def test_integer_field_refuses_a_fraction(cls, name, info, base, hyperparameters):
    values = {**minimal_values(cls, base, hyperparameters), name: 1.5}
    assert problems(cls, values)[name] == "must be a whole number"


@pytest.mark.parametrize(("cls", "name", "info"), INT_FIELDS)
def test_integer_field_refuses_words(cls, name, info, base, hyperparameters):
    values = {**minimal_values(cls, base, hyperparameters), name: "many"}
    assert problems(cls, values)[name] == "must be a whole number"


def _outside(bound, is_int: bool):
    """A value just outside `bound`, the words the message starts with, and the bound."""
    if isinstance(bound, annotated_types.Ge):
        return bound.ge - (1 if is_int else 0.5), "must be at least", bound.ge
    if isinstance(bound, annotated_types.Gt):
        return bound.gt, "must be greater than", bound.gt
    if isinstance(bound, annotated_types.Le):
        return bound.le + (1 if is_int else 0.5), "must be at most", bound.le
    return bound.lt, "must be less than", bound.lt


@pytest.mark.parametrize(("cls", "name", "info"), BOUNDED_FIELDS)
def test_bounded_field_refuses_values_beyond_each_bound(cls, name, info, base, hyperparameters):
    for bound in _bounds(info):
        value, words, limit = _outside(bound, _is_int(info))
        found = problems(cls, {**minimal_values(cls, base, hyperparameters), name: value})
        message = found[name]
        assert message.startswith(words + " ")
        assert float(message.removeprefix(words + " ")) == limit


BOUND_WORDS = ("must be at least", "must be at most", "must be greater", "must be less")


@pytest.mark.parametrize(("cls", "name", "info"), BOUNDED_FIELDS)
def test_bounded_field_accepts_its_inclusive_bounds(cls, name, info, base, hyperparameters):
    for bound in _bounds(info):
        value = getattr(bound, "ge", getattr(bound, "le", None))
        if value is None:
            continue
        _, found = validate_config(cls, {**minimal_values(cls, base, hyperparameters), name: value})
        # a cross-field rule may still object (num_classes = 10000 is not binary), a bound not
        assert not [p for p in found if p.field == name and p.message.startswith(BOUND_WORDS)]


@pytest.mark.parametrize(("cls", "name", "info"), LITERAL_FIELDS)
def test_choice_field_refuses_an_unknown_choice_listing_the_allowed_ones(
    cls, name, info, base, hyperparameters
):
    choices, is_list = _literal(info)
    value = ["no-such-choice"] if is_list else "no-such-choice"
    found = problems(cls, {**minimal_values(cls, base, hyperparameters), name: value})
    message = found[f"{name}.0" if is_list else name]
    assert message.startswith("must be one of: ")
    for choice in choices:
        assert repr(choice) in message


@pytest.mark.parametrize(("cls", "name", "info"), LITERAL_FIELDS)
def test_choice_field_accepts_every_allowed_choice(cls, name, info, base, hyperparameters):
    choices, is_list = _literal(info)
    for choice in choices:
        value = [choice] if is_list else choice
        _, found = validate_config(cls, {**minimal_values(cls, base, hyperparameters), name: value})
        # a cross-field rule may still object (multi:softprob needs a multiclass model)
        refused = [p for p in found if p.field in (name, f"{name}.0")]
        assert not [p for p in refused if p.message.startswith("must be one of")]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_field_and_derived_value_has_a_description(cls):
    undescribed = [name for name, info in cls.model_fields.items() if not info.description]
    undescribed += [
        name for name, info in cls.model_computed_fields.items() if not info.description
    ]
    assert undescribed == []


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_minimal_values_build_a_config(cls, base, hyperparameters):
    assert isinstance(cls(**minimal_values(cls, base, hyperparameters)), cls)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_a_misspelt_field_is_refused_by_name(cls, base, hyperparameters):
    values = {**minimal_values(cls, base, hyperparameters), "instance_typo": "x"}
    assert problems(cls, values) == {
        "instance_typo": "is not a setting of this step (check the spelling)"
    }


@pytest.mark.parametrize("cls", ALL_CONFIGS, ids=lambda cls: cls.__name__)
def test_every_step_config_is_a_pipeline_config(cls):
    assert issubclass(cls, BasePipelineConfig)
    assert set(BasePipelineConfig.SHARED_FIELDS) <= set(cls.model_fields)


@pytest.mark.parametrize("cls", ALL_CONFIGS, ids=lambda cls: cls.__name__)
def test_assignment_is_validated(cls, base, hyperparameters):
    config = cls(**minimal_values(cls, base, hyperparameters))
    with pytest.raises(ValidationError):
        config.region = "mars-north-1"
    assert config.region == "us-east-1"


# -- BasePipelineConfig ---------------------------------------------------------------------------
def test_base_config_defaults(base):
    config = BasePipelineConfig(**base)
    assert config.region == "us-east-1"
    assert config.pipeline_version == "1.0.0"
    assert config.framework_version == "1.7-1"
    assert config.py_version == "py3"
    assert config.source_dir is None


def test_base_config_required_settings_are_reported_as_required():
    assert problems(BasePipelineConfig, {}) == {
        "author": "is required",
        "bucket": "is required",
        "role": "is required",
        "service_name": "is required",
    }


def test_shared_fields_are_the_pipeline_settings():
    assert set(BasePipelineConfig.SHARED_FIELDS) == {
        "author", "bucket", "role", "region", "service_name", "pipeline_version",
        "framework_version", "py_version", "source_dir",
        "cache_enabled", "cache_expire_after", "retry_on", "retry_max_attempts",
        "retry_interval_seconds", "retry_backoff_rate",
    }  # fmt: skip
    assert set(BasePipelineConfig.SHARED_FIELDS) == set(BasePipelineConfig.model_fields)


def test_pipeline_name_description_and_s3_folder_are_derived(base):
    config = BasePipelineConfig(**base, pipeline_version="2.1.0")
    assert config.pipeline_name == "ml-team-fraud-us-east-1"
    assert config.pipeline_description == "fraud pipeline by ml-team in us-east-1"
    assert config.pipeline_s3_loc == "s3://my-ml-bucket/pipelines/ml-team-fraud-us-east-1/2.1.0"


def test_derived_values_follow_the_inputs_live(base):
    config = BasePipelineConfig(**base)
    config.author = "data-team"
    config.region = "eu-west-1"
    config.bucket = "other-bucket"
    config.pipeline_version = "3"
    assert config.pipeline_name == "data-team-fraud-eu-west-1"
    assert "eu-west-1" in config.pipeline_description
    assert config.pipeline_s3_loc == "s3://other-bucket/pipelines/data-team-fraud-eu-west-1/3"


@pytest.mark.parametrize("name", ["pipeline_name", "pipeline_description", "pipeline_s3_loc"])
def test_derived_values_cannot_be_set(base, name):
    config = BasePipelineConfig(**base)
    before = getattr(config, name)
    with pytest.raises((AttributeError, ValidationError)):
        setattr(config, name, "something-else")
    assert getattr(config, name) == before


@pytest.mark.parametrize("name", ["pipeline_name", "pipeline_description", "pipeline_s3_loc"])
def test_derived_values_cannot_be_given(base, name):
    assert problems(BasePipelineConfig, {**base, name: "x"}) == {
        name: "is not a setting of this step (check the spelling)"
    }


def test_derived_values_are_not_fields():
    assert {"pipeline_name", "pipeline_description", "pipeline_s3_loc"} == set(
        BasePipelineConfig.model_computed_fields
    )
    assert "pipeline_name" not in BasePipelineConfig.model_fields


def test_surrounding_whitespace_is_stripped(base):
    assert BasePipelineConfig(**{**base, "author": "  ml-team \n"}).author == "ml-team"


@pytest.mark.parametrize("region", typing.get_args(AwsRegion))
def test_every_listed_region_is_accepted(base, region):
    assert BasePipelineConfig(**{**base, "region": region}).region == region


@pytest.mark.parametrize("region", ["us-east-9", "US-EAST-1", "useast1", "", "mars-1"])
def test_unknown_region_is_refused_with_the_choices(base, region):
    message = problems(BasePipelineConfig, {**base, "region": region})["region"]
    assert message.startswith("must be one of: ")
    assert "'us-east-1'" in message and "'eu-west-1'" in message


def test_listed_regions_are_real_sagemaker_regions():
    known = set(boto3.session.Session().get_available_regions("sagemaker"))
    assert set(typing.get_args(AwsRegion)) - known == set()


def test_every_real_sagemaker_region_is_listed():  # botocore's endpoint data
    known = set(boto3.session.Session().get_available_regions("sagemaker"))
    assert known - set(typing.get_args(AwsRegion)) == set()


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
        "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-2024",
        "arn:aws-cn:iam::123456789012:role/Role",
        "arn:aws-us-gov:iam::123456789012:role/Role",
    ],
)
def test_iam_role_arns_are_accepted(base, role):
    assert BasePipelineConfig(**{**base, "role": role}).role == role


@pytest.mark.parametrize(
    "role",
    [
        "SageMakerExecutionRole",
        "arn:aws:iam::12345:role/Role",
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:s3:::my-ml-bucket",
        "arn:aws:iam::123456789012:role/",
    ],
)
def test_a_role_that_is_not_an_iam_role_arn_is_refused(base, role):
    message = problems(BasePipelineConfig, {**base, "role": role})["role"]
    assert message.startswith("must be an IAM role ARN")


@pytest.mark.parametrize("bucket", ["My_Bucket", "ab", "-bucket", "bucket-", "a" * 64, ""])
def test_bad_bucket_names_are_refused(base, bucket):
    message = problems(BasePipelineConfig, {**base, "bucket": bucket})["bucket"]
    assert message.startswith("must be an S3 bucket name")


@pytest.mark.parametrize("field", ["author", "service_name"])
@pytest.mark.parametrize("value", ["ml team", "-ml", "ml-", "ml_team", "ml.team"])
def test_names_take_letters_digits_and_hyphens(base, field, value):
    message = problems(BasePipelineConfig, {**base, field: value})[field]
    assert message.startswith("may contain only letters, digits and hyphens")


def test_names_of_64_characters_are_accepted(base):
    assert BasePipelineConfig(**{**base, "author": "a" * 64}).author == "a" * 64


def test_a_name_longer_than_64_characters_is_refused_in_characters(base):
    found = problems(BasePipelineConfig, {**base, "author": "a" * 65})
    assert found["author"] == "must be at most 64 characters"


@pytest.mark.parametrize("version", ["1.0.0", "2", "v1.2-beta_3"])
def test_pipeline_versions_are_accepted(base, version):
    assert BasePipelineConfig(**base, pipeline_version=version).pipeline_version == version


@pytest.mark.parametrize("version", ["", "1 0", ".1", "1/2", "x" * 33])
def test_bad_pipeline_versions_are_refused(base, version):
    message = problems(BasePipelineConfig, {**base, "pipeline_version": version})
    assert message["pipeline_version"].startswith("must be a version such as 1.0.0")


def test_empty_framework_version_is_refused(base):
    found = problems(BasePipelineConfig, {**base, "framework_version": ""})
    assert found == {"framework_version": "must not be empty"}


@pytest.mark.parametrize("source_dir", ["./src", "src/code", "s3://my-ml-bucket/code/"])
def test_source_dir_is_a_local_folder_or_an_s3_uri(base, source_dir):
    assert BasePipelineConfig(**base, source_dir=source_dir).source_dir == source_dir


@pytest.mark.parametrize("source_dir", ["s3://My_Bucket/code", "s3://", "   "])
def test_bad_source_dir_is_refused(base, source_dir):
    found = problems(BasePipelineConfig, {**base, "source_dir": source_dir})
    assert found["source_dir"].startswith("must be a local folder or an S3 URI")


# -- ProcessingStepConfigBase --------------------------------------------------------------------
def test_processing_defaults(base):
    config = ProcessingStepConfigBase(**base, processing_entry_point="job.py")
    assert config.processing_instance_type_small == "ml.m5.xlarge"
    assert config.processing_instance_type_large == "ml.m5.4xlarge"
    assert config.use_large_processing_instance is False
    assert config.processing_instance_count == 1
    assert config.processing_volume_size == 30
    assert config.processing_framework_version == "1.2-1"
    assert config.processing_source_dir is None
    assert config.processing_script_arguments == []


def test_processing_entry_point_is_required(base):
    assert problems(ProcessingStepConfigBase, base) == {"processing_entry_point": "is required"}


def test_effective_instance_type_switches_between_small_and_large(base):
    config = ProcessingStepConfigBase(
        **base,
        processing_entry_point="job.py",
        processing_instance_type_small="ml.t3.medium",
        processing_instance_type_large="ml.r5.8xlarge",
    )
    assert config.effective_instance_type == "ml.t3.medium"
    config.use_large_processing_instance = True
    assert config.effective_instance_type == "ml.r5.8xlarge"
    config.processing_instance_type_large = "ml.c5.9xlarge"
    assert config.effective_instance_type == "ml.c5.9xlarge"


def test_effective_instance_type_cannot_be_set(base):
    config = ProcessingStepConfigBase(**base, processing_entry_point="job.py")
    with pytest.raises((AttributeError, ValidationError)):
        config.effective_instance_type = "ml.m5.24xlarge"


@pytest.mark.parametrize("instance", ["m5.xlarge", "ml.m5", "ml.M5.xlarge", "large"])
def test_instance_types_must_be_sagemaker_instance_types(base, instance):
    values = {**base, "processing_entry_point": "job.py"}
    found = problems(
        ProcessingStepConfigBase, {**values, "processing_instance_type_small": instance}
    )
    assert found["processing_instance_type_small"].startswith("must be a SageMaker instance type")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("processing_instance_count", 0, "must be at least 1"),
        ("processing_instance_count", 101, "must be at most 100"),
        ("processing_volume_size", 0, "must be at least 1"),
        ("processing_volume_size", 16385, "must be at most 16384"),
    ],
)
def test_processing_sizes_are_bounded(base, field, value, message):
    values = {**base, "processing_entry_point": "job.py", field: value}
    assert problems(ProcessingStepConfigBase, values) == {field: message}


@pytest.mark.parametrize("entry_point", ["job.py", "jobs/run_job.py", "my-job.v2.py"])
def test_entry_points_are_python_scripts(base, entry_point):
    config = ProcessingStepConfigBase(**base, processing_entry_point=entry_point)
    assert config.processing_entry_point == entry_point


@pytest.mark.parametrize("entry_point", ["job.sh", "job", "/abs/job.py", "jobs//job.py", ".py/"])
def test_entry_points_that_are_not_python_scripts_are_refused(base, entry_point):
    found = problems(ProcessingStepConfigBase, {**base, "processing_entry_point": entry_point})
    assert found["processing_entry_point"] == "must be a Python script such as train.py"


def test_processing_script_arguments_are_a_list_of_text(base):
    values = {**base, "processing_entry_point": "job.py"}
    config = ProcessingStepConfigBase(**values, processing_script_arguments=["--flag", "1"])
    assert config.processing_script_arguments == ["--flag", "1"]
    found = problems(ProcessingStepConfigBase, {**values, "processing_script_arguments": "--x"})
    assert found == {"processing_script_arguments": "must be a list"}


# -- ModelHyperparameters -------------------------------------------------------------------------
def test_hyperparameter_defaults(hyperparameters):
    config = ModelHyperparameters(**hyperparameters)
    assert config.is_binary is True
    assert config.num_classes == 2
    assert config.multiclass_categories == [0, 1]
    assert config.class_weights is None


def test_full_field_list_is_required_and_not_empty(hyperparameters):
    assert problems(ModelHyperparameters, {"label_name": "label"}) == {
        "full_field_list": "is required"
    }
    found = problems(ModelHyperparameters, {**hyperparameters, "full_field_list": []})
    assert found == {"full_field_list": "needs at least 1 item(s)"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"cat_field_list": ["colour"]}, "cat_field_list", "missing from full_field_list"),
        ({"tab_field_list": ["age", "weight"]}, "tab_field_list", "missing from full_field_list"),
        ({"label_name": "target"}, "label_name", "'target' is not in full_field_list"),
        ({"id_name": "row_id"}, "id_name", "'row_id' is not in full_field_list"),
        ({"tab_field_list": ["age", "label"]}, "label_name", "cannot also be a feature"),
        ({"cat_field_list": ["country", "label"]}, "label_name", "cannot also be a feature"),
        ({"cat_field_list": ["country", "age"]}, "tab_field_list", "both categorical and numeric"),
        ({"full_field_list": ["id", "label", "age", "age"]}, "full_field_list", "twice"),
    ],
)
def test_field_list_rules_name_the_field_to_change(hyperparameters, change, field, words):
    values = {**hyperparameters, **change}
    if "full_field_list" in change:
        values.update(tab_field_list=[], cat_field_list=[])
    found = problems(ModelHyperparameters, values)
    assert list(found) == [field]
    assert words in found[field]


def test_unknown_columns_are_listed(hyperparameters):
    values = {**hyperparameters, "cat_field_list": ["country", "colour", "size"]}
    message = problems(ModelHyperparameters, values)["cat_field_list"]
    assert "colour" in message and "size" in message


def test_id_name_is_optional(hyperparameters):
    assert ModelHyperparameters(**{**hyperparameters, "id_name": None}).id_name is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"num_classes": 3}, "num_classes"),
        ({"is_binary": False, "num_classes": 3}, "multiclass_categories"),
        ({"multiclass_categories": [0, 1, 2]}, "multiclass_categories"),
        ({"class_weights": [1.0]}, "class_weights"),
        ({"class_weights": [1.0, 2.0, 3.0]}, "class_weights"),
    ],
)
def test_class_rules_name_the_field_to_change(hyperparameters, change, field):
    assert list(problems(ModelHyperparameters, {**hyperparameters, **change})) == [field]


def test_binary_model_needs_two_classes(hyperparameters):
    found = problems(ModelHyperparameters, {**hyperparameters, "num_classes": 3})
    assert found["num_classes"] == "a binary model has num_classes = 2"


def test_categories_must_match_num_classes(hyperparameters):
    values = {**hyperparameters, "is_binary": False, "num_classes": 3}
    found = problems(ModelHyperparameters, values)
    assert found["multiclass_categories"] == "lists 2 classes but num_classes is 3"


def test_class_weights_need_one_weight_per_class(hyperparameters):
    found = problems(ModelHyperparameters, {**hyperparameters, "class_weights": [1.0]})
    assert found["class_weights"] == "needs one weight per class (2)"


def test_class_weights_must_be_positive(hyperparameters):
    found = problems(ModelHyperparameters, {**hyperparameters, "class_weights": [1.0, 0]})
    assert found == {"class_weights.1": "must be greater than 0.0"}


def test_a_consistent_multiclass_model_is_accepted(hyperparameters):
    config = ModelHyperparameters(
        **hyperparameters,
        is_binary=False,
        num_classes=3,
        multiclass_categories=["low", "mid", "high"],
        class_weights=[1.0, 2.0, 4.0],
    )
    assert config.multiclass_categories == ["low", "mid", "high"]
    assert config.class_weights == [1.0, 2.0, 4.0]


def test_hyperparameter_rules_are_checked_on_assignment(hyperparameters):
    config = ModelHyperparameters(**hyperparameters)
    with pytest.raises(ValidationError):
        config.label_name = "target"


# -- XGBoost and PyTorch hyperparameters ----------------------------------------------------------
def test_xgboost_defaults(hyperparameters):
    config = XGBoostModelHyperparameters(**hyperparameters)
    assert (config.num_round, config.max_depth, config.eta) == (100, 6, 0.3)
    assert config.objective == "binary:logistic"
    assert config.eval_metric == ["logloss", "auc"]
    assert config.early_stopping_rounds == 10
    assert config.tree_method == "hist"


@pytest.mark.parametrize("objective", ["multi:softprob", "multi:softmax"])
def test_multiclass_objective_needs_a_multiclass_model(hyperparameters, objective):
    found = problems(XGBoostModelHyperparameters, {**hyperparameters, "objective": objective})
    assert found == {"objective": f"{objective} needs is_binary = false (multiclass)"}


@pytest.mark.parametrize("objective", ["binary:logistic", "binary:hinge"])
def test_binary_objective_needs_a_binary_model(hyperparameters, objective):
    values = {
        **hyperparameters,
        "objective": objective,
        "is_binary": False,
        "num_classes": 3,
        "multiclass_categories": [0, 1, 2],
    }
    found = problems(XGBoostModelHyperparameters, values)
    assert found == {"objective": f"{objective} needs is_binary = true"}


def test_multiclass_objective_with_a_multiclass_model_is_accepted(hyperparameters):
    config = XGBoostModelHyperparameters(
        **hyperparameters,
        objective="multi:softprob",
        is_binary=False,
        num_classes=3,
        multiclass_categories=[0, 1, 2],
        eval_metric=["mlogloss"],
    )
    assert config.objective == "multi:softprob"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be greater than 0.0"),
        (-0.1, "must be greater than 0.0"),
        (1.01, "must be at most 1.0"),
    ],
)
def test_eta_is_between_zero_excluded_and_one(hyperparameters, value, message):
    assert problems(XGBoostModelHyperparameters, {**hyperparameters, "eta": value}) == {
        "eta": message
    }


@pytest.mark.parametrize("value", [1, 1.0, 0.01])
def test_eta_accepts_values_in_range(hyperparameters, value):
    assert XGBoostModelHyperparameters(**hyperparameters, eta=value).eta == value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("num_round", 0, "must be at least 1"),
        ("max_depth", 65, "must be at most 64"),
        ("subsample", 0, "must be greater than 0.0"),
        ("colsample_bytree", 1.5, "must be at most 1.0"),
        ("gamma", -1, "must be at least 0.0"),
        ("lambda_xgb", -0.5, "must be at least 0.0"),
        ("early_stopping_rounds", 0, "must be at least 1"),
        ("eval_metric", [], "needs at least 1 item(s)"),
    ],
)
def test_xgboost_settings_are_bounded(hyperparameters, field, value, message):
    values = {**hyperparameters, field: value}
    assert problems(XGBoostModelHyperparameters, values) == {field: message}


def test_early_stopping_can_be_turned_off(hyperparameters):
    config = XGBoostModelHyperparameters(**hyperparameters, early_stopping_rounds=None)
    assert config.early_stopping_rounds is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dropout", 1, "must be less than 1.0"),
        ("lr", 0, "must be greater than 0.0"),
        ("batch_size", 0, "must be at least 1"),
        ("hidden_dims", [], "needs at least 1 item(s)"),
    ],
)
def test_pytorch_settings_are_bounded(hyperparameters, field, value, message):
    assert problems(PyTorchModelHyperparameters, {**hyperparameters, field: value}) == {
        field: message
    }


def test_pytorch_hidden_layers_are_positive(hyperparameters):
    found = problems(PyTorchModelHyperparameters, {**hyperparameters, "hidden_dims": [64, 0]})
    assert found == {"hidden_dims.1": "must be at least 1"}


def test_pytorch_defaults(hyperparameters):
    config = PyTorchModelHyperparameters(**hyperparameters)
    assert (config.batch_size, config.max_epochs, config.optimizer) == (32, 10, "Adam")
    assert config.hidden_dims == [128, 64]


# -- DataLoading and TabularPreprocessing ---------------------------------------------------------
def test_data_loading_defaults(base):
    config = DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/data/"])
    assert config.processing_entry_point == "data_loading.py"
    assert config.job_type == "training"
    assert config.data_format == "csv"
    assert config.csv_has_header is True
    assert config.column_names == []
    assert config.effective_instance_type == "ml.m5.xlarge"


def test_data_sources_are_required(base):
    assert problems(DataLoadingConfig, base) == {"data_sources": "is required"}
    assert problems(DataLoadingConfig, {**base, "data_sources": []}) == {
        "data_sources": "needs at least 1 item(s)"
    }


def test_at_most_twenty_data_sources(base):
    sources = [f"s3://my-ml-bucket/data/part-{i}.csv" for i in range(21)]
    assert problems(DataLoadingConfig, {**base, "data_sources": sources}) == {
        "data_sources": "takes at most 20 item(s)"
    }
    assert len(DataLoadingConfig(**base, data_sources=sources[:20]).data_sources) == 20


@pytest.mark.parametrize("uri", ["my-ml-bucket/data", "s3:/my-ml-bucket/data", "https://x.com/a"])
def test_data_sources_must_be_s3_uris(base, uri):
    found = problems(DataLoadingConfig, {**base, "data_sources": ["s3://my-ml-bucket/a", uri]})
    assert found == {"data_sources.1": "must be an S3 URI such as s3://my-bucket/path/to/data"}


def test_tabular_preprocessing_defaults_and_label(base):
    assert problems(TabularPreprocessingConfig, base) == {"label_name": "is required"}
    config = TabularPreprocessingConfig(**base, label_name="label")
    assert (config.train_ratio, config.test_val_ratio, config.random_seed) == (0.7, 0.5, 42)
    assert config.processing_entry_point == "tabular_preprocessing.py"


@pytest.mark.parametrize("field", ["train_ratio", "test_val_ratio"])
@pytest.mark.parametrize(
    ("value", "message"), [(0, "must be greater than 0.0"), (1, "must be less than 1.0")]
)
def test_split_ratios_are_strictly_between_zero_and_one(base, field, value, message):
    values = {**base, "label_name": "label", field: value}
    assert problems(TabularPreprocessingConfig, values) == {field: message}


def test_empty_label_is_refused(base):
    found = problems(TabularPreprocessingConfig, {**base, "label_name": ""})
    assert found == {"label_name": "must not be empty"}


# -- training configs ----------------------------------------------------------------------------
def test_xgboost_training_builds_its_hyperparameters(base, hyperparameters):
    config = XGBoostTrainingConfig(**base, hyperparameters=hyperparameters)
    assert isinstance(config.hyperparameters, XGBoostModelHyperparameters)
    assert config.hyperparameters.label_name == "label"
    assert config.training_entry_point == "xgboost_train.py"
    assert config.framework_version == "1.7-1"
    assert config.training_source_dir is None


def test_xgboost_training_needs_hyperparameters(base):
    assert problems(XGBoostTrainingConfig, base) == {"hyperparameters": "is required"}


def test_hyperparameter_problems_carry_the_nested_field(base, hyperparameters):
    values = {**base, "hyperparameters": {**hyperparameters, "label_name": "target", "eta": 2}}
    found = problems(XGBoostTrainingConfig, values, node="XGBoostTraining")
    assert found == {"hyperparameters.eta": "must be at most 1.0"}
    values["hyperparameters"]["eta"] = 0.5
    found = problems(XGBoostTrainingConfig, values, node="XGBoostTraining")
    assert found == {"hyperparameters.label_name": "'target' is not in full_field_list"}


def test_hyperparameters_must_be_a_group_of_settings(base):
    found = problems(XGBoostTrainingConfig, {**base, "hyperparameters": "eta=0.3"})
    assert found == {"hyperparameters": "must be a group of settings"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_runtime_seconds", 59, "must be at least 60"),
        ("max_runtime_seconds", 2419201, "must be at most 2419200"),
        ("training_instance_count", 0, "must be at least 1"),
        ("training_volume_size", 16385, "must be at most 16384"),
    ],
)
@pytest.mark.parametrize("cls", [XGBoostTrainingConfig, PyTorchTrainingConfig])
def test_training_job_limits(base, hyperparameters, cls, field, value, message):
    values = {**minimal_values(cls, base, hyperparameters), field: value}
    assert problems(cls, values) == {field: message}


def test_xgboost_framework_version_is_a_container_version(base, hyperparameters):
    values = {**base, "hyperparameters": hyperparameters, "framework_version": "2.1.0"}
    message = problems(XGBoostTrainingConfig, values)["framework_version"]
    assert message.startswith("must be one of: ")
    assert "'1.7-1'" in message


def test_pytorch_training_needs_its_source_folder(base, hyperparameters):
    found = problems(PyTorchTrainingConfig, {**base, "hyperparameters": hyperparameters})
    assert found == {"source_dir": "is required"}


def test_pytorch_training_defaults(base, hyperparameters):
    config = PyTorchTrainingConfig(**base, source_dir="./src", hyperparameters=hyperparameters)
    assert isinstance(config.hyperparameters, PyTorchModelHyperparameters)
    assert (config.framework_version, config.py_version) == ("2.1.0", "py310")
    assert config.training_entry_point == "train.py"
    assert config.training_instance_type == "ml.g5.2xlarge"


def test_pytorch_training_refuses_a_python_the_container_lacks(base, hyperparameters):
    values = {**base, "source_dir": "./src", "hyperparameters": hyperparameters}
    message = problems(PyTorchTrainingConfig, {**values, "py_version": "py3"})["py_version"]
    assert message.startswith("must be one of: ")
    assert "'py310'" in message and "'py3'" not in message


# -- model, batch transform and packaging --------------------------------------------------------
def test_model_configs_defaults(base):
    xgb = XGBoostModelConfig(**base)
    torch = PyTorchModelConfig(**base)
    assert xgb.inference_instance_type == torch.inference_instance_type == "ml.m5.large"
    assert xgb.model_data is None and torch.model_data is None
    assert xgb.framework_version == "1.7-1"
    assert (torch.framework_version, torch.py_version) == ("2.1.0", "py310")
    assert torch.inference_entry_point == "inference.py"


@pytest.mark.parametrize("cls", [XGBoostModelConfig, PyTorchModelConfig])
def test_model_data_is_an_s3_uri(base, cls):
    uri = "s3://my-ml-bucket/models/model.tar.gz"
    assert cls(**base, model_data=uri).model_data == uri
    found = problems(cls, {**base, "model_data": "models/model.tar.gz"})
    assert found == {"model_data": "must be an S3 URI such as s3://my-bucket/path/to/data"}


def test_batch_transform_defaults(base):
    config = BatchTransformConfig(**base)
    assert config.job_type == "calibration"
    assert (config.content_type, config.accept) == ("text/csv", "text/csv")
    assert (config.split_type, config.assemble_with, config.join_source) == ("Line", "Line", "None")
    assert config.input_filter is None and config.output_filter is None
    assert config.max_payload_mb == 6
    assert config.transform_instance_count == 1


def test_batch_transform_filters(base):
    config = BatchTransformConfig(**base, input_filter="$[1:]", join_source="Input")
    assert (config.input_filter, config.join_source) == ("$[1:]", "Input")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_payload_mb", 101, "must be at most 100"),
        ("max_payload_mb", -1, "must be at least 0"),
        ("transform_instance_count", 0, "must be at least 1"),
        ("content_type", "text/plain", "must be one of: 'text/csv' or 'application/json'"),
    ],
)
def test_batch_transform_limits(base, field, value, message):
    assert problems(BatchTransformConfig, {**base, field: value}) == {field: message}


def test_packaging_needs_the_inference_code_folder(base):
    assert problems(PackageStepConfig, base) == {"source_dir": "is required"}
    config = PackageStepConfig(**base, source_dir="inference")
    assert config.source_dir == "inference"
    assert config.processing_entry_point == "packaging.py"


# -- Payload ------------------------------------------------------------------------------------
def test_payload_defaults(payload):
    config = PayloadConfig(**payload)
    assert config.expected_tps == 2
    assert config.max_latency_in_millisecond == 800
    assert config.max_acceptable_error_rate == 0.2
    assert config.sample_payload_s3_key is None
    assert config.default_numeric_value == 0.0
    assert config.default_text_value == "DEFAULT_TEXT"
    assert config.special_field_values is None
    assert config.payload_script_path is None
    assert config.payload_script_arguments is None
    assert config.source_model_inference_content_types == ["text/csv"]
    assert config.source_model_inference_response_types == ["application/json"]
    assert config.processing_entry_point == "payload.py"


@pytest.mark.parametrize(
    "field",
    [
        "model_registration_objective",
        "source_model_inference_output_variable_list",
        "source_model_inference_input_variable_list",
    ],
)
def test_payload_required_fields(payload, field):
    del payload[field]
    assert problems(PayloadConfig, payload) == {field: "is required"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expected_tps", 0, "must be at least 1"),
        ("expected_tps", 1.5, "must be a whole number"),
        ("max_latency_in_millisecond", 99, "must be at least 100"),
        ("max_latency_in_millisecond", 10001, "must be at most 10000"),
        ("max_acceptable_error_rate", -0.01, "must be at least 0.0"),
        ("max_acceptable_error_rate", 1.01, "must be at most 1.0"),
        ("model_registration_objective", "", "must not be empty"),
        ("default_numeric_value", "zero", "must be a number"),
    ],
)
def test_payload_limits(payload, field, value, message):
    assert problems(PayloadConfig, {**payload, field: value}) == {field: message}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expected_tps", 1),
        ("expected_tps", 5000),
        ("max_latency_in_millisecond", 100),
        ("max_latency_in_millisecond", 10000),
        ("max_acceptable_error_rate", 0),
        ("max_acceptable_error_rate", 1),
    ],
)
def test_payload_limits_are_inclusive(payload, field, value):
    assert getattr(PayloadConfig(**{**payload, field: value}), field) == value


def test_payload_key_is_generated_from_pipeline_and_objective(payload):
    config = PayloadConfig(**payload)
    assert config.payload_s3_key == (
        "pipelines/ml-team-fraud-us-east-1/1.0.0/payload/FraudDetection.tar.gz"
    )
    assert config.payload_s3_uri == f"s3://my-ml-bucket/{config.payload_s3_key}"


def test_generated_payload_key_follows_the_inputs(payload):
    config = PayloadConfig(**payload)
    config.pipeline_version = "2.0.0"
    config.model_registration_objective = "Fraud Detection/v2"
    assert config.payload_s3_key == (
        "pipelines/ml-team-fraud-us-east-1/2.0.0/payload/Fraud_Detection_v2.tar.gz"
    )


def test_given_payload_key_is_used(payload):
    config = PayloadConfig(**payload, sample_payload_s3_key="samples/fraud.tar.gz")
    assert config.payload_s3_key == "samples/fraud.tar.gz"
    assert config.payload_s3_uri == "s3://my-ml-bucket/samples/fraud.tar.gz"


@pytest.mark.parametrize("key", ["samples/fraud.zip", "/samples/fraud.tar.gz", "fraud.tar"])
def test_payload_key_must_be_a_tar_gz_key(payload, key):
    found = problems(PayloadConfig, {**payload, "sample_payload_s3_key": key})
    assert found == {"sample_payload_s3_key": "must be an S3 key ending in .tar.gz"}


@pytest.mark.parametrize("name", ["payload_s3_key", "payload_s3_uri"])
def test_payload_derived_values_cannot_be_given(payload, name):
    assert list(problems(PayloadConfig, {**payload, name: "x.tar.gz"})) == [name]


@pytest.mark.parametrize(
    "field", ["source_model_inference_content_types", "source_model_inference_response_types"]
)
@pytest.mark.parametrize("value", [["text/csv"], ["application/json"]])
def test_payload_formats_take_exactly_one_known_type(payload, field, value):
    assert getattr(PayloadConfig(**{**payload, field: value}), field) == value


@pytest.mark.parametrize(
    "field", ["source_model_inference_content_types", "source_model_inference_response_types"]
)
@pytest.mark.parametrize(
    ("value", "location", "message"),
    [
        (["text/csv", "application/json"], "", "takes at most 1 item(s)"),
        ([], "", "needs at least 1 item(s)"),
        (["text/plain"], ".0", "must be one of: 'text/csv' or 'application/json'"),
        ("text/csv", "", "must be a list"),
    ],
)
def test_payload_formats_refuse_anything_else(payload, field, value, location, message):
    assert problems(PayloadConfig, {**payload, field: value}) == {f"{field}{location}": message}


def test_input_variables_keep_their_order_and_types(payload):
    config = PayloadConfig(**payload)
    variables = config.source_model_inference_input_variable_list
    assert list(variables) == ["age", "country", "amount", "created"]
    assert variables["country"] is VariableType.TEXT
    assert variables["age"] is VariableType.NUMERIC


@pytest.mark.parametrize(
    "field",
    ["source_model_inference_input_variable_list", "source_model_inference_output_variable_list"],
)
def test_variable_types_are_numeric_or_text(payload, field):
    found = problems(PayloadConfig, {**payload, field: {"age": "NUMERIC", "flag": "BOOLEAN"}})
    assert found == {f"{field}.flag": "must be one of: 'NUMERIC' or 'TEXT'"}


@pytest.mark.parametrize(
    "field",
    ["source_model_inference_input_variable_list", "source_model_inference_output_variable_list"],
)
def test_variable_lists_are_not_empty(payload, field):
    assert problems(PayloadConfig, {**payload, field: {}}) == {field: "needs at least 1 item(s)"}


def test_special_values_for_text_variables_are_accepted(payload):
    special = {"created": "{timestamp}", "country": "US"}
    assert PayloadConfig(**payload, special_field_values=special).special_field_values == special


def test_special_value_for_an_unknown_variable_is_refused(payload):
    found = problems(PayloadConfig, {**payload, "special_field_values": {"colour": "red"}})
    assert found == {"special_field_values": "'colour' is not an input variable"}


def test_special_value_for_a_numeric_variable_is_refused(payload):
    found = problems(PayloadConfig, {**payload, "special_field_values": {"age": "42"}})
    assert list(found) == ["special_field_values"]
    assert "'age' is a NUMERIC variable" in found["special_field_values"]
    assert "only TEXT variables" in found["special_field_values"]


def test_payload_script_and_arguments_are_optional(payload):
    config = PayloadConfig(
        **payload,
        payload_script_path="s3://my-ml-bucket/code/make_payload.py",
        payload_script_arguments=["--rows", "5"],
    )
    assert config.payload_script_path == "s3://my-ml-bucket/code/make_payload.py"
    assert config.payload_script_arguments == ["--rows", "5"]


def test_default_values_for_variables(payload):
    config = PayloadConfig(**payload, default_numeric_value=-1, default_text_value="N/A")
    assert config.default_numeric_value == -1.0
    assert isinstance(config.default_numeric_value, float)
    assert config.default_text_value == "N/A"


# -- Registration --------------------------------------------------------------------------------
def test_registration_defaults(base):
    config = RegistrationConfig(**base)
    assert config.framework == "xgboost"
    assert config.approval_status == "PendingManualApproval"
    assert config.content_types == ["text/csv"]
    assert config.response_types == ["application/json"]
    assert config.inference_instances == config.transform_instances == ["ml.m5.large"]
    assert config.inference_entry_point == "inference.py"
    assert (config.domain, config.task) == ("MACHINE_LEARNING", "CLASSIFICATION")
    assert config.customer_metadata == {}


def test_model_package_group_defaults_to_the_pipeline_name(base):
    config = RegistrationConfig(**base)
    assert config.effective_model_package_group == "ml-team-fraud-us-east-1"
    config.model_package_group = "fraud-models"
    assert config.effective_model_package_group == "fraud-models"


def test_default_model_package_group_fits_sagemaker_limit(base):
    config = RegistrationConfig(**{**base, "author": "a" * 64, "service_name": "s" * 64})
    assert len(config.effective_model_package_group) == 63


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content_types", [], "needs at least 1 item(s)"),
        ("inference_instances", [], "needs at least 1 item(s)"),
        ("model_description", "x" * 1025, "must be at most 1024 characters"),
        ("customer_metadata", ["a"], "must be a set of key-value pairs"),
    ],
)
def test_registration_limits(base, field, value, message):
    assert problems(RegistrationConfig, {**base, field: value}) == {field: message}


def test_registration_model_package_group_is_a_name(base):
    found = problems(RegistrationConfig, {**base, "model_package_group": "my group"})
    assert found["model_package_group"].startswith("may contain only letters, digits")


def test_registration_domain_and_task_may_be_left_empty(base):
    config = RegistrationConfig(**base, domain=None, task=None, inference_entry_point=None)
    assert (config.domain, config.task, config.inference_entry_point) == (None, None, None)


# -- validation helpers --------------------------------------------------------------------------
def test_validate_config_returns_the_config_and_no_problems(base):
    config, found = validate_config(BasePipelineConfig, base, "Node")
    assert isinstance(config, BasePipelineConfig)
    assert found == []


def test_validate_config_reports_every_problem_with_the_node(base):
    values = {**base, "region": "mars", "bucket": "B", "autor": "x"}
    config, found = validate_config(BasePipelineConfig, values, node="Settings")
    assert config is None
    assert {p.field for p in found} == {"region", "bucket", "autor"}
    assert {p.node for p in found} == {"Settings"}


def test_build_config_raises_with_every_problem(base):
    with pytest.raises(ConfigValidationError) as caught:
        build_config(ProcessingStepConfigBase, {**base, "processing_instance_count": 0}, "Job")
    error = caught.value
    assert error.problems == [
        Problem("must be at least 1", "Job", "processing_instance_count"),
        Problem("is required", "Job", "processing_entry_point", "missing"),
    ]
    assert str(error) == (
        "Job.processing_instance_count: must be at least 1\nJob.processing_entry_point: is required"
    )
    assert (error.node, error.field) == ("Job", "processing_instance_count")


def test_build_config_returns_the_config(base):
    assert build_config(BasePipelineConfig, base).author == "ml-team"


def test_problems_from_a_validation_error(base):
    with pytest.raises(ValidationError) as caught:
        BasePipelineConfig(**{**base, "role": "admin"})
    [problem] = problems_from(caught.value, node="N")
    assert problem.node == "N" and problem.field == "role"
    assert problem.message.startswith("must be an IAM role ARN")
    assert str(problem) == f"N.role: {problem.message}"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "missing", "loc": ("x",), "msg": "Field required"}, "is required"),
        ({"type": "greater_than_equal", "ctx": {"ge": 1}, "msg": "..."}, "must be at least 1"),
        ({"type": "less_than", "ctx": {"lt": 5}, "msg": "..."}, "must be less than 5"),
        ({"type": "int_from_float", "msg": "..."}, "must be a whole number"),
        ({"type": "bool_parsing", "msg": "..."}, "must be true or false"),
        ({"type": "weird_new_type", "msg": "Pydantic says so"}, "Pydantic says so"),
        ({"type": "greater_than", "ctx": {}, "msg": "fallback"}, "fallback"),
        ({"type": "value_error", "ctx": {"error": ValueError("my words")}, "msg": "x"}, "my words"),
    ],
)
def test_friendly_message(error, message):
    assert friendly_message(error) == message


def test_error_field_appends_the_field_a_rule_names():
    rule = FieldRuleError("label_name", "'x' is not in full_field_list")
    error = {"type": "value_error", "loc": ("hyperparameters",), "ctx": {"error": rule}}
    assert error_field(error) == "hyperparameters.label_name"
    assert friendly_message(error) == "'x' is not in full_field_list"


def test_error_field_of_a_list_item_and_of_the_root():
    assert error_field({"type": "x", "loc": ("data_sources", 2)}) == "data_sources.2"
    assert error_field({"type": "x", "loc": ()}) is None


def test_a_bool_field_refuses_words(base):
    values = {**base, "processing_entry_point": "job.py", "use_large_processing_instance": "big"}
    found = problems(ProcessingStepConfigBase, values)
    assert found == {"use_large_processing_instance": "must be true or false"}


def test_a_text_field_refuses_a_number(base):
    assert problems(BasePipelineConfig, {**base, "author": 42}) == {"author": "must be text"}


def test_problem_location_and_text():
    assert Problem("m", "N", "f").location == "N.f"
    assert Problem("m", "N").location == "N"
    assert Problem("m", field="f").location == "f"
    assert str(Problem("design-wide")) == "design-wide"


def test_a_cleared_required_field_is_required_not_the_wrong_type(base):
    """Packaging's source_dir cleared in the form read 'must be text' (issue 17)."""
    from builders.step_types.packaging.config import PackagingConfig

    config, found = validate_config(PackagingConfig, {**base, "source_dir": None})
    assert config is None
    assert [(p.field, p.message, p.code) for p in found] == [
        ("source_dir", "is required", "missing")
    ]
