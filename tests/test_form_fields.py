"""The pure analysis behind the generated forms: annotations to field specs, text to values."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import pytest
from pydantic import BaseModel, Field
from support import BASE

from builders.configs.fields import (
    bounds_text,
    derived_fields,
    derived_values,
    fits,
    form_fields,
    parse_lines,
    parse_text,
    readable,
    text_of,
    to_raw,
)
from builders.configs.hyperparameters import (
    PyTorchModelHyperparameters,
    XGBoostModelHyperparameters,
)
from builders.configs.types import VariableType
from builders.registry import REGISTRY
from builders.step_types.model_registration.config import RegistrationConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig


def spec(config_class: type[BaseModel], name: str):
    return next(s for s in form_fields(config_class) if s.name == name)


def test_labels_read_as_words():
    assert readable("processing_instance_count") == "Processing instance count"
    assert readable("pipeline_s3_loc") == "Pipeline S3 loc"
    assert readable("id_name") == "ID name"
    assert spec(PayloadConfig, "expected_tps").label == "Expected TPS"


@pytest.mark.parametrize("step_type", REGISTRY.names())
def test_every_registered_field_gets_a_real_widget_kind(step_type):
    config_class = REGISTRY.get(step_type).config_class
    specs = form_fields(config_class)
    assert [s.name for s in specs] == list(config_class.model_fields)
    for s in specs:
        assert s.kind != "json", s.name  # no field of the shipped configs falls back to text
        assert s.required == config_class.model_fields[s.name].is_required()
        assert s.description == config_class.model_fields[s.name].description
    assert form_fields(config_class) is specs  # analysed once per class


def test_numbers_get_their_bounds_and_a_fitting_step():
    tps = spec(PayloadConfig, "expected_tps")
    assert (tps.kind, tps.ge, tps.step, tps.default, tps.required) == ("int", 1, 1, 2, False)
    assert bounds_text(tps) == " of at least 1"
    eta = spec(XGBoostModelHyperparameters, "eta")
    assert (eta.kind, eta.gt, eta.le, eta.step) == ("float", 0, 1, 0.01)
    assert bounds_text(eta) == " between 0 and 1"
    assert spec(PyTorchModelHyperparameters, "lr").step == 0.001
    stopping = spec(XGBoostModelHyperparameters, "early_stopping_rounds")
    assert (stopping.kind, stopping.optional, stopping.ge) == ("int", True, 1)

    class Exclusive(BaseModel):
        n: Annotated[int, Field(gt=0, lt=10)] = 5

    assert bounds_text(spec(Exclusive, "n")) == " between 0 and 10"

    class Open(BaseModel):
        x: Annotated[float, Field(gt=0)] = 1.0

    assert bounds_text(spec(Open, "x")) == " of more than 0"


def test_choices_lists_dicts_and_nested_configs():
    py = spec(TabularPreprocessingConfig, "py_version")
    assert py.kind == "choice" and py.options[:2] == ("py3", "py38")
    assert spec(RegistrationConfig, "domain").optional
    one = spec(PayloadConfig, "source_model_inference_content_types")
    assert (one.kind, one.options, one.max_items) == (
        "multichoice",
        ("text/csv", "application/json"),
        1,
    )
    inputs = spec(PayloadConfig, "source_model_inference_input_variable_list")
    assert (inputs.kind, inputs.options, inputs.required) == ("dict", ("NUMERIC", "TEXT"), True)
    special = spec(PayloadConfig, "special_field_values")
    assert (special.kind, special.item_kinds, special.optional) == ("dict", ("text",), True)
    categories = spec(XGBoostModelHyperparameters, "multiclass_categories")
    assert (categories.kind, categories.item_kinds, categories.default) == (
        "list",
        ("int", "text"),
        [0, 1],
    )
    weights = spec(XGBoostModelHyperparameters, "class_weights")
    assert (weights.kind, weights.item_kinds, weights.optional) == ("list", ("float",), True)
    assert spec(PyTorchModelHyperparameters, "hidden_dims").item_kinds == ("int",)
    assert spec(XGBoostModelHyperparameters, "eval_metric").kind == "multichoice"
    hp = spec(XGBoostTrainingConfig, "hyperparameters")
    assert (hp.kind, hp.model, hp.required) == ("model", XGBoostModelHyperparameters, True)
    source = spec(TabularPreprocessingConfig, "processing_source_dir")
    assert (source.kind, source.optional, source.default) == ("text", True, None)


def test_other_annotations():
    class Color(Enum):
        RED = "red"
        BLUE = "blue"

    class Odd(BaseModel):
        flag: bool | None = None
        color: Color = Color.RED
        colors: list[Color] = [Color.BLUE]
        nested: dict[str, list[int]] = {}

    assert spec(Odd, "flag").kind == "choice" and spec(Odd, "flag").options == (True, False)
    assert spec(Odd, "color").options == ("red", "blue") and spec(Odd, "color").default == "red"
    assert spec(Odd, "colors").kind == "multichoice" and spec(Odd, "colors").default == ["blue"]
    assert spec(Odd, "nested").kind == "json"


def test_fits_tells_when_a_value_needs_the_text_fallback():
    tps = spec(PayloadConfig, "expected_tps")
    assert fits(tps, 0) and fits(tps, 5.0) and fits(tps, None)
    assert not fits(tps, "abc") and not fits(tps, 2.5) and not fits(tps, True)
    py = spec(TabularPreprocessingConfig, "py_version")
    assert fits(py, "py3") and not fits(py, "py27")
    inputs = spec(PayloadConfig, "source_model_inference_input_variable_list")
    assert fits(inputs, {"a": VariableType.TEXT}) and not fits(inputs, ["a"])
    one = spec(PayloadConfig, "source_model_inference_content_types")
    assert fits(one, ["text/csv"]) and not fits(one, ["text/csv", "application/json"])
    args = spec(TabularPreprocessingConfig, "processing_script_arguments")
    assert fits(args, ["--a", 1]) and not fits(args, ["two\nlines"]) and not fits(args, [" x"])


def test_typed_text_becomes_typed_values_and_nothing_is_lost():
    tps = spec(PayloadConfig, "expected_tps")
    assert parse_text(tps, "12") == 12 and parse_text(tps, "abc") == "abc"
    assert parse_text(tps, "inf") == "inf"  # JSON has no infinity: kept as typed
    rate = spec(PayloadConfig, "max_acceptable_error_rate")
    assert parse_text(rate, "1e-5") == 1e-05
    categories = spec(XGBoostModelHyperparameters, "multiclass_categories")
    assert parse_lines(categories, "0\n 1 \n\nrare\n") == [0, 1, "rare"]
    weights = spec(XGBoostModelHyperparameters, "class_weights")
    assert parse_lines(weights, "1\n2.5") == [1.0, 2.5] and parse_lines(weights, "") is None
    assert parse_lines(spec(PyTorchModelHyperparameters, "hidden_dims"), "64\n1.5") == [64, "1.5"]
    inputs = spec(PayloadConfig, "source_model_inference_input_variable_list")
    assert parse_text(inputs, '{"a": "TEXT"}') == {"a": "TEXT"}
    assert parse_text(inputs, "a=TEXT") == "a=TEXT"
    assert text_of({"a": VariableType.TEXT}) == '{"a": "TEXT"}' and text_of(None) == ""
    assert to_raw(VariableType.NUMERIC) == "NUMERIC"


def test_derived_values_from_valid_partial_and_empty_values():
    assert [d.name for d in derived_fields(TabularPreprocessingConfig)] == [
        "pipeline_name",
        "pipeline_description",
        "pipeline_s3_loc",
        "effective_instance_type",
    ]
    valid = derived_values(TabularPreprocessingConfig, {**BASE, "label_name": "y"})
    assert valid["pipeline_name"] == "ml-team-fraud-us-east-1"
    invalid = derived_values(TabularPreprocessingConfig, {**BASE, "train_ratio": 9})
    assert invalid["pipeline_name"] == "ml-team-fraud-us-east-1"  # computed from what is there
    empty = derived_values(PayloadConfig, {})
    assert empty["pipeline_name"] == "— fill in Author, Service name"
    assert empty["effective_instance_type"] == "ml.m5.xlarge"
    assert derived_values(XGBoostModelHyperparameters, {}) == {}
