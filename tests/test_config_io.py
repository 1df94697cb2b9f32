"""All configs of a pipeline in one JSON file: layout, shared values, exact round trips, errors."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from support import STARTERS, load_starter

from builders import fileio
from builders.configs.base import BasePipelineConfig
from builders.configs.hyperparameters import XGBoostModelHyperparameters
from builders.configs.types import VariableType
from builders.designs.config_io import (
    FORMAT_VERSION,
    configs_from_document,
    load_configs,
    merge_and_save_configs,
    merge_configs,
    node_values,
    validate_document,
)
from builders.errors import (
    ConfigFileError,
    ConfigValidationError,
    PipelineDesignError,
    Problem,
    UnknownStepTypeError,
)
from builders.fileio import parse_json, read_json, write_json_atomic, write_text_atomic
from builders.registry import StepRegistry
from builders.step_types.batch_transform.config import BatchTransformConfig
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.packaging.config import PackageStepConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

DERIVED = {
    "pipeline_name",
    "pipeline_description",
    "pipeline_s3_loc",
    "effective_instance_type",
    "payload_s3_key",
    "payload_s3_uri",
    "effective_model_package_group",
}
STARTER_NAMES = sorted(path.name for path in STARTERS.iterdir() if (path / "config.json").is_file())


@pytest.fixture
def configs(base, hyperparameters) -> dict[str, BasePipelineConfig]:
    """A realistic design: two data loading nodes with their own values, training, registration."""
    return {
        "DataLoadingTraining": DataLoadingConfig(
            **base, data_sources=["s3://my-ml-bucket/data/train/"], job_type="training"
        ),
        "TabularPreprocessing": TabularPreprocessingConfig(
            **base, label_name="label", train_ratio=0.1 + 0.2
        ),
        "XGBoostTraining": XGBoostTrainingConfig(
            **base,
            hyperparameters={**hyperparameters, "class_weights": [1.0, 3.5], "eta": 0.05},
        ),
        "XGBoostModel": XGBoostModelConfig(**base),
        "Packaging": PackageStepConfig(**base, source_dir="inference"),
        "Payload": PayloadConfig(
            **base,
            model_registration_objective="FraudDetection",
            source_model_inference_output_variable_list={"score": "NUMERIC"},
            source_model_inference_input_variable_list={
                "country": "TEXT",
                "age": "NUMERIC",
                "created": "TEXT",
            },
            special_field_values={"created": "{timestamp}"},
            default_numeric_value=-1.25,
        ),
        "ModelRegistration": RegistrationConfig(**base, model_description="Fraud model"),
        "DataLoadingCalibration": DataLoadingConfig(
            **base,
            data_sources=["s3://my-ml-bucket/data/calibration/", "s3://my-ml-bucket/extra/"],
            job_type="calibration",
        ),
        "BatchTransform": BatchTransformConfig(**base, input_filter="$[2:]"),
    }


def round_trip(config_map, tmp_path: Path, name: str = "config.json"):
    path = tmp_path / name
    merge_and_save_configs(config_map, path)
    return load_configs(path)


def save_document(tmp_path: Path, document, name: str = "config.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def raises_problems(document) -> list[Problem]:
    with pytest.raises(ConfigValidationError) as caught:
        configs_from_document(document)
    return caught.value.problems


# -- layout ------------------------------------------------------------------------------------
def test_document_layout(configs):
    document = merge_configs(configs)
    assert set(document) == {"metadata", "configuration"}
    assert set(document["metadata"]) == {"config_types", "created_at", "format_version"}
    assert set(document["configuration"]) == {"shared", "specific"}
    assert document["metadata"]["format_version"] == FORMAT_VERSION == "1.0"


def test_config_types_name_each_nodes_class_in_node_order(configs):
    config_types = merge_configs(configs)["metadata"]["config_types"]
    assert config_types == {node: type(config).__name__ for node, config in configs.items()}
    assert list(config_types) == list(configs)
    assert config_types["DataLoadingCalibration"] == "DataLoadingConfig"


def test_created_at_is_an_iso_time_with_time_zone(configs):
    created = datetime.fromisoformat(merge_configs(configs)["metadata"]["created_at"])
    assert created.tzinfo is not None


def test_every_node_has_its_own_section(configs):
    assert list(merge_configs(configs)["configuration"]["specific"]) == list(configs)


def test_agreeing_pipeline_settings_are_written_once_in_shared(configs, base):
    document = merge_configs(configs)
    shared, specific = document["configuration"]["shared"], document["configuration"]["specific"]
    for field, value in base.items():
        assert shared[field] == value
        assert all(field not in values for values in specific.values())
    assert shared["pipeline_version"] == "1.0.0"


def test_pipeline_settings_of_a_single_config_are_shared(base):
    config = DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/data/"])
    document = merge_configs({"Load": config})
    shared = document["configuration"]["shared"]
    assert set(BasePipelineConfig.SHARED_FIELDS) <= set(shared)
    assert shared["author"] == "ml-team"
    specific = document["configuration"]["specific"]["Load"]
    assert specific["data_sources"] == ["s3://my-ml-bucket/data/"]
    assert "processing_instance_count" in specific  # a step field of one config stays put
    assert "processing_instance_count" not in shared


def test_a_pipeline_setting_that_differs_stays_with_each_node(configs):
    document = merge_configs(configs)
    assert "source_dir" not in document["configuration"]["shared"]
    specific = document["configuration"]["specific"]
    assert specific["Packaging"]["source_dir"] == "inference"
    assert specific["XGBoostModel"]["source_dir"] is None


def test_a_step_field_that_several_configs_agree_on_is_shared(configs):
    shared = merge_configs(configs)["configuration"]["shared"]
    assert shared["processing_instance_count"] == 1
    assert shared["data_format"] == "csv"  # held by the two data loading nodes only
    specific = merge_configs(configs)["configuration"]["specific"]
    assert "data_format" not in specific["DataLoadingTraining"]


def test_a_step_field_that_configs_disagree_on_stays_with_each_node(configs):
    document = merge_configs(configs)
    assert "data_sources" not in document["configuration"]["shared"]
    assert "job_type" not in document["configuration"]["shared"]
    specific = document["configuration"]["specific"]
    assert specific["DataLoadingTraining"]["job_type"] == "training"
    assert specific["DataLoadingCalibration"]["job_type"] == "calibration"


def test_a_step_field_held_by_one_config_stays_with_it(configs):
    document = merge_configs(configs)
    shared, specific = document["configuration"]["shared"], document["configuration"]["specific"]
    for field in ("label_name", "hyperparameters", "model_description", "input_filter"):
        assert field not in shared
    assert specific["XGBoostTraining"]["hyperparameters"]["eta"] == 0.05
    assert specific["ModelRegistration"]["model_description"] == "Fraud model"


def test_one_disagreeing_holder_keeps_a_field_out_of_shared(base):
    counts = {"A": 2, "B": 2, "C": 3}
    config_map = {
        node: DataLoadingConfig(
            **base, data_sources=["s3://my-ml-bucket/d/"], processing_instance_count=count
        )
        for node, count in counts.items()
    }
    document = merge_configs(config_map)
    assert "processing_instance_count" not in document["configuration"]["shared"]
    specific = document["configuration"]["specific"]
    assert {node: specific[node]["processing_instance_count"] for node in counts} == counts


def test_derived_values_are_not_written(configs):
    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    assert DERIVED.isdisjoint(keys(merge_configs(configs)))


def test_the_document_is_plain_json(configs):
    document = merge_configs(configs)
    assert json.loads(json.dumps(document)) == document
    payload = document["configuration"]["specific"]["Payload"]
    assert payload["source_model_inference_input_variable_list"]["country"] == "TEXT"


def test_merge_and_save_writes_the_document_it_returns(configs, tmp_path):
    path = tmp_path / "design" / "config.json"
    document = merge_and_save_configs(configs, path)
    assert json.loads(path.read_text(encoding="utf-8")) == document


def test_an_empty_design_round_trips(tmp_path):
    assert round_trip({}, tmp_path) == {}


# -- round trips -------------------------------------------------------------------------------
def test_round_trip_gives_equal_configs(configs, tmp_path):
    assert round_trip(configs, tmp_path) == configs


def test_round_trip_keeps_the_node_order_and_classes(configs, tmp_path):
    loaded = round_trip(configs, tmp_path)
    assert list(loaded) == list(configs)
    assert {n: type(c) for n, c in loaded.items()} == {n: type(c) for n, c in configs.items()}


def test_round_trip_rebuilds_nested_hyperparameters(configs, tmp_path):
    hyperparameters = round_trip(configs, tmp_path)["XGBoostTraining"].hyperparameters
    assert isinstance(hyperparameters, XGBoostModelHyperparameters)
    assert hyperparameters == configs["XGBoostTraining"].hyperparameters
    assert hyperparameters.class_weights == [1.0, 3.5]


def test_round_trip_rebuilds_enums(configs, tmp_path):
    payload = round_trip(configs, tmp_path)["Payload"]
    variables = payload.source_model_inference_input_variable_list
    assert variables["country"] is VariableType.TEXT
    assert variables["age"] is VariableType.NUMERIC


def test_round_trip_keeps_floats_exactly(configs, tmp_path):
    loaded = round_trip(configs, tmp_path)
    assert loaded["TabularPreprocessing"].train_ratio == 0.1 + 0.2
    assert loaded["Payload"].default_numeric_value == -1.25
    assert loaded["XGBoostTraining"].hyperparameters.eta == 0.05


def test_round_trip_keeps_none_values(configs, tmp_path):
    loaded = round_trip(configs, tmp_path)
    assert loaded["XGBoostModel"].model_data is None
    assert loaded["XGBoostTraining"].training_source_dir is None
    assert loaded["Payload"].sample_payload_s3_key is None


def test_round_trip_keeps_a_value_set_to_none_where_the_default_is_not(base, tmp_path):
    config = RegistrationConfig(**base, domain=None, task=None, inference_entry_point=None)
    assert round_trip({"Register": config}, tmp_path)["Register"] == config


def test_two_nodes_of_one_step_type_keep_their_own_values(configs, tmp_path):
    loaded = round_trip(configs, tmp_path)
    training, calibration = loaded["DataLoadingTraining"], loaded["DataLoadingCalibration"]
    assert training.data_sources == ["s3://my-ml-bucket/data/train/"]
    assert training.job_type == "training"
    assert calibration.data_sources == [
        "s3://my-ml-bucket/data/calibration/",
        "s3://my-ml-bucket/extra/",
    ]
    assert calibration.job_type == "calibration"


def test_round_trip_keeps_the_input_variable_order(configs, tmp_path):
    payload = round_trip(configs, tmp_path)["Payload"]
    assert list(payload.source_model_inference_input_variable_list) == ["country", "age", "created"]


def test_two_payload_nodes_keep_their_own_input_variable_order(configs, tmp_path):
    first = configs["Payload"]
    second = first.model_copy(
        update={
            "source_model_inference_input_variable_list": {
                "created": VariableType.TEXT,
                "age": VariableType.NUMERIC,
                "country": VariableType.TEXT,
            }
        }
    )
    loaded = round_trip({"PayloadA": first, "PayloadB": second}, tmp_path)
    assert list(loaded["PayloadA"].source_model_inference_input_variable_list) == [
        "country",
        "age",
        "created",
    ]
    assert list(loaded["PayloadB"].source_model_inference_input_variable_list) == [
        "created",
        "age",
        "country",
    ]


def test_round_trip_after_changing_a_shared_value_on_one_node(configs, tmp_path):
    configs["Packaging"].processing_instance_count = 4
    configs["XGBoostModel"].pipeline_version = "2.0.0"
    loaded = round_trip(configs, tmp_path)
    assert loaded == configs
    assert loaded["Packaging"].processing_instance_count == 4
    assert loaded["DataLoadingTraining"].processing_instance_count == 1
    assert loaded["XGBoostModel"].pipeline_version == "2.0.0"
    assert loaded["XGBoostTraining"].pipeline_version == "1.0.0"


def test_saving_twice_gives_the_same_configuration(configs, tmp_path):
    first = merge_and_save_configs(configs, tmp_path / "a.json")
    second = merge_and_save_configs(load_configs(tmp_path / "a.json"), tmp_path / "b.json")
    assert second["configuration"] == first["configuration"]
    assert second["metadata"]["config_types"] == first["metadata"]["config_types"]


@pytest.mark.parametrize("name", STARTER_NAMES)
def test_starter_configs_round_trip(name, tmp_path):
    _, configs, _ = load_starter(name)
    assert configs
    loaded = round_trip(configs, tmp_path)
    assert loaded == configs
    assert list(loaded) == list(configs)
    assert round_trip(loaded, tmp_path, "again.json") == configs


def test_the_starters_are_shipped():
    assert STARTER_NAMES == [
        "features_function_and_lambda",
        "pytorch_model_registration",
        "xgboost_end_to_end",
        "xgboost_quality_gate",
        "xgboost_tuned_endpoint",
    ]


def test_starter_with_two_data_loading_nodes_keeps_them_apart():
    _, configs, _ = load_starter("xgboost_end_to_end")
    assert configs["DataLoadingTraining"].job_type == "training"
    assert configs["DataLoadingCalibration"].job_type == "calibration"
    assert configs["DataLoadingTraining"].data_sources != (
        configs["DataLoadingCalibration"].data_sources
    )


# -- bad files ---------------------------------------------------------------------------------
@pytest.fixture
def document(configs) -> dict:
    return json.loads(json.dumps(merge_configs(configs)))


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{\n  "metadata": {\n    "config_types": {,\n', encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        load_configs(path)
    message = str(caught.value)
    assert "not valid JSON" in message
    assert "line 3, column 22" in message
    assert str(path) in message


def test_a_list_is_not_a_config_file(tmp_path):
    with pytest.raises(ConfigFileError, match="this file holds a list"):
        load_configs(save_document(tmp_path, [{"metadata": {}}]))


@pytest.mark.parametrize(
    "foreign",
    [{"name": "my-pipeline", "steps": []}, {"metadata": {}}, {"configuration": {}}, {}],
)
def test_foreign_json_is_not_a_config_file(tmp_path, foreign):
    with pytest.raises(ConfigFileError, match="lacks 'metadata' or 'configuration'"):
        load_configs(save_document(tmp_path, foreign))


def test_an_unknown_config_class_names_the_node(document, tmp_path):
    document["metadata"]["config_types"]["XGBoostModel"] = "LightGBMModelConfig"
    with pytest.raises(UnknownStepTypeError) as caught:
        load_configs(save_document(tmp_path, document))
    assert caught.value.node == "XGBoostModel"
    assert "LightGBMModelConfig" in caught.value.message
    assert "XGBoostModelConfig" in caught.value.message  # lists the known ones


def test_an_unknown_config_class_for_a_custom_registry(document):
    with pytest.raises(UnknownStepTypeError):
        configs_from_document(document, StepRegistry())


def test_a_missing_required_value_names_node_and_field(document):
    del document["configuration"]["specific"]["DataLoadingCalibration"]["data_sources"]
    assert raises_problems(document) == [
        Problem("is required", "DataLoadingCalibration", "data_sources", "missing")
    ]


def test_a_missing_pipeline_setting_is_reported_for_every_node(document, configs):
    del document["configuration"]["shared"]["role"]
    found = raises_problems(document)
    assert found == [Problem("is required", node, "role", "missing") for node in configs]


def test_a_wrong_type_names_node_and_field(document):
    document["configuration"]["specific"]["TabularPreprocessing"]["random_seed"] = "forty-two"
    assert raises_problems(document) == [
        Problem("must be a whole number", "TabularPreprocessing", "random_seed")
    ]


def test_a_wrong_nested_value_names_the_nested_field(document):
    document["configuration"]["specific"]["XGBoostTraining"]["hyperparameters"]["eta"] = 0
    found = raises_problems(document)
    assert [(p.node, p.field) for p in found] == [("XGBoostTraining", "hyperparameters.eta")]
    assert found[0].message.startswith("must be greater than 0")


def test_an_unknown_field_names_node_and_field(document):
    document["configuration"]["specific"]["Packaging"]["procesing_volume_size"] = 50
    assert raises_problems(document) == [
        Problem(
            "is not a setting of this step (check the spelling)",
            "Packaging",
            "procesing_volume_size",
        )
    ]


def test_an_unknown_nested_field_names_the_nested_field(document):
    document["configuration"]["specific"]["XGBoostTraining"]["hyperparameters"]["etaa"] = 0.1
    [problem] = raises_problems(document)
    assert (problem.node, problem.field) == ("XGBoostTraining", "hyperparameters.etaa")
    assert str(problem).startswith("XGBoostTraining.hyperparameters.etaa: is not a setting")


def test_a_broken_cross_field_rule_names_the_field_to_change(document):
    hyperparameters = document["configuration"]["specific"]["XGBoostTraining"]["hyperparameters"]
    hyperparameters["label_name"] = "age"
    [problem] = raises_problems(document)
    assert (problem.node, problem.field) == ("XGBoostTraining", "hyperparameters.label_name")
    assert problem.message == "'age' cannot also be a feature"


def test_a_derived_value_in_the_file_is_refused(document):
    document["configuration"]["specific"]["XGBoostModel"]["pipeline_name"] = "custom"
    found = raises_problems(document)
    assert [(p.node, p.field) for p in found] == [("XGBoostModel", "pipeline_name")]


def test_a_shared_field_no_class_has_is_refused(document):
    document["configuration"]["shared"]["instance_typ"] = "ml.m5.large"
    with pytest.raises(ConfigFileError) as caught:
        configs_from_document(document)
    assert caught.value.field == "instance_typ"
    assert "instance_typ" in caught.value.message


def test_values_for_a_node_missing_from_config_types_are_refused(document):
    document["configuration"]["specific"]["Ghost"] = {"job_type": "training"}
    with pytest.raises(ConfigFileError) as caught:
        configs_from_document(document)
    assert caught.value.node == "Ghost"
    assert "metadata.config_types" in caught.value.message


@pytest.mark.parametrize("version", ["2.0", "2", "10.1"])
def test_a_newer_format_version_is_refused(document, version):
    document["metadata"]["format_version"] = version
    with pytest.raises(ConfigFileError, match=rf"format version {version}\b"):
        configs_from_document(document)


def test_a_minor_format_version_of_the_same_major_is_read(document, configs):
    # A minor version only adds optional things; a new major version is refused above.
    document["metadata"]["format_version"] = "1.1"
    assert configs_from_document(document) == configs


def test_the_current_format_version_is_read(document, configs):
    document["metadata"]["format_version"] = FORMAT_VERSION
    assert configs_from_document(document) == configs


def test_a_file_without_format_version_is_read_as_the_current_one(document, configs):
    del document["metadata"]["format_version"]
    assert configs_from_document(document) == configs


@pytest.mark.parametrize("config_types", [None, ["DataLoadingConfig"], {"Load": 3}])
def test_config_types_must_map_nodes_to_class_names(document, config_types):
    document["metadata"]["config_types"] = config_types
    with pytest.raises(ConfigFileError, match="config_types must map each node"):
        configs_from_document(document)


@pytest.mark.parametrize("section", ["shared", "specific"])
def test_shared_and_specific_must_be_objects(document, section):
    document["configuration"][section] = []
    with pytest.raises(ConfigFileError, match="must be JSON objects"):
        configs_from_document(document)


def test_a_nodes_values_must_be_an_object(document):
    document["configuration"]["specific"]["Packaging"] = ["inference"]
    with pytest.raises(ConfigFileError) as caught:
        configs_from_document(document)
    assert caught.value.node == "Packaging"


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigFileError, match="does not exist"):
        load_configs(tmp_path / "nowhere.json")


def test_a_folder_is_not_a_config_file(tmp_path):
    with pytest.raises(ConfigFileError, match="is a folder"):
        load_configs(tmp_path)


def test_a_binary_file_is_not_a_config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_bytes(b'{"metadata": "\xe9\xff"}')
    with pytest.raises(ConfigFileError, match="not UTF-8"):
        load_configs(path)


def test_file_errors_are_pipeline_design_errors():
    assert issubclass(ConfigFileError, PipelineDesignError)
    assert issubclass(ConfigValidationError, PipelineDesignError)
    assert issubclass(UnknownStepTypeError, PipelineDesignError)


# -- validate_document and node_values --------------------------------------------------------
def test_validate_document_reports_every_problem_of_every_node(document, configs):
    specific = document["configuration"]["specific"]
    specific["DataLoadingTraining"]["processing_volume_size"] = 0
    del specific["DataLoadingTraining"]["data_sources"]
    specific["Payload"]["expected_tps"] = 1.5
    specific["Payload"]["max_latency_in_millisecond"] = 20000
    valid, found = validate_document(document)
    assert sorted((p.node, p.field) for p in found) == [
        ("DataLoadingTraining", "data_sources"),
        ("DataLoadingTraining", "processing_volume_size"),
        ("Payload", "expected_tps"),
        ("Payload", "max_latency_in_millisecond"),
    ]
    assert set(valid) == set(configs) - {"DataLoadingTraining", "Payload"}
    assert valid["Packaging"] == configs["Packaging"]


def test_configs_from_document_raises_with_every_problem(document):
    specific = document["configuration"]["specific"]
    specific["BatchTransform"]["max_payload_mb"] = 500
    specific["ModelRegistration"]["approval_status"] = "Maybe"
    found = raises_problems(document)
    assert {(p.node, p.field) for p in found} == {
        ("BatchTransform", "max_payload_mb"),
        ("ModelRegistration", "approval_status"),
    }
    assert "must be at most 100" in {p.message for p in found}


def test_load_configs_raises_with_every_problem(document, tmp_path):
    specific = document["configuration"]["specific"]
    specific["BatchTransform"]["max_payload_mb"] = 500
    specific["TabularPreprocessing"]["train_ratio"] = 1.5
    with pytest.raises(ConfigValidationError) as caught:
        load_configs(save_document(tmp_path, document))
    assert len(caught.value.problems) == 2
    assert "BatchTransform.max_payload_mb: must be at most 100" in str(caught.value)


def test_validate_document_of_a_valid_file(document, configs):
    assert validate_document(document) == (configs, [])


def test_node_values_gives_each_node_its_class_and_values(document):
    classes, raw = node_values(document)
    assert classes["DataLoadingCalibration"] is DataLoadingConfig
    assert classes["Payload"] is PayloadConfig
    assert raw["DataLoadingCalibration"]["author"] == "ml-team"
    assert raw["DataLoadingCalibration"]["job_type"] == "calibration"
    assert raw["DataLoadingCalibration"]["data_format"] == "csv"


def test_node_values_gives_shared_values_only_to_classes_that_have_them(document):
    _, raw = node_values(document)
    assert "data_format" not in raw["TabularPreprocessing"]
    assert "processing_instance_count" not in raw["XGBoostModel"]
    assert raw["XGBoostModel"]["author"] == "ml-team"


def test_a_nodes_own_value_overrides_the_shared_one(document):
    document["configuration"]["specific"]["Packaging"]["processing_instance_count"] = 3
    _, raw = node_values(document)
    assert raw["Packaging"]["processing_instance_count"] == 3
    assert raw["TabularPreprocessing"]["processing_instance_count"] == 1
    assert configs_from_document(document)["Packaging"].processing_instance_count == 3


def test_a_node_without_own_values_gets_the_shared_ones(base):
    document = {
        "metadata": {"config_types": {"Model": "XGBoostModelConfig"}},
        "configuration": {"shared": dict(base)},
    }
    assert configs_from_document(document) == {"Model": XGBoostModelConfig(**base)}


def test_a_hand_written_document_with_strings_for_enums_and_ints_for_floats(base):
    document = {
        "metadata": {"config_types": {"P": "PayloadConfig"}, "format_version": "1.0"},
        "configuration": {
            "shared": base,
            "specific": {
                "P": {
                    "model_registration_objective": "Fraud",
                    "source_model_inference_output_variable_list": {"score": "NUMERIC"},
                    "source_model_inference_input_variable_list": {"a": "TEXT"},
                    "max_acceptable_error_rate": 0,
                }
            },
        },
    }
    payload = configs_from_document(document)["P"]
    assert payload.source_model_inference_input_variable_list == {"a": VariableType.TEXT}
    assert payload.max_acceptable_error_rate == 0.0


# -- fileio ------------------------------------------------------------------------------------
def test_write_json_atomic_writes_readable_json(tmp_path):
    path = write_json_atomic(tmp_path / "a" / "b" / "data.json", {"name": "café", "n": [1, 2]})
    assert path == tmp_path / "a" / "b" / "data.json"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "café" in text
    assert '\n  "name"' in text  # indented
    assert read_json(path, "data file") == {"name": "café", "n": [1, 2]}


def test_write_json_atomic_accepts_a_string_path(tmp_path):
    write_json_atomic(str(tmp_path / "data.json"), [1])
    assert json.loads((tmp_path / "data.json").read_text()) == [1]


def test_write_json_atomic_replaces_the_file_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "data.json"
    for value in range(3):
        write_json_atomic(path, {"value": value})
    assert json.loads(path.read_text()) == {"value": 2}
    assert sorted(os.listdir(tmp_path)) == ["data.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "data.json"
    write_json_atomic(path, {"good": True})
    before = path.read_bytes()
    with pytest.raises(TypeError):
        write_json_atomic(path, {"bad": object()})
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["data.json"]


def test_a_failure_while_replacing_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "data.json"
    write_json_atomic(path, {"good": True})
    before = path.read_bytes()

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", disk_full)
    with pytest.raises(OSError):
        write_json_atomic(path, {"new": "value"})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["data.json"]


def test_a_failed_save_of_configs_keeps_the_old_file(configs, tmp_path, monkeypatch):
    path = tmp_path / "config.json"
    merge_and_save_configs(configs, path)
    before = path.read_bytes()

    def io_error(_fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fileio.os, "fsync", io_error)
    with pytest.raises(OSError):
        merge_and_save_configs({"Only": configs["Packaging"]}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load_configs(path) == configs
    assert sorted(os.listdir(tmp_path)) == ["config.json"]


def test_saving_over_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    write_json_atomic(path, {"new": True})
    assert path.stat().st_mode & 0o777 == 0o644


def test_write_text_atomic_writes_text(tmp_path):
    path = write_text_atomic(tmp_path / "notes.txt", "one\ntwo\n")
    assert path.read_text(encoding="utf-8") == "one\ntwo\n"


def test_parse_json_reads_text_and_bytes():
    assert parse_json('{"a": 1}', "file") == {"a": 1}
    assert parse_json(b'{"a": [1.5, null]}', "file") == {"a": [1.5, None]}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{\n  "a": 1,\n  "b": \n}', "line 4, column 1"),
        ('{"a": 1} trailing', "line 1, column 10"),
        ("", "line 1, column 1"),
    ],
)
def test_parse_json_names_line_and_column(text, where):
    with pytest.raises(ConfigFileError) as caught:
        parse_json(text, "DAG file x.json")
    assert str(caught.value).startswith("The DAG file x.json is not valid JSON: ")
    assert str(caught.value).endswith(f"at {where}.")


def test_read_json_of_a_missing_file_names_it(tmp_path):
    path = tmp_path / "missing.json"
    with pytest.raises(ConfigFileError) as caught:
        read_json(path, "config file")
    assert str(caught.value) == f"The config file {path} does not exist."


def test_an_unterminated_string_is_said_once():
    with pytest.raises(ConfigFileError) as caught:
        parse_json('{\n\n\n  "a": "open', "config file c.json")
    assert "at at" not in str(caught.value)
    assert "Unterminated string starting at line 4, column 8." in str(caught.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested more than 64 levels"),
        ('{"a": ' * 100 + "1" + "}" * 100, "nested more than 64 levels"),
        ('{"n": ' + "9" * 5000 + "}", "number too long"),
        ('{"a": 1, "a": 2}', "gives the key 'a' twice"),
        ('{"a": NaN}', "holds NaN"),
        ('{"a": -Infinity}', "holds -Infinity"),
    ],
)
def test_parse_json_refuses_what_no_config_holds_with_a_message(text, says):
    with pytest.raises(ConfigFileError) as caught:
        parse_json(text, "config file c.json")
    assert says in str(caught.value)
    assert str(caught.value).startswith("The config file c.json ")


def test_parse_json_accepts_a_byte_order_mark():
    assert parse_json("\ufeff{}".encode(), "file") == {}


def test_read_json_refuses_devices_without_reading_them():
    with pytest.raises(ConfigFileError) as caught:
        read_json("/dev/zero", "config file")
    assert "not a regular file" in str(caught.value)


def test_read_json_refuses_a_file_over_the_limit_before_parsing(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(fileio.MAX_JSON_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ConfigFileError) as caught:
        read_json(path, "config file")
    assert "larger than 20 MB" in str(caught.value)


def test_read_json_names_a_broken_link(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "gone.json")
    with pytest.raises(ConfigFileError) as caught:
        read_json(link, "design file")
    assert "a link to a file that does not exist" in str(caught.value)


@pytest.mark.parametrize("target", ["folder", "device"])
def test_atomic_writes_never_replace_a_folder_or_a_device(tmp_path, target):
    path = tmp_path / "out" if target == "folder" else Path("/dev/null")
    if target == "folder":
        path.mkdir()
    with pytest.raises(OSError):
        write_json_atomic(path, {"a": 1})
    assert path.is_dir() if target == "folder" else path.is_char_device()


def test_leftovers_of_interrupted_writes_are_cleaned_but_fresh_ones_kept(tmp_path):
    old = tmp_path / ".design.json.abc123.tmp"
    fresh = tmp_path / ".design.json.def456.tmp"
    mine = tmp_path / "notes.tmp"  # not one of ours: no leading dot
    for path in (old, fresh, mine):
        path.write_text("partial")
    os.utime(old, (1, 1))
    assert fileio.clean_leftovers(tmp_path) == 1
    assert not old.exists() and fresh.exists() and mine.exists()
