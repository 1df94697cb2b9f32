"""Promoting a field to a pipeline parameter in a node's form, seen in Preview and on the
Deploy page, with Streamlit's AppTest (the canvas click simulated as its event)."""

from __future__ import annotations

from app_support import app, canvas_edit, create_from_starter, default_box, design_of, texts


def promote(at, node: str, field: str, name: str):
    canvas_edit(at, selected=node)
    key = f"params:{at.session_state['design_epoch']}:{node}"
    at.toggle(key=f"{key}:promote").set_value(True).run()
    at.selectbox(key=f"{key}:field").set_value(field).run()
    at.text_input(key=f"{key}:name:{field}").input(name).run()
    at.button(key=f"{key}:do").click().run()
    return key


def test_promote_a_field_share_it_change_its_default_and_see_it_in_preview(space):
    at = create_from_starter(app(), "fraud")
    key = promote(at, "XGBoostTraining", "training_instance_type", "TrainType")
    design = design_of(at)
    (parameter,) = design.parameters
    assert (parameter.name, parameter.type, parameter.default) == (
        "TrainType", "String", "ml.m5.xlarge"
    )  # fmt: skip
    assert "takes its value from parameter" in texts(at)
    # The bound field is drawn with its parameter, not in the form.
    assert not [w for w in at.text_input if w.key.endswith(":training_instance_type")]
    assert not [w for w in at.selectbox if w.key.endswith(":training_instance_type")]

    default_box(at, f"{key}:default:training_instance_type:TrainType").input("ml.bogus").run()
    assert design_of(at).parameters[0].default == "ml.bogus"
    assert "whose default 'ml.bogus'" in texts(at)  # the field's own rule, naming the parameter
    default_box(at, f"{key}:default:training_instance_type:TrainType").input("ml.m5.2xlarge").run()

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
    key = promote(at, "XGBoostTraining", "training_instance_count", "Count")
    default_box(at, f"{key}:default:training_instance_count:Count").input("3").run()
    at.button(key=f"{key}:unbind:training_instance_count").click().run()
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
