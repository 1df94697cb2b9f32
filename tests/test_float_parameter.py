"""A Float field bound to a pipeline parameter: the quality gate's threshold, as the SDK's own
quality-gate example makes it (ParameterFloat), so a run can move the gate."""

from __future__ import annotations

from builders.designs.design import compile_design, validate_design
from builders.designs.parameter_edits import promote_field, set_parameter_default
from builders.localrun.definition import parameter_values, parse_definition
from builders.starters import design_from_starter


def gate_with_parameter():
    design = design_from_starter("xgboost_quality_gate", "gate")
    return promote_field(design, "QualityGate", "threshold", "Threshold")


def test_the_threshold_is_a_float_parameter_the_condition_reads():
    design = gate_with_parameter()
    (parameter,) = design.parameters
    assert (parameter.type, parameter.default) == ("Float", 0.75)
    assert validate_design(design).problems == ()
    definition = compile_design(design).definition
    assert definition["Parameters"] == [
        {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.75}
    ]
    gate = next(step for step in definition["Steps"] if step["Name"] == "QualityGate")
    (condition,) = gate["Arguments"]["Conditions"]
    assert condition["Type"] == "GreaterThanOrEqualTo"
    assert condition["RightValue"] == {"Get": "Parameters.Threshold"}


def test_a_run_reads_the_threshold_as_a_number():
    design = set_parameter_default(gate_with_parameter(), "Threshold", 0.9)
    spec = parse_definition(compile_design(design).definition_json)
    assert parameter_values(spec, {}) == {"Threshold": 0.9}
    assert parameter_values(spec, {"Threshold": "0.5"}) == {"Threshold": 0.5}
