"""The form generated from a Config class, driven with Streamlit's AppTest as a person would.

The script under test stores config_form's result in st.session_state["result"] and reads it
back as its values on the next run, as the designer keeps a node's values; when an edit
changed them it reruns, so problems and widget kinds reflect the edit.
"""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any, Literal

import pytest
from app_support import as_recreated_by_the_browser, live, open_sections
from pydantic import BaseModel, Field, computed_field
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Error
from support import BASE, STARTERS

from builders.configs.fields import form_fields
from builders.designs.config_io import node_values
from builders.errors import Problem
from builders.graph.validation import validate_config
from builders.registry import REGISTRY
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.pytorch_model.config import PyTorchModelConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_model.config import XGBoostModelConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig
from components.text import md

KEY = "node:0"
XSS = "<img src=x onerror=alert(1)>"
WIDGETS = ("toggle", "number_input", "text_input", "selectbox", "multiselect", "text_area")
# Widget a field of each kind is drawn with (a nested model draws its own fields).
EXPECTED_WIDGET = {
    "bool": "toggle",
    "int": "number_input",
    "float": "number_input",
    "text": "text_input",
    "choice": "selectbox",
    "multichoice": "multiselect",
    "list": "text_area",
    "dict": "data_editor",
    "json": "text_input",
}


def _form_script(config_class, values, options):
    import streamlit as st

    from builders.graph.validation import validate_config
    from components.config_form import config_form

    options = dict(options)
    if st.session_state.get("hidden"):
        return  # another node is selected: the form is not drawn
    current = st.session_state.get("result", values)
    if "settings" in options:
        options["settings"] = settings = st.session_state.get("settings", options["settings"])
    if options.pop("validate", False):
        options["problems"] = validate_config(config_class, current)[1]
    form = config_form(config_class, current, key="node:0", **options)
    st.session_state["result"] = form.values
    if "settings" in options:
        st.session_state["settings"] = form.settings
    if form.values != current or ("settings" in options and form.settings != settings):
        st.rerun()  # as the designer does: problems and widgets follow the edit


def form(
    config_class: type[BaseModel], values: dict, opened: bool = True, **options: Any
) -> AppTest:
    """Run the form, its sections switched open unless `opened` is False (every field drawn);
    `options` go to config_form (validate=True: problems of the values)."""
    at = AppTest.from_function(
        _form_script, args=(config_class, values, options), default_timeout=20
    )
    at.run()
    if opened:
        open_sections(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def result(at: AppTest) -> dict:
    return at.session_state["result"]


def widgets(at: AppTest) -> dict[str, tuple[str, Any]]:
    """Every keyed widget: key -> (kind, widget); a key drawn twice fails the test."""
    found: dict[str, tuple[str, Any]] = {}
    for kind in (*WIDGETS, "data_editor"):
        for widget in getattr(at, kind):
            assert widget.key not in found, f"{widget.key} drawn twice"
            found[widget.key] = (kind, widget)
    return found


def field_box(at: AppTest, key: str) -> list:
    """The elements of the container that holds the widget `key`, in order."""
    blocks = [at.main]
    while blocks:
        block = blocks.pop()
        children = list(block.children.values())
        if any(getattr(child, "key", None) == key for child in children):
            return children
        blocks.extend(child for child in children if isinstance(child, Block))
    raise AssertionError(f"no widget {key}")


def keys_in(block: Block) -> set[str]:
    keys = set()
    for child in block.children.values():
        keys |= keys_in(child) if isinstance(child, Block) else {getattr(child, "key", None)}
    return keys


def box_holding(at: AppTest, key: str) -> Block:
    """The bordered box (a nested config's sub-form) the widget `key` is in."""
    boxes = [b for b in _blocks(at.main) if _bordered(b) and key in keys_in(b)]
    return boxes[-1]


def _bordered(block: Block) -> bool:
    proto = block.proto
    # An expander's proto is an Expandable message, without flex_container.
    return bool(getattr(getattr(proto, "flex_container", None), "border", False))


def _blocks(block: Block):
    yield block
    for child in block.children.values():
        if isinstance(child, Block):
            yield from _blocks(child)


def errors_under(at: AppTest, key: str) -> list[str]:
    """Messages shown right after the widget `key` in its container."""
    children = field_box(at, key)
    position = next(i for i, child in enumerate(children) if getattr(child, "key", None) == key)
    return [error.value for child in children[position + 1 :] for error in _errors_in(child)]


def _errors_in(element) -> list[Error]:
    if isinstance(element, Error):
        return [element]
    if isinstance(element, Block):
        return [e for child in element.children.values() for e in _errors_in(child)]
    return []


def plain(markdown: str) -> str:
    """Markdown escapes removed: what the person reads."""
    return markdown.replace("\\", "")


def starter_nodes() -> list[tuple[str, type[BaseModel], dict]]:
    nodes = []
    for path in sorted(STARTERS.glob("*/config.json")):
        classes, values = node_values(json.loads(path.read_text()))
        nodes += [(f"{path.parent.name}/{node}", classes[node], values[node]) for node in classes]
    return nodes


def hyperparameters() -> dict:
    return {
        "full_field_list": ["id", "label", "age", "amount"],
        "tab_field_list": ["age", "amount"],
        "label_name": "label",
        "id_name": "id",
    }


# --- every registered step type -----------------------------------------------------------


def check_widgets(at: AppTest, config_class: type[BaseModel], prefix: str = "") -> None:
    """One widget per field that applies to the step, of the field's kind; required ones
    starred; help = description; the label as written (it is also the accessible name)."""
    drawn = widgets(at)
    applies = getattr(config_class, "applies", lambda name: True)
    for spec in form_fields(config_class):
        path = prefix + spec.name
        if not applies(spec.name):
            assert f"{KEY}:{path}" not in drawn, path  # caching, for a step never cached
            continue
        if spec.kind == "model":
            check_widgets(at, spec.model, f"{path}.")
            continue
        kind, widget = drawn[f"{KEY}:{path}"]
        assert kind == EXPECTED_WIDGET[spec.kind], path
        if kind == "data_editor":
            continue  # labelled by a markdown line above it
        info = config_class.model_fields[spec.name]
        assert widget.label.endswith(" *") == info.is_required(), path
        assert "\\" not in widget.label, path
        assert widget.help == md(info.description) or widget.help.startswith(
            md(info.description)
        ), path
        if spec.kind == "int":
            assert widget.proto.data_type == widget.proto.INT and widget.step == 1, path
        if spec.kind == "choice":
            expected = [str(o).lower() if isinstance(o, bool) else o for o in spec.options]
            assert widget.options == (["—"] if spec.optional else []) + expected, path


@pytest.mark.parametrize("step_type", REGISTRY.names())
def test_every_step_type_draws_every_field_and_round_trips_empty_values(step_type):
    config_class = REGISTRY.get(step_type).config_class
    at = form(config_class, {})
    check_widgets(at, config_class)
    assert result(at) == {}  # untouched fields stay absent: their defaults keep applying


@pytest.mark.parametrize("name, config_class, values", starter_nodes(), ids=lambda v: str(v)[:40])
def test_starter_values_show_in_their_widgets_and_round_trip(name, config_class, values):
    before = copy.deepcopy(values)
    at = form(config_class, values)
    check_widgets(at, config_class)
    at.run()
    assert result(at) == before and values == before
    assert not at.error  # the starters are valid


def test_widgets_show_the_values():
    values = {
        **BASE,
        "label_name": "y",
        "train_ratio": 0.001,
        "use_large_processing_instance": True,
    }
    at = form(TabularPreprocessingConfig, values)
    assert live(at.text_input, f"{KEY}:label_name").value == "y"
    assert live(at.number_input, f"{KEY}:train_ratio").value == 0.001
    assert live(at.number_input, f"{KEY}:train_ratio").proto.format == "%g"  # shows 0.001, 1e-05
    assert live(at.toggle, f"{KEY}:use_large_processing_instance").value is True
    assert live(at.selectbox, f"{KEY}:region").value == "us-east-1"  # a default, shown
    assert live(at.text_area, f"{KEY}:processing_script_arguments").value == ""
    assert plain(live(at.text_input, f"{KEY}:label_name").label) == "Label name *"
    assert plain(live(at.number_input, f"{KEY}:processing_instance_count").label) == (
        "Processing instance count"
    )


# --- editing ------------------------------------------------------------------------------


def test_edits_come_back_typed():
    at = form(TabularPreprocessingConfig, {**BASE, "label_name": "y"})
    live(at.number_input, f"{KEY}:processing_instance_count").set_value(3).run()
    live(at.number_input, f"{KEY}:train_ratio").set_value(0.8).run()
    live(at.number_input, f"{KEY}:random_seed").set_value(7).run()
    live(at.selectbox, f"{KEY}:job_type").set_value("validation").run()
    live(at.toggle, f"{KEY}:use_large_processing_instance").set_value(True).run()
    live(at.text_input, f"{KEY}:label_name").set_value("target").run()
    live(at.text_area, f"{KEY}:processing_script_arguments").set_value("--fast\n\n--n 3\n").run()
    got = result(at)
    assert got == {
        **BASE,
        "label_name": "target",
        "processing_instance_count": 3,
        "train_ratio": 0.8,
        "random_seed": 7,
        "job_type": "validation",
        "use_large_processing_instance": True,
        "processing_script_arguments": ["--fast", "--n 3"],
    }
    assert type(got["processing_instance_count"]) is int and type(got["train_ratio"]) is float
    assert validate_config(TabularPreprocessingConfig, got)[1] == []
    assert live(at.text_input, f"{KEY}:effective_instance_type").value == "ml.m5.4xlarge"


def test_lists_keep_item_types_and_unparsable_items():
    values = {**BASE, "hyperparameters": hyperparameters()}
    at = form(XGBoostTrainingConfig, values)
    hp = f"{KEY}:hyperparameters"
    assert live(at.text_area, f"{hp}.multiclass_categories").value == "0\n1"
    live(at.text_area, f"{hp}.multiclass_categories").set_value("0\n1\nrare").run()
    live(at.text_area, f"{hp}.class_weights").set_value("1\n2.5\nheavy").run()
    live(at.multiselect, f"{hp}.eval_metric").set_value(["auc"]).run()
    live(at.number_input, f"{hp}.num_round").set_value(250).run()
    got = result(at)["hyperparameters"]
    assert got["multiclass_categories"] == [0, 1, "rare"]  # int | str: ints stay ints
    assert got["class_weights"] == [1.0, 2.5, "heavy"]  # typed as floats, the rest as typed
    assert type(got["class_weights"][0]) is float
    assert got["eval_metric"] == ["auc"] and got["num_round"] == 250
    assert {k: got[k] for k in hyperparameters()} == hyperparameters()  # the rest untouched
    live(at.text_area, f"{hp}.class_weights").set_value("").run()
    assert result(at)["hyperparameters"]["class_weights"] is None  # Optional list emptied


def test_a_nested_hyperparameter_is_edited_in_place():
    at = form(XGBoostTrainingConfig, {**BASE})
    hp = f"{KEY}:hyperparameters"
    live(at.text_input, f"{hp}.label_name").set_value("label").run()
    assert result(at)["hyperparameters"] == {"label_name": "label"}  # only what was entered
    live(at.text_area, f"{hp}.full_field_list").set_value("id\nlabel\nx").run()
    assert result(at)["hyperparameters"] == {
        "label_name": "label",
        "full_field_list": ["id", "label", "x"],
    }
    config, problems = validate_config(XGBoostTrainingConfig, result(at))
    assert problems == [] and config.hyperparameters.full_field_list == ["id", "label", "x"]


def payload_values() -> dict:
    return {
        **BASE,
        "model_registration_objective": "Fraud",
        "source_model_inference_output_variable_list": {"score": "NUMERIC"},
        "source_model_inference_input_variable_list": {"b": "TEXT", "a": "NUMERIC"},
    }


def test_a_dict_editor_keeps_order_and_enum_values():
    at = form(PayloadConfig, payload_values())
    name = "source_model_inference_input_variable_list"
    editor = next(e for e in at.data_editor if e.key == f"{KEY}:{name}")
    assert editor.value.to_dict("list") == {"key": ["b", "a"], "value": ["TEXT", "NUMERIC"]}
    at.session_state[f"{KEY}:{name}"] = {
        "edited_rows": {0: {"value": "NUMERIC"}},
        "added_rows": [{"key": "c", "value": "TEXT"}],
        "deleted_rows": [],
    }
    at.run()
    expected = {"b": "NUMERIC", "a": "NUMERIC", "c": "TEXT"}
    assert result(at)[name] == expected and list(result(at)[name]) == ["b", "a", "c"]
    live(at.text_input, f"{KEY}:author").set_value("someone").run()  # edits are not re-applied
    at.run()
    assert result(at)[name] == expected and result(at)["author"] == "someone"
    config, problems = validate_config(PayloadConfig, result(at))
    assert problems == [] and list(config.source_model_inference_input_variable_list) == [
        "b",
        "a",
        "c",
    ]


def test_a_one_item_choice_list_allows_one_selection():
    at = form(PayloadConfig, payload_values())
    widget = live(at.multiselect, f"{KEY}:source_model_inference_content_types")
    assert widget.value == ["text/csv"] and widget.max_selections == 1
    widget.set_value(["application/json"]).run()
    assert result(at)["source_model_inference_content_types"] == ["application/json"]


def test_edits_survive_the_form_being_hidden_and_shown_again():
    at = form(PayloadConfig, payload_values())
    name = "source_model_inference_input_variable_list"
    at.session_state[f"{KEY}:{name}"] = {
        "edited_rows": {},
        "added_rows": [{"key": "c", "value": "TEXT"}],
        "deleted_rows": [0],
    }
    at.run()
    live(at.number_input, f"{KEY}:expected_tps").set_value(9).run()
    edited = dict(result(at))
    assert edited[name] == {"a": "NUMERIC", "c": "TEXT"} and edited["expected_tps"] == 9
    at.session_state["hidden"] = True
    at.run()
    at.session_state["hidden"] = False
    at.run()
    assert result(at) == edited
    assert live(at.number_input, f"{KEY}:expected_tps").value == 9
    editor = next(e for e in at.data_editor if e.key == f"{KEY}:{name}")
    assert editor.value.to_dict("list") == {"key": ["a", "c"], "value": ["NUMERIC", "TEXT"]}


def test_a_text_dict_takes_entries():
    at = form(PayloadConfig, payload_values())
    at.session_state[f"{KEY}:special_field_values"] = {
        "edited_rows": {},
        "added_rows": [{"key": "b", "value": "now {timestamp}"}, {"key": "", "value": "x"}],
        "deleted_rows": [],
    }
    at.run()
    assert result(at)["special_field_values"] == {"b": "now {timestamp}"}
    assert [plain(w.value) for w in at.warning] == ["Row 2 has no name, so it is not saved."]


def test_a_value_changed_outside_the_form_shows_without_a_new_key():
    at = form(TabularPreprocessingConfig, {**BASE, "label_name": "y", "random_seed": 1})
    live(at.number_input, f"{KEY}:random_seed").set_value(5).run()
    at.session_state["result"] = {**BASE, "label_name": "imported", "random_seed": 9}
    at.run()
    assert live(at.number_input, f"{KEY}:random_seed").value == 9
    assert live(at.text_input, f"{KEY}:label_name").value == "imported"
    assert result(at)["random_seed"] == 9


def test_widgets_the_browser_re_creates_report_the_values_the_form_holds():
    """The browser drops the state of widgets on a page switch or when a run is cut short by
    the next one, and re-creates them from what the server last sent. Created without the
    design's value, each then reported an empty one, stored as if the user had cleared it
    (issue 8: a typed Region override wiped model_data, the entry point, an Author override)."""
    values = {
        "model_data": "s3://bucket/model.tar.gz",
        "inference_entry_point": "serve.py",
        "author": "solo",  # an override
        "region": "eu-west-1",  # another, made the way the issue describes
    }
    at = form(PyTorchModelConfig, values, settings=BASE, validate=True)
    live(at.text_input, f"{KEY}:inference_instance_type").set_value("ml.m5.xlarge").run()
    held, settings = result(at), settings_of(at)
    assert held == {**values, "inference_instance_type": "ml.m5.xlarge"}
    as_recreated_by_the_browser(at).run()
    assert result(at) == held and settings_of(at) == settings


# --- problems next to their fields --------------------------------------------------------


@pytest.mark.parametrize(
    "config_class, values, field, words",
    [
        (PayloadConfig, {**payload_values(), "expected_tps": 0}, "expected_tps", "at least 1"),
        (
            TabularPreprocessingConfig,
            {**BASE, "label_name": "y", "train_ratio": 1.5},
            "train_ratio",
            "must be less than 1",
        ),
        (
            XGBoostTrainingConfig,
            {**BASE, "hyperparameters": {**hyperparameters(), "label_name": "nope"}},
            "hyperparameters.label_name",
            "'nope' is not in full_field_list",
        ),
        (
            DataLoadingConfig,
            {**BASE, "data_sources": ["s3://my-bucket/a", "not-a-uri"]},
            "data_sources",
            "Item 2: must be an S3 URI",
        ),
    ],
)
def test_a_problem_shows_under_its_field(config_class, values, field, words):
    at = form(config_class, values, validate=True)
    messages = [plain(message) for message in errors_under(at, f"{KEY}:{field}")]
    assert any(words in message for message in messages), messages
    assert len(at.error) == 1  # and nowhere else
    assert result(at) == values  # the invalid value is kept


def test_an_out_of_range_number_is_kept_and_its_problem_shown_under_it():
    """A number box with bounds refuses an out-of-range value in the browser, silently
    keeping the old one: the boxes have none; the bounds are in the help and the problem
    shows under the field."""
    at = form(PayloadConfig, payload_values(), validate=True)
    widget = live(at.number_input, f"{KEY}:expected_tps")
    assert not widget.proto.has_min and not widget.proto.has_max
    assert "at least 1" in plain(widget.help)
    widget.set_value(-2).run()
    assert result(at)["expected_tps"] == -2  # kept as typed
    assert live(at.number_input, f"{KEY}:expected_tps").value == -2
    assert [plain(m) for m in errors_under(at, f"{KEY}:expected_tps")] == ["must be at least 1"]
    live(at.number_input, f"{KEY}:expected_tps").set_value(3).run()
    assert result(at)["expected_tps"] == 3 and not at.error


def test_a_missing_required_field_and_an_unknown_one_are_reported():
    values = {**BASE, "label_name": "y", "lable": "typo"}
    at = form(TabularPreprocessingConfig, {k: v for k, v in values.items() if k != "bucket"})
    assert result(at)["lable"] == "typo"
    at = form(XGBoostTrainingConfig, {**BASE, "color": "red"}, validate=True)
    messages = [plain(e.value) for e in at.error]
    assert any("color: is not a setting" in m for m in messages)
    box = box_holding(at, f"{KEY}:hyperparameters.label_name")  # the sub-form's box
    own = [c for c in box.children.values() if not isinstance(c, Block) or not keys_in(c) - {None}]
    assert [plain(e.value) for child in own for e in _errors_in(child)] == ["is required"]
    # every problem is shown once, unmatched ones at the top of the form
    assert len(messages) == len(validate_config(XGBoostTrainingConfig, result(at))[1])
    assert at.main.children[0].children[0].type == "error"


def test_invalid_and_mistyped_values_are_kept():
    values = {**payload_values(), "role": "not-an-arn", "expected_tps": "abc", "py_version": 3}
    at = form(PayloadConfig, values, validate=True)
    assert live(at.text_input, f"{KEY}:role").value == "not-an-arn"
    assert "must be an IAM role ARN" in plain(errors_under(at, f"{KEY}:role")[0])
    widget = live(at.text_input, f"{KEY}:expected_tps")  # a text box shows what a number can't
    assert widget.value == "abc"
    assert "whole number" in plain(errors_under(at, f"{KEY}:expected_tps")[0])
    assert live(at.text_input, f"{KEY}:py_version").value == "3"  # not one of the choices
    assert result(at) == values
    live(at.text_input, f"{KEY}:py_version").set_value("py310").run()
    assert live(at.selectbox, f"{KEY}:py_version").value == "py310"  # a choice again
    live(at.text_input, f"{KEY}:role").set_value("arn:aws:iam::123456789012:role/R").run()
    assert result(at)["expected_tps"] == "abc"  # another edit does not drop it
    widget = live(at.text_input, f"{KEY}:expected_tps").set_value("12")
    widget.run()
    assert result(at)["expected_tps"] == 12
    assert live(at.number_input, f"{KEY}:expected_tps").value == 12  # a number again
    assert not at.error


def test_a_nested_config_that_is_not_an_object_is_shown_as_text():
    at = form(XGBoostTrainingConfig, {**BASE, "hyperparameters": "oops"}, validate=True)
    widget = live(at.text_input, f"{KEY}:hyperparameters")
    assert widget.value == "oops" and errors_under(at, f"{KEY}:hyperparameters")
    widget.set_value('{"label_name": "y"}').run()
    assert result(at)["hyperparameters"] == {"label_name": "y"}
    assert live(at.text_input, f"{KEY}:hyperparameters.label_name").value == "y"


def test_optional_fields_empty_to_none():
    at = form(PayloadConfig, {**payload_values(), "sample_payload_s3_key": "a/b.tar.gz"})
    live(at.text_input, f"{KEY}:sample_payload_s3_key").set_value("").run()
    assert result(at)["sample_payload_s3_key"] is None  # null: the default applies again
    assert live(at.text_input, f"{KEY}:payload_s3_key").value.endswith("/payload/Fraud.tar.gz")
    at = form(TabularPreprocessingConfig, {**BASE, "label_name": "y"})
    live(at.text_input, f"{KEY}:processing_source_dir").set_value("./src").run()
    assert result(at)["processing_source_dir"] == "./src"
    live(at.text_input, f"{KEY}:processing_source_dir").set_value("").run()
    assert result(at)["processing_source_dir"] is None


# --- pipeline settings --------------------------------------------------------------------


def settings_of(at: AppTest) -> dict:
    return at.session_state["settings"]


def test_shared_fields_edit_the_pipeline_settings_unless_overridden():
    at = form(TabularPreprocessingConfig, {"label_name": "y"}, opened=False, settings=BASE)
    sections = [t for t in at.toggle if ":section:" in t.key]
    assert [t.label for t in sections] == ["Pipeline settings", "Advanced settings"]
    assert not any(t.value for t in sections)  # nothing overridden or wrong: closed
    assert not [t for t in at.text_input if t.key.startswith(f"{KEY}:author")]  # not drawn
    open_sections(at)
    author = live(at.text_input, f"{KEY}:author")
    assert author.value == "ml-team" and not author.disabled
    assert "pipeline setting" in plain(author.label)
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "ml-team-fraud-us-east-1"

    author.set_value("team-b").run()  # typed in a node's form: it is the pipeline's author
    assert settings_of(at)["author"] == "team-b" and "author" not in result(at)
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "team-b-fraud-us-east-1"

    live(at.toggle, f"{KEY}:author:override").set_value(True).run()
    assert result(at)["author"] == "team-b"  # overriding starts from the pipeline's value
    assert "overridden" in plain(live(at.text_input, f"{KEY}:author").label)
    live(at.text_input, f"{KEY}:author").set_value("solo").run()
    assert result(at)["author"] == "solo" and settings_of(at)["author"] == "team-b"
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "solo-fraud-us-east-1"

    live(at.toggle, f"{KEY}:author:override").set_value(False).run()
    assert result(at) == {"label_name": "y"} and settings_of(at)["author"] == "team-b"
    assert live(at.text_input, f"{KEY}:author").value == "team-b"


def test_a_shared_field_the_settings_lack_is_entered_once_for_every_node():
    """A new design's settings hold no author: typing it in a node's form sets it for all."""
    empty = {"region": "us-east-1"}
    at = form(TabularPreprocessingConfig, {"label_name": "y"}, False, settings=empty, validate=True)
    assert at.toggle(key=f"{KEY}:section:settings").value  # required settings missing: open
    live(at.text_input, f"{KEY}:author").set_value("me").run()
    assert settings_of(at) == {**empty, "author": "me"} and "author" not in result(at)


def test_a_problem_with_a_shared_setting_shows_under_it():
    problems = [Problem("must be an IAM role ARN", field="role")]
    settings = {**BASE, "role": "not-an-arn"}
    at = form(
        TabularPreprocessingConfig, {"label_name": "y"}, False, settings=settings, problems=problems
    )
    assert at.toggle(key=f"{KEY}:section:settings").value  # open: it needs attention
    assert live(at.text_input, f"{KEY}:role").value == "not-an-arn"
    assert plain(errors_under(at, f"{KEY}:role")[0]) == "must be an IAM role ARN"


def test_an_overridden_setting_shows_as_overridden():
    at = form(TabularPreprocessingConfig, {"label_name": "y", "region": "eu-west-1"}, settings=BASE)
    assert live(at.toggle, f"{KEY}:region:override").value is True
    assert live(at.selectbox, f"{KEY}:region").value == "eu-west-1"
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "ml-team-fraud-eu-west-1"
    live(at.toggle, f"{KEY}:region:override").set_value(False).run()
    assert "region" not in result(at)
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "ml-team-fraud-us-east-1"


def test_excluded_fields_are_not_drawn_and_kept():
    values = {**BASE, "label_name": "y", "job_type": "testing"}
    at = form(TabularPreprocessingConfig, values, exclude=("job_type", "random_seed"))
    drawn = widgets(at)
    assert f"{KEY}:job_type" not in drawn and f"{KEY}:random_seed" not in drawn
    live(at.text_input, f"{KEY}:label_name").set_value("z").run()
    assert result(at) == {**values, "label_name": "z"}


# --- derived values -----------------------------------------------------------------------


def test_derived_values_follow_the_edits():
    at = form(TabularPreprocessingConfig, {**BASE, "label_name": "y"})
    name = live(at.text_input, f"{KEY}:pipeline_name")
    assert name.value == "ml-team-fraud-us-east-1" and name.disabled
    assert live(at.text_input, f"{KEY}:pipeline_s3_loc").value == (
        "s3://my-ml-bucket/pipelines/ml-team-fraud-us-east-1/1.0.0"
    )
    live(at.text_input, f"{KEY}:author").set_value("data-team").run()
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "data-team-fraud-us-east-1"
    live(at.selectbox, f"{KEY}:region").set_value("eu-west-1").run()
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "data-team-fraud-eu-west-1"


def test_derived_values_of_incomplete_values_say_what_to_fill_in():
    at = form(TabularPreprocessingConfig, {"service_name": "fraud"})
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "— fill in Author"
    assert live(at.text_input, f"{KEY}:effective_instance_type").value == "ml.m5.xlarge"
    live(at.text_input, f"{KEY}:author").set_value("me").run()
    assert live(at.text_input, f"{KEY}:pipeline_name").value == "me-fraud-us-east-1"


# --- a step type the form has never seen --------------------------------------------------


class TinyConfig(BaseModel):
    """A config defined only here: the form needs no change to draw it."""

    name: Annotated[str, Field(min_length=1, description="A name.")]
    count: Annotated[int, Field(ge=1, le=10, description="How many.")] = 3
    mode: Annotated[Literal["fast", "slow"], Field(description="Speed.")] = "fast"
    tags: Annotated[list[str], Field(description="Labels.")] = []
    labels: Annotated[dict[str, str], Field(description="Key-value labels.")] = {}
    ratio: Annotated[float | None, Field(gt=0, description="A ratio.")] = None
    level: Annotated[Literal["low", "high"], Field(description="A required choice.")]
    flag: Annotated[bool | None, Field(description="Yes, no or unset.")] = None

    @computed_field(description="Name, mode and count.")
    @property
    def summary(self) -> str:
        return f"{self.name}-{self.mode}-{self.count}"


def test_a_config_defined_in_the_test_renders_and_round_trips():
    values = {"name": "x", "count": 4, "tags": ["a", "b"], "labels": {"k": "v"}, "ratio": 0.5}
    values |= {"level": "low"}
    at = form(TinyConfig, values)
    check_widgets(at, TinyConfig)
    assert result(at) == values
    count = live(at.number_input, f"{KEY}:count")
    assert (count.min, count.max, count.step, count.value) == (None, None, 1, 4)
    assert live(at.selectbox, f"{KEY}:mode").options == ["fast", "slow"]
    assert live(at.text_input, f"{KEY}:summary").value == "x-fast-4"
    count.set_value(9).run()
    live(at.selectbox, f"{KEY}:mode").set_value("slow").run()
    at.button(key=f"{KEY}:ratio:clear").click().run()
    live(at.text_area, f"{KEY}:tags").set_value("a\nb\nc").run()
    assert result(at) == {**values, "count": 9, "mode": "slow", "ratio": None, "tags": list("abc")}
    assert live(at.text_input, f"{KEY}:summary").value == "x-slow-9"
    empty = form(TinyConfig, {})
    assert result(empty) == {}
    assert live(empty.text_input, f"{KEY}:summary").value == "— fill in Name"
    assert live(empty.number_input, f"{KEY}:ratio").value is None
    assert live(empty.selectbox, f"{KEY}:level").value is None  # required: nothing chosen yet
    assert live(empty.selectbox, f"{KEY}:flag").options == ["—", "true", "false"]
    live(empty.selectbox, f"{KEY}:level").set_value("high").run()
    live(empty.selectbox, f"{KEY}:flag").set_value(False).run()
    assert result(empty) == {"level": "high", "flag": False}
    live(empty.selectbox, f"{KEY}:flag").select_index(0).run()  # the "—" option
    assert result(empty) == {"level": "high", "flag": None}


# --- user data is text, never markup -----------------------------------------------------


def test_values_and_messages_are_shown_as_text_never_html():
    values = {**BASE, "label_name": XSS, "author": XSS}
    problems = [Problem(f"bad {XSS}", field="label_name"), Problem(XSS, field="nowhere")]
    at = form(TabularPreprocessingConfig, values, problems=problems)
    assert live(at.text_input, f"{KEY}:label_name").value == XSS  # a text box: not markup
    escaped = md(XSS)
    assert "\\<img src\\=x" in escaped
    bodies = [e.value for e in at.error]
    assert md(f"bad {XSS}") in bodies and md(f"nowhere: {XSS}") in bodies
    assert all(XSS not in body for body in bodies)
    markdowns = [*at.markdown, *at.caption]
    assert all(not element.allow_html for element in markdowns)
    assert all(XSS not in element.value for element in markdowns)
    assert not at.get("html")


def test_a_model_node_offers_no_caching_and_says_why_a_stored_one_cannot_be():
    settings = {**BASE, "cache_enabled": True}
    at = form(XGBoostModelConfig, {}, settings=settings, validate=True)
    assert not [key for key in widgets(at) if ":cache_" in key]  # SageMaker never caches it
    assert result(at) == {} and settings_of(at) == settings
    at = form(XGBoostModelConfig, {"cache_enabled": True}, settings=settings, validate=True)
    assert at.toggle(f"{KEY}:cache_enabled").value  # an imported value, shown to be fixed
    assert "does not cache model" in plain(errors_under(at, f"{KEY}:cache_enabled")[0])
    at.toggle(f"{KEY}:cache_enabled").set_value(False).run()
    assert result(at) == {"cache_enabled": False}


def test_a_field_with_a_problem_is_drawn_from_a_closed_section_with_the_required_first():
    problems = [Problem("must be at least 1", field="processing_instance_count")]
    at = form(TabularPreprocessingConfig, {"label_name": "y"}, False, problems=problems)
    assert not at.toggle(key=f"{KEY}:section:advanced").value
    drawn = [w.key for w in [*at.text_input, *at.number_input] if w.key.startswith(KEY)]
    assert f"{KEY}:processing_instance_count" in drawn  # not hidden in Advanced settings
    assert f"{KEY}:processing_volume_size" not in drawn  # the rest of Advanced is
    order = [child.key for child in at.main.children.values() for child in _leaves(child)]
    optional = order.index(f"{KEY}:train_ratio")  # the first field neither required nor wrong
    assert order.index(f"{KEY}:processing_instance_count") < optional
    assert order.index(f"{KEY}:label_name") < optional


def _leaves(element):
    if isinstance(element, Block):
        return [leaf for child in element.children.values() for leaf in _leaves(child)]
    return [element] if getattr(element, "key", None) else []
