"""Promoting a field to a pipeline parameter in a node's form, seen in Preview and on the
Deploy page, with Streamlit's AppTest (the canvas click simulated as its event)."""

from __future__ import annotations

from app_support import (
    app,
    canvas_edit,
    create_from_starter,
    design_of,
    panel,
    panel_edit,
    panel_field,
    texts,
)


def promote(at, node: str, field: str, name: str):
    """Promote `field` in the node's panel: it is offered, and the panel sends the choice."""
    canvas_edit(at, selected=node)
    assert field in [free["field"] for free in panel(at)["parameters"]["free"]]
    panel_edit(at, "promote", field=field, parameter=name)


def set_default(at, field: str, text: str):
    """Type `text` into the default's box of the parameter `field` is bound to."""
    (bound,) = [b for b in panel(at)["parameters"]["bound"] if b["field"] == field]
    panel_edit(at, "default", field=field, parameter=bound["parameter"], text=text)


def test_promote_a_field_share_it_change_its_default_and_see_it_in_preview(space):
    at = create_from_starter(app(), "fraud")
    promote(at, "XGBoostTraining", "training_instance_type", "TrainType")
    design = design_of(at)
    (parameter,) = design.parameters
    assert (parameter.name, parameter.type, parameter.default) == (
        "TrainType", "String", "ml.m5.xlarge"
    )  # fmt: skip
    assert "takes its value from parameter" in texts(at)
    # The bound field is drawn with its parameter, not in the form.
    assert panel_field(at, "training_instance_type") is None

    set_default(at, "training_instance_type", "ml.bogus")
    assert design_of(at).parameters[0].default == "ml.bogus"
    assert "whose default 'ml.bogus'" in texts(at)  # the field's own rule, naming the parameter
    set_default(at, "training_instance_type", "ml.m5.2xlarge")

    at.switch_page("pages/export.py").run()
    table = next(frame.value for frame in at.dataframe if "parameter" in frame.value.columns)
    assert table.to_dict("records") == [
        {
            "parameter": "TrainType",
            "type": "String",
            "default": "ml.m5.2xlarge",
            "bound to": "XGBoostTraining.training_instance_type",
        }
    ]
    assert '"TrainType": {' in " ".join(code.value for code in at.code)  # config JSON
    assert '"Get": "Parameters.TrainType"' in " ".join(code.value for code in at.code)


def test_promote_refuses_a_type_that_does_not_fit(space):
    at = create_from_starter(app(), "fraud")
    promote(at, "XGBoostTraining", "training_instance_count", "Count")
    promote(at, "XGBoostTraining", "training_instance_type", "Count")
    assert "'Count' is Integer; this field takes String values" in texts(at)
    assert [p.name for p in design_of(at).parameters] == ["Count"]


def test_unbind_gives_the_field_the_parameters_value(space):
    at = create_from_starter(app(), "fraud")
    promote(at, "XGBoostTraining", "training_instance_count", "Count")
    set_default(at, "training_instance_count", "3")
    panel_edit(at, "unbind", field="training_instance_count")
    design = design_of(at)
    assert design.parameters == ()
    assert design.node("XGBoostTraining").values["training_instance_count"] == 3


def test_the_deploy_page_asks_for_values_and_checks_them(space, no_aws_credentials):
    at = create_from_starter(app(), "fraud")
    promote(at, "XGBoostTraining", "training_instance_count", "Count")
    at.switch_page("pages/deploy.py").run()
    assert at.text_input(key="param:Count").value == "1"  # the default, prefilled
    at.text_input(key="param:Count").input("500").run()
    assert "Parameter 'Count' cannot be 500: this field must be at most 100" in texts(at)
    assert at.button(key="deploy").disabled
    at.text_input(key="param:Count").input("2").run()
    assert not at.button(key="deploy").disabled
