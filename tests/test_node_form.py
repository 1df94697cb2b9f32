"""The node panel's form without a browser: what Python sends it (components/form_view.py, the
Config's Pydantic schema shaped by builders/configs/form_schema.py) and what the panel's
events do to the design (components/form_edits.py). Values are sent as the browser's widgets
send them (a text box its text, a number box a JSON number or null, a select its choice...);
the form in Chromium is tests/browser/test_node_form_in_browser.py."""

from __future__ import annotations

import copy
import json

import pytest
from support import BASE, HYPERPARAMETERS, STARTERS

from builders.configs.fields import form_fields
from builders.configs.form_schema import (
    class_schema,
    modes_of,
    properties_of,
    shared_class_schema,
    shown_fields,
)
from builders.designs.config_io import node_values
from builders.designs.design import (
    Design,
    DesignNode,
    Position,
    set_settings,
    validate_design,
)
from builders.errors import Problem
from builders.graph.validation import validate_config
from builders.registry import REGISTRY
from builders.starters import design_from_starter
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig
from components.form_edits import apply_event
from components.form_view import form_view

# The widget the browser draws for a field of each kind (when its value fits it).
WIDGET = {"bool": "switch", "int": "number", "float": "number", "text": "text",
          "choice": "select", "multichoice": "checkboxes", "list": "textarea",
          "dict": "table", "model": "nested", "json": "text"}  # fmt: skip


def widget(schema: dict, ui: dict) -> str:
    """The widget node_form's templates draw for a field (see frontend/src/form.tsx)."""
    if ui.get("ui:options", {}).get("asText"):
        return "text"
    if ui.get("ui:widget") in ("textarea", "checkboxes", "select"):
        return ui["ui:widget"]
    if schema.get("type") == "object":
        return "nested" if "properties" in schema else "table"
    return {"boolean": "switch", "integer": "number", "number": "number"}.get(
        schema.get("type"), "text"
    )


def design_of(step_type: str, values: dict, settings: dict | None = None) -> Design:
    node = DesignNode(name="N", step_type=step_type, values=values, ui=Position(x=0, y=0))
    return Design(name="d", settings=dict(BASE if settings is None else settings), nodes=(node,))


def view(design: Design, **options) -> dict:
    node = design.node("N")
    config_class = REGISTRY.get(node.step_type).config_class
    problems = validate_design(design).for_node("N")
    return form_view(config_class, node.values, settings=design.settings, problems=problems,
                     **options)  # fmt: skip


def edit(design: Design, kind: str = "set", **event) -> Design:
    edited, refusal = apply_event(design, "N", {"kind": kind, **event})
    assert refusal is None, refusal
    return edited


def values(design: Design) -> dict:
    return dict(design.node("N").values)


# --- what the form draws ----------------------------------------------------------------------


@pytest.mark.parametrize("step_type", REGISTRY.names())
def test_every_field_is_drawn_with_its_widget_and_shows_what_the_design_holds(step_type):
    config_class = REGISTRY.get(step_type).config_class
    shown = view(design_of(step_type, {}))
    schema, ui, data = shown["schema"], shown["uiSchema"], shown["formData"]
    applying = [s for s in form_fields(config_class) if config_class.applies(s.name)]
    assert sorted(properties_of(schema)) == sorted(s.name for s in applying)
    for spec in applying:
        prop = properties_of(schema)[spec.name]
        if spec.kind == "bool" or spec.default is not None or spec.kind == "model":
            assert widget(prop, ui[spec.name]) == WIDGET[spec.kind], spec.name
        assert prop["title"] == spec.label
        held = BASE.get(spec.name, spec.default) if spec.name in BASE else spec.default
        if spec.kind in ("text", "int", "float", "choice") and held is not None:
            assert data[spec.name] == held, spec.name  # defaults and settings shown
        validating = {"default", "pattern", "maxLength", "minimum", "maximum", "anyOf", "$ref"}
        added_row = prop.get("additionalProperties", {})  # the value a row starts with
        assert not validating & keys_in({**prop, "additionalProperties": {}}), spec.name
        assert not (validating - {"default"}) & keys_in(added_row), spec.name


def keys_in(schema) -> set[str]:
    if isinstance(schema, dict):
        return set(schema).union(*(keys_in(v) for v in schema.values()))
    return set().union(*(keys_in(v) for v in schema)) if isinstance(schema, list) else set()


def starter_nodes() -> list:
    types = {REGISTRY.get(name).config_class: name for name in REGISTRY.names()}
    nodes = []
    for path in sorted(STARTERS.glob("*/config.json")):
        classes, held = node_values(json.loads(path.read_text()))
        nodes += [
            pytest.param(types[classes[node]], held[node], id=f"{path.parent.name}/{node}")
            for node in classes
        ]
    return nodes


@pytest.mark.parametrize("step_type, node", starter_nodes())
def test_sending_back_every_value_as_shown_changes_nothing(step_type, node):
    """What a widget shows, sent back unchanged (a box committed as it was), is no edit:
    the view and the events agree on every field of every starter node."""
    design = design_of(step_type, copy.deepcopy(node))
    shown = view(design)
    for name, value in shown["formData"].items():
        if shown["uiSchema"][name]["ui:options"]["kind"] == "model":
            for inner, inner_value in value.items():
                design = edit(design, field=f"{name}.{inner}", value=inner_value)
        else:
            design = edit(design, field=name, value=value)
    assert values(design) == node and design.settings == BASE


# --- what the events do -----------------------------------------------------------------------


def test_edits_are_stored_as_their_fields_type():
    design = design_of("TabularPreprocessing", {"label_name": "y"})
    for field, value in [("processing_instance_count", 3), ("train_ratio", 0.8),
                         ("random_seed", 7), ("job_type", "validation"),
                         ("use_large_processing_instance", True), ("label_name", "target"),
                         ("processing_script_arguments", "--fast\n\n--n 3\n")]:  # fmt: skip
        design = edit(design, field=field, value=value)
    assert values(design) == {
        "label_name": "target", "processing_instance_count": 3, "train_ratio": 0.8,
        "random_seed": 7, "job_type": "validation", "use_large_processing_instance": True,
        "processing_script_arguments": ["--fast", "--n 3"],
    }  # fmt: skip
    assert validate_config(TabularPreprocessingConfig, {**BASE, **values(design)})[1] == []
    whole = edit(design, field="train_ratio", value=1)  # JSON's 1 for a typed 1.0
    assert values(whole)["train_ratio"] == 1.0 and type(values(whole)["train_ratio"]) is float
    derived = {d["name"]: d["value"] for d in view(design)["derived"]}
    assert derived["effective_instance_type"] == "ml.m5.4xlarge"  # follows the edit


def test_a_field_not_held_keeps_its_default_unless_changed():
    design = design_of("TabularPreprocessing", {})
    assert values(edit(design, field="train_ratio", value=0.7)) == {}  # the default, typed
    assert values(edit(design, field="train_ratio", value=0.6)) == {"train_ratio": 0.6}


def test_lists_keep_item_types_and_unparsable_items():
    design = design_of("XGBoostTraining", {"hyperparameters": dict(HYPERPARAMETERS)})
    shown = view(design)["formData"]["hyperparameters"]
    assert shown["full_field_list"] == "\n".join(HYPERPARAMETERS["full_field_list"])
    design = edit(design, field="hyperparameters.multiclass_categories", value="0\n1\nrare")
    design = edit(design, field="hyperparameters.class_weights", value="1\n2.5\nheavy")
    design = edit(design, field="hyperparameters.eval_metric", value=["auc"])
    design = edit(design, field="hyperparameters.num_round", value=250)
    got = values(design)["hyperparameters"]
    assert got["multiclass_categories"] == [0, 1, "rare"]
    assert got["class_weights"] == [1.0, 2.5, "heavy"] and type(got["class_weights"][0]) is float
    assert got["eval_metric"] == ["auc"] and got["num_round"] == 250
    assert {k: got[k] for k in HYPERPARAMETERS} == HYPERPARAMETERS  # the rest untouched
    design = edit(design, field="hyperparameters.class_weights", value="")
    assert values(design)["hyperparameters"]["class_weights"] is None  # Optional list emptied


def test_a_nested_field_is_edited_in_place():
    design = edit(design_of("XGBoostTraining", {}), field="hyperparameters.label_name", value="y")
    assert values(design) == {"hyperparameters": {"label_name": "y"}}  # only what was entered
    design = edit(design, field="hyperparameters.full_field_list", value="id\ny\nx")
    assert values(design)["hyperparameters"] == {
        "label_name": "y",
        "full_field_list": ["id", "y", "x"],
    }


def test_a_table_keeps_its_order_and_choices():
    design = design_of("Payload", {})
    name = "source_model_inference_input_variable_list"
    design = edit(design, field=name, value={"b": "TEXT", "a": "NUMERIC", "c": None})
    assert list(values(design)[name].items()) == [("b", "TEXT"), ("a", "NUMERIC"), ("c", None)]
    shown = view(design)
    assert shown["formData"][name] == {"b": "TEXT", "a": "NUMERIC", "c": None}
    assert shown["schema"]["properties"][name]["additionalProperties"]["enum"] == [
        "NUMERIC",
        "TEXT",
    ]


def test_an_out_of_range_number_is_kept_and_its_problem_shown_under_it():
    design = edit(design_of("Payload", {"model_registration_objective": "F"}),
                  field="expected_tps", value=-2)  # fmt: skip
    assert values(design)["expected_tps"] == -2
    shown = view(design)
    assert shown["formData"]["expected_tps"] == -2
    assert shown["errors"]["expected_tps"]["__errors"] == ["must be at least 1"]
    assert "at least 1" in shown["schema"]["properties"]["expected_tps"]["description"]


def test_a_value_that_does_not_fit_its_widget_is_shown_and_edited_as_text():
    design = design_of("Payload", {"expected_tps": "abc", "py_version": 3, "role": "not-an-arn"})
    shown = view(design)
    for name, text in (("expected_tps", "abc"), ("py_version", "3")):
        assert shown["uiSchema"][name]["ui:options"]["asText"], name
        assert shown["schema"]["properties"][name]["type"] == "string"
        assert shown["formData"][name] == text
    assert "whole number" in shown["errors"]["expected_tps"]["__errors"][0]
    assert "IAM role ARN" in shown["errors"]["role"]["__errors"][0]
    design = edit(design, field="py_version", value="py310")
    assert widget(view(design)["schema"]["properties"]["py_version"],
                  view(design)["uiSchema"]["py_version"]) == "select"  # fmt: skip
    design = edit(design, field="expected_tps", value="12")
    assert values(design)["expected_tps"] == 12
    assert view(design)["uiSchema"]["expected_tps"]["ui:options"]["asText"] is False
    assert values(edit(design, field="expected_tps", value="x"))["expected_tps"] == "x"  # as typed


def test_a_nested_config_that_is_not_an_object_is_shown_as_text():
    design = design_of("XGBoostTraining", {"hyperparameters": "oops"})
    shown = view(design)
    assert shown["formData"]["hyperparameters"] == "oops"
    assert shown["errors"]["hyperparameters"]["__errors"]
    design = edit(design, field="hyperparameters", value='{"label_name": "y"}')
    assert values(design)["hyperparameters"] == {"label_name": "y"}
    assert view(design)["formData"]["hyperparameters"]["label_name"] == "y"


def test_optional_fields_empty_to_none():
    design = design_of("Payload", {"sample_payload_s3_key": "a/b.tar.gz"})
    design = edit(design, field="sample_payload_s3_key", value="")
    assert values(design)["sample_payload_s3_key"] is None  # null: the default applies again
    design = edit(design_of("TabularPreprocessing", {}), field="processing_source_dir",
                  value="./src")  # fmt: skip
    assert (
        values(edit(design, field="processing_source_dir", value=""))["processing_source_dir"]
        is None
    )


def test_shared_fields_edit_the_pipeline_settings_unless_overridden():
    design = design_of("TabularPreprocessing", {"label_name": "y"})
    shown = view(design)
    settings = shown["uiSchema"]["ui:options"]["settings"]
    assert settings[:5] == ["author", "bucket", "role", "region", "service_name"]
    assert shown["schema"]["properties"] and list(shown["schema"]["properties"])[:5] == settings[:5]
    assert shown["uiSchema"]["author"]["ui:options"] == {
        "kind": "text",
        "asText": False,
        "shared": True,
        "overridden": False,
    }
    assert shown["uiSchema"]["author"]["ui:title"] == "Author (pipeline setting)"
    design = edit(design, field="author", value="alice")
    assert design.settings["author"] == "alice" and "author" not in values(design)
    design = edit(design, "override", field="author", on=True)
    assert values(design)["author"] == "alice"  # starts from the pipeline's value
    assert view(design)["uiSchema"]["author"]["ui:title"] == "Author (overridden for this node)"
    design = edit(design, field="author", value="solo")
    assert values(design)["author"] == "solo" and design.settings["author"] == "alice"
    design = edit(design, "override", field="author", on=False)
    assert "author" not in values(design) and view(design)["formData"]["author"] == "alice"


def test_a_setting_the_pipeline_lacks_is_entered_once_for_every_node():
    design = edit(design_of("Payload", {}, settings={}), field="role", value="arn:x")
    assert design.settings == {"role": "arn:x"} and values(design) == {}


def test_a_problem_with_a_shared_setting_shows_under_it():
    shown = view(design_of("Payload", {}, settings={**BASE, "role": "nope"}))
    assert "IAM role ARN" in shown["errors"]["role"]["__errors"][0]
    assert shown["uiSchema"]["ui:options"]["settingsOpen"]  # open: something is wrong there


def test_a_model_node_offers_no_caching_unless_its_value_is_wrong():
    """SageMaker never caches a model step: its form has no caching fields, and the
    pipeline's caching is not its (issue 19's `applies`); a value it holds anyway (an
    imported file) is shown, with its problem, so that it can be fixed."""
    design = design_of("XGBoostModel", {}, settings={**BASE, "cache_enabled": True})
    shown = view(design)
    for caching in ("cache_enabled", "cache_expire_after"):  # neither its own nor shared
        assert caching not in shown["schema"]["properties"]
        assert caching not in shown["uiSchema"]["ui:options"]["settings"]
        assert caching not in shown["uiSchema"]["ui:order"]
    assert "author" in shown["uiSchema"]["ui:options"]["settings"]  # the rest still shared
    design = design_of("XGBoostModel", {"cache_enabled": True}, settings=design.settings)
    shown = view(design)
    assert shown["formData"]["cache_enabled"] is True
    assert "does not cache model" in shown["errors"]["cache_enabled"]["__errors"][0]
    design = edit(design, field="cache_enabled", value=False)
    assert values(design) == {"cache_enabled": False} and design.settings["cache_enabled"]


def test_excluded_fields_are_not_drawn_and_kept():
    design = design_of("XGBoostTraining", {"training_instance_type": "ml.m5.large"})
    shown = view(design, exclude=["training_instance_type"])
    assert "training_instance_type" not in shown["schema"]["properties"]
    assert "training_instance_type" not in shown["formData"]


def test_problems_under_their_fields_items_named_and_the_rest_on_top():
    problems = [Problem("bad", field="hyperparameters.label_name"),
                Problem("second is wrong", field="retry_on.1"),
                Problem("is not a setting", field="color"), Problem("whole step")]  # fmt: skip
    shown = form_view(XGBoostTrainingConfig, {}, settings=BASE, problems=problems)
    assert shown["errors"]["hyperparameters"]["label_name"]["__errors"] == ["bad"]
    assert shown["errors"]["retry_on"]["__errors"] == ["Item 2: second is wrong"]
    assert shown["general"] == ["color: is not a setting", "whole step"]


def test_required_and_flagged_fields_first_and_advanced_apart_unless_wrong():
    problems = [Problem("must be at least 1", field="processing_instance_count")]
    shown = form_view(TabularPreprocessingConfig, {"label_name": "y"}, settings=BASE,
                      problems=problems)  # fmt: skip
    order = shown["uiSchema"]["ui:order"]
    advanced = shown["uiSchema"]["ui:options"]["advanced"]
    assert "processing_instance_count" not in advanced and "processing_volume_size" in advanced
    optional = order.index("train_ratio")  # the first field neither required nor wrong
    assert order.index("processing_instance_count") < optional
    assert order.index("label_name") < optional
    # The order follows the problems before the edit: a field does not jump while edited.
    again = form_view(TabularPreprocessingConfig, {"label_name": "y"}, settings=BASE,
                      problems=[], order_problems=problems)  # fmt: skip
    assert again["uiSchema"]["ui:order"] == order


def test_a_condition_picks_its_branch_among_the_given_names():
    design = design_of("Condition", {"if_steps": ["A"]})
    config_class = REGISTRY.get("Condition").config_class
    shown = form_view(config_class, {"if_steps": ["A"]}, settings=BASE,
                      choices={"if_steps": ["B", "C"]})  # fmt: skip
    assert shown["schema"]["properties"]["if_steps"]["items"]["enum"] == ["B", "C", "A"]
    assert shown["uiSchema"]["if_steps"]["ui:widget"] == "checkboxes"
    assert values(edit(design, field="if_steps", value=["C"]))["if_steps"] == ["C"]


def test_values_are_data_in_the_view():
    markup = "<img src=x onerror=alert(1)>"
    design = edit(design_of("Payload", {}), field="model_registration_objective", value=markup)
    assert values(design)["model_registration_objective"] == markup
    assert view(design)["formData"]["model_registration_objective"] == markup


def test_edits_of_a_node_that_went_away_change_nothing():
    design = design_of("Payload", {})
    assert apply_event(design, "Gone", {"kind": "set", "field": "x", "value": 1}) == (design, None)
    refused = apply_event(set_settings(design, BASE), "N", {"kind": "rename", "name": ""})
    assert refused[0] == set_settings(design, BASE) and "needs a name" in refused[1]


# --- fields of one mode (a hyperparameter's search) -------------------------------------------


def branches(group: dict) -> dict[str, list[str]]:
    """{mode: the fields the form draws for it besides the others}, from a group's schema."""
    *modes, other = group["dependencies"]["search"]["oneOf"]
    assert other == {
        "properties": {"search": {"not": {"enum": group["properties"]["search"]["enum"]}}}
    }
    return {
        branch["properties"]["search"]["enum"][0]: [
            n for n in branch["properties"] if n != "search"
        ]
        for branch in modes
    }


@pytest.mark.parametrize("step_type", ["XGBoostTuning", "PyTorchTuning"])
def test_a_search_draws_the_fields_of_its_mode_only(step_type):
    """The form library draws `properties` always and a `dependencies` branch for the mode
    the selector holds: a range's bounds and scaling, a list's values, nothing for fixed."""
    config_class = REGISTRY.get(step_type).config_class
    groups = class_schema(config_class)["properties"]["hyperparameter_search"]["properties"]
    for name, group in groups.items():
        assert list(group["properties"]) == ["search"], name
        modes = group["properties"]["search"]["enum"]
        expected = {
            "fixed": [],
            "range": ["min_value", "max_value", "scaling"],
            "values": ["values"],
        }
        assert branches(group) == {mode: expected[mode] for mode in modes}, name
    eta = groups.get("eta") or groups["lr"]
    (ranged,) = [
        b for b in eta["dependencies"]["search"]["oneOf"] if "min_value" in b["properties"]
    ]
    assert ranged["properties"]["min_value"]["type"] == "number"  # shaped as any field is
    assert "ReverseLogarithmic" in ranged["properties"]["scaling"]["enum"]


def test_the_other_modes_values_are_kept_and_a_missing_bound_shown_under_it():
    held = {"eta": {"search": "values", "min_value": 0.05, "max_value": 0.5, "values": [0.1]},
            "gamma": {"search": "range", "max_value": 5}}  # fmt: skip
    design = design_of("XGBoostTuning", {"hyperparameter_search": held})
    shown = view(design)
    groups = shown["schema"]["properties"]["hyperparameter_search"]["properties"]
    assert branches(groups["eta"])["range"] == ["min_value", "max_value", "scaling"]
    data = shown["formData"]["hyperparameter_search"]
    assert data["eta"]["min_value"] == 0.05 and data["eta"]["values"] == "0.1"  # all sent
    errors = shown["errors"]["hyperparameter_search"]
    assert "required for a range" in errors["gamma"]["min_value"]["__errors"][0]
    assert shown_fields(groups["gamma"], data["gamma"]) == [
        "search",
        *branches(groups["gamma"])["range"],
    ]
    assert shown_fields(groups["eta"], data["eta"]) == ["search", "values"]


def test_a_field_inside_a_search_group_is_edited_in_place():
    """Two levels down (hyperparameter_search.eta.search): the group keeps its other fields."""
    design = design_from_starter("xgboost_tuned_endpoint", "t")
    before = design.node("XGBoostTuning").values["hyperparameter_search"]
    edits = [("search", "values"), ("values", "0.1\n0.2"), ("search", "range"), ("max_value", 0.4)]
    for field, value in edits:
        event = {"kind": "set", "field": f"hyperparameter_search.eta.{field}", "value": value}
        design, refusal = apply_event(design, "XGBoostTuning", event)
        assert refusal is None
    after = design.node("XGBoostTuning").values["hyperparameter_search"]
    assert after["eta"] == {**before["eta"], "max_value": 0.4, "values": [0.1, 0.2]}
    assert {k: v for k, v in after.items() if k != "eta"} == {
        k: v for k, v in before.items() if k != "eta"
    }


MODED = [name for name in REGISTRY.names() if modes_of(REGISTRY.get(name).config_class)]


def test_step_types_declare_modes_where_a_choice_decides_which_fields_apply():
    assert {"EndpointConfig", "ScriptProcessing"} <= set(MODED)


@pytest.mark.parametrize("step_type", MODED)
def test_a_step_shows_the_fields_of_the_mode_it_holds(step_type):
    """EndpointConfig: instance type and count, or serverless memory and concurrency, and
    data capture's percentage and S3 URI when it is on; ScriptProcessing: a framework's
    version, or your image's URI. (A field of another mode with a problem shows too: the
    next test.)"""
    config_class = REGISTRY.get(step_type).config_class
    for selector, by_mode in modes_of(config_class).items():
        moded = {name for names in by_mode.values() for name in names}
        for mode, names in by_mode.items():
            image = {"image_uri": "my-image:1"} if "image_uri" in moded else {}
            held = json.loads(mode) if mode in ("true", "false") else mode  # a switch's
            shown = view(design_of(step_type, {selector: held, **image}))
            drawn = set(shown_fields(shown["schema"], shown["formData"]))
            assert drawn & moded == set(names), mode
            assert moded <= set(shown["formData"])  # the others' values are sent too


def test_a_field_of_another_mode_with_a_problem_shows_so_it_can_be_fixed():
    shown = view(
        design_of("EndpointConfig", {"serving": "instances", "serverless_memory_mb": 1000})
    )
    drawn = shown_fields(shown["schema"], shown["formData"])
    assert "serverless_memory_mb" in drawn and "serverless_max_concurrency" not in drawn
    assert "1024" in shown["errors"]["serverless_memory_mb"]["__errors"][0]
    held = {"eta": {"search": "values", "values": [0.1], "min_value": 7}}  # eta is at most 1
    shown = view(design_of("XGBoostTuning", {"hyperparameter_search": held}))
    eta = shown["schema"]["properties"]["hyperparameter_search"]["properties"]["eta"]
    assert shown_fields(eta, shown["formData"]["hyperparameter_search"]["eta"]) == [
        "search", "min_value", "values"]  # fmt: skip
    assert shown["errors"]["hyperparameter_search"]["eta"]["min_value"]["__errors"]
    for step_type, path in [("EndpointConfig", []),
                            ("XGBoostTuning", ["hyperparameter_search", "eta"])]:  # fmt: skip
        cached = shared_class_schema(REGISTRY.get(step_type).config_class)
        for name in path:
            cached = cached["properties"][name]
        assert not {"serverless_memory_mb", "min_value"} & set(cached["properties"])  # as it was
