"""The node panel's form in Chromium (the node_form component: react-jsonschema-form drawn
from the Config's schema): each kind of widget sends what the user entered, as typed, and
only when the user commits it; what Python holds is what the panel shows; values and names
are drawn as text."""

from __future__ import annotations

import json
import time

from playwright.sync_api import Page, expect
from test_designer import canvas, settle
from test_edits_in_browser import click_node, form_field, open_section

from builders.designs.design import add_node, set_node_values
from builders.designs.workspace import Workspace
from builders.starters import design_from_starter


def node_values(server, name: str, node: str) -> dict:
    document = json.loads((server.workspace / f"{name}.design.json").read_text())
    return next(n for n in document["nodes"] if n["name"] == node)["values"]


def hyperparameters(server) -> dict:
    return node_values(server, "forms", "XGBoostTraining")["hyperparameters"]


def until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the change was not saved"
        time.sleep(0.1)


def open_design(page: Page, server, design) -> None:
    """`design` saved in the app's workspace, then the page opened on it."""
    Workspace(server.workspace).save(design)
    page.goto(server.url)
    settle(page)


def test_each_widget_sends_what_was_entered_when_it_is_committed(page: Page, server):
    design = design_from_starter("xgboost_end_to_end", "forms")
    open_design(page, server, design)
    click_node(page, "XGBoostTraining")
    before = node_values(server, "forms", "XGBoostTraining")

    # A number inside the nested hyperparameters: nothing is sent while typing.
    rounds = form_field(page, "XGBoostTraining", "hyperparameters.num_round")
    rounds.get_by_role("spinbutton").fill("250")
    page.wait_for_timeout(1000)
    settle(page)
    assert node_values(server, "forms", "XGBoostTraining") == before
    rounds.get_by_role("spinbutton").press("Enter")
    until(lambda: hyperparameters(server)["num_round"] == 250)
    settle(page)

    # One item per line: a list, sent when the box is left.
    weights = form_field(page, "XGBoostTraining", "hyperparameters.class_weights")
    weights.get_by_role("textbox").fill("1\n2.5\nheavy")
    weights.get_by_role("textbox").blur()
    until(lambda: hyperparameters(server).get("class_weights") == [1.0, 2.5, "heavy"])
    settle(page)
    expect(weights.get_by_role("alert")).to_have_count(1)  # "heavy" is no number: said under it

    # A choice of several: check boxes.
    metrics = form_field(page, "XGBoostTraining", "hyperparameters.eval_metric")
    chosen = hyperparameters(server)["eval_metric"]
    metrics.get_by_role("checkbox", name="error", exact=True).check()
    until(lambda: set(hyperparameters(server)["eval_metric"]) == {*chosen, "error"})
    settle(page)

    # A pipeline setting overridden, then a select box.
    open_section(page, "Pipeline settings")
    region = form_field(page, "XGBoostTraining", "region")
    region.get_by_text("Override for this node").click()
    until(lambda: "region" in node_values(server, "forms", "XGBoostTraining"))
    settle(page)
    form_field(page, "XGBoostTraining", "region").get_by_role("combobox").select_option("eu-west-1")
    until(lambda: node_values(server, "forms", "XGBoostTraining")["region"] == "eu-west-1")
    settle(page)

    # A switch.
    click_node(page, "TabularPreprocessing")
    open_section(page, "Advanced settings")
    large = form_field(page, "TabularPreprocessing", "use_large_processing_instance")
    large.get_by_role("switch").check()
    held = lambda: node_values(server, "forms", "TabularPreprocessing")  # noqa: E731
    until(lambda: held().get("use_large_processing_instance") is True)
    settle(page)

    # A table: a row added, renamed and given a value; another removed; order kept.
    click_node(page, "Payload")
    name = "source_model_inference_input_variable_list"
    table = form_field(page, "Payload", name)
    rows = list(node_values(server, "forms", "Payload")[name])
    table.get_by_role("button", name="+ Add a row").click()
    until(lambda: len(node_values(server, "forms", "Payload")[name]) == len(rows) + 1)
    settle(page)
    added = list(node_values(server, "forms", "Payload")[name])[-1]
    key = form_field(page, "Payload", f"{name}.{added}").get_by_role("textbox", name="Name")
    key.fill("country")
    key.press("Enter")
    until(lambda: list(node_values(server, "forms", "Payload")[name]) == [*rows, "country"])
    settle(page)
    row = form_field(page, "Payload", f"{name}.country")
    row.get_by_role("combobox").select_option("TEXT")
    until(lambda: node_values(server, "forms", "Payload")[name]["country"] == "TEXT")
    settle(page)
    form_field(page, "Payload", f"{name}.{rows[0]}").get_by_role("button", name="Remove").click()
    until(lambda: list(node_values(server, "forms", "Payload")[name]) == [*rows[1:], "country"])


def test_a_value_that_does_not_fit_is_shown_as_typed_and_markup_as_text(page: Page, server):
    markup = "<img src=x onerror=alert(1)>"
    design = add_node(design_from_starter("xgboost_end_to_end", "odd"), "Payload", name=markup)
    odd = {"expected_tps": "abc", "model_registration_objective": markup}
    design = set_node_values(design, markup, odd)
    open_design(page, server, design)
    canvas(page).get_by_role("combobox", name="Go to a step").fill(markup)
    expect(page.get_by_role("heading", name=markup, exact=True)).to_be_visible()
    settle(page)
    panel = page.locator(f'[data-node-form="{markup}"]')
    assert panel.locator("img").count() == 0  # names and values are text, never markup
    objective = panel.get_by_role("textbox", name="Model registration objective")
    expect(objective).to_have_value(markup)

    tps = form_field(page, markup, "expected_tps")
    expect(tps.get_by_role("spinbutton")).to_have_count(0)  # "abc" fits no number box
    expect(tps.get_by_role("textbox")).to_have_value("abc")
    expect(tps.get_by_role("alert")).to_contain_text("whole number")
    tps.get_by_role("textbox").fill("12")
    tps.get_by_role("textbox").press("Enter")
    until(lambda: node_values(server, "odd", markup).get("expected_tps") == 12)
    settle(page)
    expect(form_field(page, markup, "expected_tps").get_by_role("spinbutton")).to_have_value("12")
    box = form_field(page, markup, "expected_tps").get_by_role("spinbutton")
    box.fill("-2")  # out of range: kept as typed, its problem under it
    box.press("Enter")
    until(lambda: node_values(server, "odd", markup).get("expected_tps") == -2)
    settle(page)
    expect(form_field(page, markup, "expected_tps").get_by_role("alert")).to_contain_text(
        "must be at least 1"
    )


def test_a_tuning_search_shows_the_fields_of_its_mode_and_keeps_the_others(page: Page, server):
    """Issue 23: a hyperparameter's search shows min, max and scaling for a range, the
    values for a list, nothing more for a fixed value; what the other mode held comes back
    when the user switches to it again, and a range lacking a bound says so under it."""
    warnings = []  # the form library's, when it cannot pick a mode's fields
    page.on("console", lambda message: warnings.append(message.text))
    open_design(page, server, design_from_starter("xgboost_tuned_endpoint", "tuned"))
    click_node(page, "XGBoostTuning")
    held = lambda: node_values(server, "tuned", "XGBoostTuning")["hyperparameter_search"]  # noqa: E731

    def field(name: str, part: str):
        return form_field(page, "XGBoostTuning", f"hyperparameter_search.{name}.{part}")

    def shows(name: str, *parts: str) -> None:
        for part in ("min_value", "max_value", "scaling", "values"):
            expect(field(name, part)).to_have_count(1 if part in parts else 0)

    shows("eta", "min_value", "max_value", "scaling")  # a range
    shows("num_round", "values")
    shows("gamma")  # fixed: the value under Hyperparameters
    shows("tree_method")

    field("eta", "search").get_by_role("combobox").select_option("values")
    until(lambda: held()["eta"]["search"] == "values")
    settle(page)
    shows("eta", "values")
    assert held()["eta"]["min_value"] == 0.05  # kept, though a list does not use it
    field("eta", "values").get_by_role("textbox").fill("0.1\n0.2")
    field("eta", "values").get_by_role("textbox").blur()
    until(lambda: held()["eta"]["values"] == [0.1, 0.2])
    settle(page)

    field("eta", "search").get_by_role("combobox").select_option("range")
    until(lambda: held()["eta"]["search"] == "range")
    settle(page)
    shows("eta", "min_value", "max_value", "scaling")
    expect(field("eta", "min_value").get_by_role("spinbutton")).to_have_value("0.05")
    expect(field("eta", "scaling").get_by_role("combobox")).to_have_value("2")  # Logarithmic
    field("eta", "max_value").get_by_role("spinbutton").fill("0.4")
    field("eta", "max_value").get_by_role("spinbutton").press("Enter")
    until(lambda: held()["eta"]["max_value"] == 0.4)
    settle(page)
    assert held()["eta"] == {"search": "range", "min_value": 0.05, "max_value": 0.4,
                             "scaling": "Logarithmic", "values": [0.1, 0.2]}  # fmt: skip

    # A range without bounds: Python's problem shows under the bound it lacks.
    field("gamma", "search").get_by_role("combobox").select_option("range")
    until(lambda: held()["gamma"]["search"] == "range")
    settle(page)
    shows("gamma", "min_value", "max_value", "scaling")
    expect(field("gamma", "min_value").get_by_role("alert")).to_contain_text("required for a range")
    field("tree_method", "search").get_by_role("combobox").select_option("values")
    until(lambda: held()["tree_method"]["search"] == "values")
    settle(page)
    shows("tree_method", "values")
    expect(field("tree_method", "values").get_by_role("checkbox")).to_have_count(4)
    field("alpha_xgb", "search").get_by_role("combobox").select_option("")  # no mode
    until(lambda: held()["alpha_xgb"]["search"] is None)
    settle(page)
    shows("alpha_xgb")
    assert not [text for text in warnings if "oneOf" in text or "compiling schema" in text]


def test_an_endpoint_config_shows_the_fields_of_its_serving(page: Page, server):
    open_design(page, server, design_from_starter("xgboost_tuned_endpoint", "served"))
    click_node(page, "EndpointConfig")
    held = lambda: node_values(server, "served", "EndpointConfig")  # noqa: E731
    instances = ("instance_type", "initial_instance_count")
    serverless = ("serverless_memory_mb", "serverless_max_concurrency")

    def shows(drawn, hidden) -> None:
        for name in drawn:
            expect(form_field(page, "EndpointConfig", name)).to_have_count(1)
        for name in hidden:
            expect(form_field(page, "EndpointConfig", name)).to_have_count(0)

    shows(instances, serverless)
    serving = form_field(page, "EndpointConfig", "serving").get_by_role("combobox")
    serving.select_option("serverless")
    until(lambda: held().get("serving") == "serverless")
    settle(page)
    shows(serverless, instances)
    memory = form_field(page, "EndpointConfig", "serverless_memory_mb").get_by_role("spinbutton")
    memory.fill("4096")
    memory.press("Enter")
    until(lambda: held().get("serverless_memory_mb") == 4096)
    settle(page)
    form_field(page, "EndpointConfig", "serving").get_by_role("combobox").select_option("instances")
    until(lambda: held().get("serving") == "instances")
    settle(page)
    shows(instances, serverless)
    count = form_field(page, "EndpointConfig", "initial_instance_count")
    expect(count.get_by_role("spinbutton")).to_have_value("1")
    instance = form_field(page, "EndpointConfig", "instance_type").get_by_role("textbox")
    expect(instance).to_have_value("ml.m5.large")
    assert held()["serverless_memory_mb"] == 4096  # kept while serving on instances

    # Data capture's percentage and S3 folder show while it is on.
    open_section(page, "Advanced settings")
    shows(("data_capture_percentage", "data_capture_s3_uri"), ())
    form_field(page, "EndpointConfig", "data_capture").get_by_role("switch").uncheck()
    until(lambda: held().get("data_capture") is False)
    settle(page)
    shows((), ("data_capture_percentage", "data_capture_s3_uri"))
