"""The local runner reads definitions the SDK writes: expressions, conditions, order, parameters."""

from __future__ import annotations

import json

import pytest
from localrun_support import build, data_of, steps_json
from support import sdk_classes

from builders.compiling.sagemaker_env import offline_build
from builders.localrun.definition import parameter_values, parse_definition
from builders.localrun.errors import DefinitionError, ParameterError
from builders.localrun.expressions import condition_holds, parse_path, resolve, walk


class Scope:
    """Values a run would supply, fixed for the test."""

    def __init__(self, parameters=None, properties=None, files=None):
        self.parameters = parameters or {}
        self.properties = properties or {}
        self.files = files or {}

    def parameter(self, name):
        return self.parameters[name]

    def execution_variable(self, name):
        return {"PipelineExecutionId": "abc123def456", "PipelineName": "p"}[name]

    def step_property(self, step, path):
        return walk(self.properties[step], path, step)

    def json_file(self, step, property_file, s3_uri):
        return self.files[s3_uri or f"{step}/{property_file}"]


def test_property_paths_index_lists_by_member_name():
    described = {
        "ProcessingOutputConfig": {
            "Outputs": [
                {"OutputName": "train", "S3Output": {"S3Uri": "s3://b/train"}},
                {"OutputName": "test", "S3Output": {"S3Uri": "s3://b/test"}},
            ]
        },
        "FinalMetricDataList": [{"MetricName": "auc", "Value": 0.9}],
    }
    path = parse_path("ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri")
    assert path == ["ProcessingOutputConfig", "Outputs", "test", "S3Output", "S3Uri"]
    assert walk(described, path, "x") == "s3://b/test"
    assert walk(described, parse_path('FinalMetricDataList["auc"].Value'), "x") == 0.9
    assert walk(described, parse_path("$.ProcessingOutputConfig.Outputs[1].OutputName"), "x") == (
        "test"
    )
    with pytest.raises(DefinitionError, match="no item named 'val'"):
        walk(described, parse_path("ProcessingOutputConfig.Outputs['val']"), "Step A")


def test_joins_with_the_execution_id_and_step_properties_resolve():
    def steps(sdk):
        first = sdk.step("First", "copy", ["first"])
        second = sdk.step("Second", "copy", ["second"], inputs={"data": data_of(first)})
        return [first, second]

    second = steps_json(build(steps))["Second"]["Arguments"]
    scope = Scope(
        properties={
            "First": {
                "ProcessingOutputConfig": {
                    "Outputs": [{"OutputName": "data", "S3Output": {"S3Uri": "s3://b/r1/data"}}]
                }
            }
        }
    )
    resolved = resolve(second, scope)
    inputs = {item["InputName"]: item["S3Input"]["S3Uri"] for item in resolved["ProcessingInputs"]}
    assert inputs["data"] == "s3://b/r1/data"
    (output,) = resolved["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == "s3://local-run-tests/runs/abc123def456/Second/data"


def sdk_conditions():
    """A Condition step's conditions, as the SDK writes them in a definition."""
    with offline_build("us-east-1"):
        (ConditionStep,) = sdk_classes("ConditionStep")
        (
            ConditionEquals,
            ConditionGreaterThanOrEqualTo,
            ConditionIn,
            ConditionLessThan,
            ConditionNot,
            ConditionOr,
        ) = sdk_classes(
            "ConditionEquals",
            "ConditionGreaterThanOrEqualTo",
            "ConditionIn",
            "ConditionLessThan",
            "ConditionNot",
            "ConditionOr",
        )
        (JsonGet,) = sdk_classes("JsonGet")
        ParameterFloat, ParameterString = sdk_classes("ParameterFloat", "ParameterString")
        (PropertyFile,) = sdk_classes("PropertyFile")

        threshold = ParameterFloat(name="Threshold", default_value=0.8)
        stage = ParameterString(name="Stage", default_value="dev")
        report = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")

    def steps(sdk):
        evaluate = sdk.step("Evaluate", "evaluate", ["0.9"], outputs=("evaluation",),
                            property_files=[report])  # fmt: skip
        auc = JsonGet(step_name="Evaluate", property_file=report, json_path="metrics.auc.value")
        conditions = [
            ConditionGreaterThanOrEqualTo(left=auc, right=threshold),
            ConditionNot(expression=ConditionIn(value=stage, in_values=["prod", "staging"])),
            ConditionOr(
                conditions=[
                    ConditionEquals(left=stage, right="nightly"),
                    ConditionLessThan(left=threshold, right=0.95),
                ]
            ),
        ]
        gate = ConditionStep(name="Gate", conditions=conditions, if_steps=[], else_steps=[])
        return [evaluate, gate]

    return steps_json(build(steps, [threshold, stage]))["Gate"]["Arguments"]["Conditions"]


@pytest.mark.parametrize(
    ("auc", "stage", "threshold", "expected"),
    [
        (0.91, "dev", 0.8, [True, True, True]),
        (0.79, "dev", 0.8, [False, True, True]),
        ("0.85", "prod", 0.8, [True, False, True]),  # numbers written as text still compare
        (0.99, "nightly", 0.97, [True, True, True]),
        (0.99, "dev", 0.97, [True, True, False]),
        (0.8, "dev", 0.8, [True, True, True]),  # at the boundary: >= holds, and
        ("0.8", "dev", 0.95, [False, True, False]),  # < does not (0.95 < 0.95)
    ],
)
def test_sdk_conditions_evaluate_like_sagemaker(auc, stage, threshold, expected):
    conditions = sdk_conditions()
    files = {"Evaluate/Report": {"metrics": {"auc": {"value": auc}}}}
    scope = Scope(parameters={"Threshold": threshold, "Stage": stage}, files=files)
    assert [condition_holds(condition, scope) for condition in conditions] == expected


def test_comparing_a_number_with_text_is_a_definition_error():
    conditions = sdk_conditions()
    scope = Scope(
        parameters={"Threshold": 0.8, "Stage": "dev"},
        files={"Evaluate/Report": {"metrics": {"auc": {"value": "n/a"}}}},
    )
    with pytest.raises(DefinitionError, match=r"Cannot compare 'n/a' with 0\.8"):
        condition_holds(conditions[0], scope)


def test_parameters_take_given_values_of_their_type_or_defaults():
    def steps(sdk):
        return [sdk.step("Only", "copy", ["x"])]

    with offline_build("us-east-1"):
        ParameterBoolean, ParameterInteger, ParameterString = sdk_classes(
            "ParameterBoolean", "ParameterInteger", "ParameterString"
        )

        parameters = [
            ParameterInteger(name="Count", default_value=3),
            ParameterString(name="Stage", default_value="dev"),
            ParameterBoolean(name="Strict", default_value=False),
        ]
    spec = parse_definition(build(steps, parameters))
    assert parameter_values(spec, None) == {"Count": 3, "Stage": "dev", "Strict": False}
    given = {"Count": "7", "Strict": "true"}
    assert parameter_values(spec, given) == {"Count": 7, "Stage": "dev", "Strict": True}
    with pytest.raises(ParameterError, match="no parameter Cuont"):
        parameter_values(spec, {"Cuont": 1})
    with pytest.raises(ParameterError, match=r"'Count' is Integer; '2\.5'"):
        parameter_values(spec, {"Count": "2.5"})


def test_order_follows_data_references_and_condition_branches():
    def steps(sdk):
        (ConditionStep,) = sdk_classes("ConditionStep")
        (ConditionEquals,) = sdk_classes("ConditionEquals")
        (FailStep,) = sdk_classes("FailStep")

        load = sdk.step("Load", "copy", ["load"])
        train = sdk.step("Train", "copy", ["train"], inputs={"data": data_of(load)})
        publish = sdk.step("Publish", "copy", ["publish"], inputs={"data": data_of(train)})
        gate = ConditionStep(
            name="Gate",
            conditions=[ConditionEquals(left=1, right=1)],
            if_steps=[publish],
            else_steps=[FailStep(name="Stop", error_message="no")],
            depends_on=[train],
        )
        return [gate, load, train]  # listed out of order on purpose

    spec = parse_definition(build(steps))
    order = spec.order
    assert order.index("Load") < order.index("Train") < order.index("Gate")
    assert order.index("Gate") < order.index("Publish") and order.index("Gate") < order.index(
        "Stop"
    )
    assert spec.steps["Publish"].branch.when is True
    assert spec.steps["Stop"].branch.when is False
    assert spec.downstream({"Train"}) == {"Train", "Gate", "Publish", "Stop"}


def test_a_cycle_or_an_unknown_step_is_refused_with_its_names():
    steps = [
        {"Name": "A", "Type": "Processing", "Arguments": {}, "DependsOn": ["B"]},
        {"Name": "B", "Type": "Processing", "Arguments": {"X": {"Get": "Steps.A.Y"}}},
    ]
    with pytest.raises(DefinitionError, match="cycle"):
        parse_definition({"Steps": steps})
    steps[0]["DependsOn"] = ["Missing"]
    with pytest.raises(DefinitionError, match="'A' depends on or reads from Missing"):
        parse_definition(json.dumps({"Steps": steps}))
    with pytest.raises(DefinitionError, match="not a SageMaker step name"):
        parse_definition({"Steps": [{"Name": "../x", "Type": "Processing"}]})


def test_a_conditions_outcome_in_words_names_the_metric_and_the_threshold():
    from builders.localrun.expressions import condition_outcome

    report = {
        "PropertyFile": {"Get": "Steps.Eval.PropertyFiles.Report"},
        "Path": "metrics.f1.value",
    }
    scope = Scope(
        parameters={"Threshold": 0.75},
        files={"Eval/Report": {"metrics": {"f1": {"value": 0.8123456}}}},
    )
    metric = {"Std:JsonGet": report}
    at_least = {"Type": "GreaterThanOrEqualTo", "LeftValue": metric, "RightValue": 0.75}
    assert condition_outcome([at_least], scope) == (True, "F1 0.8123 >= 0.75: if branch")
    higher = {**at_least, "RightValue": {"Get": "Parameters.Threshold"}, "Type": "GreaterThan"}
    assert condition_outcome([higher, {**at_least, "RightValue": 0.9}], scope) == (
        False,
        "F1 0.8123 > 0.75 and F1 0.8123 < 0.9: else branch",
    )
    differs = {
        "Type": "Not",
        "Expression": {"Type": "Equals", "LeftValue": metric, "RightValue": 1},
    }
    assert condition_outcome([differs], scope) == (True, "F1 0.8123 != 1: if branch")
