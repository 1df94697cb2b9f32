"""The quality gate, compiled by the real SDK: ModelEvaluation's property file, the Condition
step and its branches, Fail, and what registration records; and the designs SageMaker would
refuse, caught with a message that names the node."""

from __future__ import annotations

import json

import pytest
from app_support import app, canvas_edit, create_from_starter, panel_field, shown
from support import STARTERS, sdk_classes

from builders.compiling.compile import compile_pipeline
from builders.compiling.sagemaker_env import offline_build
from builders.compiling.template import PipelineBuilderTemplate
from builders.designs.config_io import configs_from_document, node_values
from builders.designs.design import connection_problem, validate_design
from builders.errors import ConfigValidationError
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG, load_dag
from builders.starters import design_from_starter
from components.canvas import canvas_edges, canvas_nodes

GATE = STARTERS / "xgboost_quality_gate"


@pytest.fixture
def document() -> dict:
    return json.loads((GATE / "config.json").read_text())


@pytest.fixture
def adjacency() -> dict:
    return json.loads((GATE / "dag.json").read_text())


def specific(document: dict, node: str) -> dict:
    return document["configuration"]["specific"][node]


def compiled(document: dict, adjacency: dict | None = None):
    dag = PipelineDAG.from_adjacency(adjacency or json.loads((GATE / "dag.json").read_text()))
    return compile_pipeline(dag, configs_from_document(document), base_dir=GATE)


def steps(result) -> dict[str, dict]:
    """Every step of the definition by name, branch steps included."""
    found = {}
    pending = list(result.definition["Steps"])
    while pending:
        step = pending.pop()
        found[step["Name"]] = step
        pending += step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", [])
    return found


def problems(document: dict, adjacency: dict) -> dict[tuple, str]:
    classes, values = node_values(document)
    found: dict[tuple, str] = {}
    for p in check_and_wire(PipelineDAG.from_adjacency(adjacency), classes, values)[0]:
        found[(p.node, p.field)] = "\n".join(
            filter(None, [found.get((p.node, p.field)), p.message])
        )
    return found


# -- compiled ---------------------------------------------------------------------------------
def test_the_branches_are_nested_in_the_condition_and_nowhere_else(document):
    result = compiled(document)
    top = [step["Name"] for step in result.definition["Steps"]]
    assert top == [
        "DataLoading",
        "TabularPreprocessing",
        "XGBoostTraining",
        "ModelEvaluation",
        "QualityGate",
    ]
    gate = result.definition["Steps"][-1]
    assert gate["Type"] == "Condition" and gate["DependsOn"] == ["ModelEvaluation"]
    arguments = gate["Arguments"]
    assert [s["Name"] for s in arguments["IfSteps"]] == [
        "Packaging",
        "Payload",
        "ModelRegistration-RegisterModel",
    ]
    assert [s["Name"] for s in arguments["ElseSteps"]] == ["FailBelowThreshold"]
    # The branch orders them: no branch step waits on the condition by DependsOn.
    for step in arguments["IfSteps"] + arguments["ElseSteps"]:
        assert "QualityGate" not in step.get("DependsOn", [])
    assert len(result.step_names) == 9


def test_the_condition_reads_the_metric_from_the_evaluations_property_file(document):
    (condition,) = compiled(document).definition["Steps"][-1]["Arguments"]["Conditions"]
    assert condition == {
        "Type": "GreaterThanOrEqualTo",
        "LeftValue": {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.ModelEvaluation.PropertyFiles.EvaluationReport"},
                "Path": "metrics.auc.value",
            }
        },
        "RightValue": 0.75,
    }


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        (">=", {"Type": "GreaterThanOrEqualTo"}),
        (">", {"Type": "GreaterThan"}),
        ("<=", {"Type": "LessThanOrEqualTo"}),
        ("<", {"Type": "LessThan"}),
        ("==", {"Type": "Equals"}),
    ],
)
def test_each_operator_is_its_sdk_condition(document, operator, expected):
    specific(document, "QualityGate").update(operator=operator, metric="f1", threshold=0.5)
    (condition,) = compiled(document).definition["Steps"][-1]["Arguments"]["Conditions"]
    assert condition["Type"] == expected["Type"]
    assert condition["LeftValue"]["Std:JsonGet"]["Path"] == "metrics.f1.value"
    assert condition["RightValue"] == 0.5


def test_not_equal_is_not_of_equals(document):
    specific(document, "QualityGate").update(operator="!=", threshold=1)
    (condition,) = compiled(document).definition["Steps"][-1]["Arguments"]["Conditions"]
    assert condition["Type"] == "Not"
    assert condition["Condition"]["Type"] == "Equals"
    assert condition["Condition"]["RightValue"] == 1.0


def test_the_evaluation_runs_in_the_xgboost_container_and_declares_its_report(document):
    result = compiled(document)
    step = steps(result)["ModelEvaluation"]
    arguments = step["Arguments"]
    assert arguments["AppSpecification"] == {
        "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/model_evaluation.py"],
        "ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    }
    assert step["PropertyFiles"] == [
        {
            "PropertyFileName": "EvaluationReport",
            "OutputName": "evaluation",
            "FilePath": "evaluation.json",
        }
    ]
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in arguments["ProcessingInputs"]}
    assert inputs["model"] == {"Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"}
    assert inputs["data"] == {
        "Get": "Steps.TabularPreprocessing.ProcessingOutputConfig.Outputs['processed_data']"
        ".S3Output.S3Uri"
    }
    # The inference code is the folder Packaging puts into the archive: one staged copy.
    packaging = steps(result)["Packaging"]["Arguments"]["ProcessingInputs"]
    assert inputs["inference"] in [i["S3Input"]["S3Uri"] for i in packaging]
    settings = next(
        json.loads(o.content)
        for o in result.staged_objects
        if o.s3_uri.startswith(inputs["config"])
    )
    assert settings == {
        "label_name": "is_fraud",
        "problem_type": "auto",
        "split": "test",
        "inference_entry_point": "inference.py",
        "content_type": "text/csv",
    }


def test_registration_records_the_evaluation_and_the_framework(document):
    arguments = steps(compiled(document))["ModelRegistration-RegisterModel"]["Arguments"]
    assert arguments["ModelMetrics"]["ModelQuality"]["Statistics"] == {
        "ContentType": "application/json",
        "S3Uri": {
            "Std:Join": {
                "On": "/",
                "Values": [
                    {
                        "Get": "Steps.ModelEvaluation.ProcessingOutputConfig.Outputs"
                        "['evaluation'].S3Output.S3Uri"
                    },
                    "evaluation.json",
                ],
            }
        },
    }
    (container,) = arguments["InferenceSpecification"]["Containers"]
    assert (container["Framework"], container["FrameworkVersion"]) == ("XGBOOST", "1.7-1")


def test_without_an_evaluation_registration_records_no_metrics():
    xgb = STARTERS / "xgboost_end_to_end"
    dag = load_dag(xgb / "dag.json")
    document = json.loads((xgb / "config.json").read_text())
    result = compile_pipeline(dag, configs_from_document(document), base_dir=xgb)
    arguments = steps(result)["ModelRegistration-RegisterModel"]["Arguments"]
    assert "ModelMetrics" not in arguments
    assert arguments["InferenceSpecification"]["Containers"][0]["Framework"] == "XGBOOST"


def test_the_fail_step_carries_its_message(document):
    specific(document, "FailBelowThreshold")["error_message"] = "AUC too low: not registered."
    fail = steps(compiled(document))["FailBelowThreshold"]
    assert fail["Type"] == "Fail"
    assert fail["Arguments"] == {"ErrorMessage": "AUC too low: not registered."}


def test_the_sdk_refuses_a_branch_step_that_is_also_a_pipeline_step(document):
    """Why the branches are nested: the same step listed twice is refused by the SDK."""
    (Pipeline,) = sdk_classes("Pipeline")

    dag = load_dag(GATE / "dag.json")
    template = PipelineBuilderTemplate(dag, configs_from_document(document), base_dir=GATE)
    pipeline = template.generate_pipeline()
    gate = pipeline.steps[-1]
    steps = [*pipeline.steps, *gate.if_steps]
    twice = Pipeline(name="twice", steps=steps, sagemaker_session=pipeline.sagemaker_session)
    with offline_build("us-east-1"), pytest.raises(ValueError, match="duplicate names"):
        twice.definition()


# -- refused designs --------------------------------------------------------------------------
def test_the_starter_passes_every_check(document, adjacency):
    assert problems(document, adjacency) == {}


def test_a_step_on_both_branches_is_refused(document, adjacency):
    adjacency["Payload"] = ["Packaging", "QualityGate"]  # else branch, and after Packaging (if)
    message = problems(document, adjacency)[("Payload", None)]
    assert "follows both the 'if' and the 'else' branch of 'QualityGate'" in message
    with pytest.raises(ConfigValidationError, match="follows both"):
        compiled(document, adjacency)


def test_a_branch_step_that_follows_a_step_outside_the_branch_is_refused(document, adjacency):
    """Packaging reads a second training that runs beside the gate, not before it."""
    document["metadata"]["config_types"]["OtherTraining"] = "XGBoostTrainingConfig"
    document["configuration"]["specific"]["OtherTraining"] = dict(
        specific(document, "XGBoostTraining")
    )
    adjacency["OtherTraining"] = ["TabularPreprocessing"]
    adjacency["Packaging"] = ["QualityGate", "OtherTraining"]
    message = problems(document, adjacency)[("Packaging", None)]
    assert (
        "on a branch of 'QualityGate' but also follows 'OtherTraining', which runs outside "
        "that branch" in message
    )
    assert "connect 'OtherTraining' before 'QualityGate'" in message


def test_an_if_step_must_follow_the_condition(document, adjacency):
    specific(document, "QualityGate")["if_steps"] = ["Packaging", "Payload"]
    message = problems(document, adjacency)[("QualityGate", "if_steps")]
    assert "'Payload' is not connected after this condition" in message


def test_a_condition_inside_another_conditions_branch_is_refused(document, adjacency):
    document["metadata"]["config_types"]["SecondGate"] = "ConditionConfig"
    document["configuration"]["specific"]["SecondGate"] = {
        "metric": "accuracy",
        "threshold": 0.8,
        "if_steps": ["Payload"],
    }
    adjacency["SecondGate"] = ["ModelEvaluation", "Packaging"]
    adjacency["Payload"] = ["Packaging", "SecondGate"]
    found = problems(document, adjacency)
    assert "on the branches of two conditions" in found[("Payload", None)]


@pytest.mark.parametrize(
    ("if_steps", "message"),
    [
        ([], "No step is on the 'if' branch of this condition"),
        (["Packaging", "FailBelowThreshold"], "Every step after this condition is on its 'if'"),
    ],
)
def test_a_condition_with_all_its_children_on_one_branch_is_refused(
    document, adjacency, if_steps, message
):
    """An empty "If steps" made every child an else step and read ready: registration ran
    only when the gate failed (issue 17)."""
    specific(document, "QualityGate")["if_steps"] = if_steps
    assert message in problems(document, adjacency)[("QualityGate", "if_steps")]
    with pytest.raises(ConfigValidationError, match=message):
        compiled(document, adjacency)


def test_a_condition_nothing_follows_is_refused(document, adjacency):
    for node in ("Packaging", "Payload", "ModelRegistration", "FailBelowThreshold"):
        del adjacency[node], document["configuration"]["specific"][node]
        del document["metadata"]["config_types"][node]
    specific(document, "QualityGate")["if_steps"] = []
    assert (
        "Nothing follows this condition"
        in problems(document, adjacency)[("QualityGate", "if_steps")]
    )


@pytest.mark.parametrize(
    "parents", [[], ["ModelEvaluation"], ["XGBoostTraining"]], ids=["alone", "eval", "train"]
)
def test_a_fail_step_that_would_always_run_is_refused(document, adjacency, parents):
    """A Fail step with no parent compiled to a top-level Fail: every run stopped at once."""
    adjacency["FailBelowThreshold"] = parents
    specific(document, "QualityGate")["if_steps"] = ["Packaging"]
    found = problems(document, adjacency)
    assert "every run would end here" in found[("FailBelowThreshold", None)]
    with pytest.raises(ConfigValidationError, match="every run would end here"):
        compiled(document, adjacency)


def test_a_fail_step_after_another_step_on_a_branch_compiles(document, adjacency):
    """A Fail step may follow any step; on the else branch it waits for that step too."""
    adjacency["FailBelowThreshold"] = ["QualityGate", "ModelEvaluation"]
    assert problems(document, adjacency) == {}
    fail = steps(compiled(document, adjacency))["FailBelowThreshold"]
    assert fail["DependsOn"] == ["ModelEvaluation"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"QualityGate": {"metric": "rmse"}}, "writes auc, accuracy, f1, not rmse"),
        (
            {"ModelEvaluation": {"problem_type": "regression"}},
            "evaluates a regression model and writes rmse, mae, r2, not auc",
        ),
    ],
)
def test_the_gate_compares_a_metric_the_evaluation_writes(document, adjacency, change, message):
    for node, values in change.items():
        specific(document, node).update(values)
    assert message in problems(document, adjacency)[("QualityGate", "metric")]


# -- designer ---------------------------------------------------------------------------------
def test_any_step_may_follow_a_condition_and_a_fail_step_may_follow_any_step():
    """SageMaker lets a Fail step follow any step; nothing follows a Fail step (issue 17)."""
    design = design_from_starter("xgboost_quality_gate", "gate")
    assert connection_problem(design, "QualityGate", "Payload") is None  # carries no data
    assert connection_problem(design, "XGBoostTraining", "FailBelowThreshold") is None
    refused = connection_problem(design, "FailBelowThreshold", "Payload")
    assert "ends the run" in refused


def test_the_canvas_labels_the_branches_and_the_evaluation():
    design = design_from_starter("xgboost_quality_gate", "gate")
    report = validate_design(design)
    assert report.valid, report.problems
    edges = {(e.source, e.target): e for e in canvas_edges(design, report)}
    assert edges[("QualityGate", "Packaging")].label == "if"
    assert "runs when the condition holds" in edges[("QualityGate", "Packaging")].title
    assert edges[("QualityGate", "FailBelowThreshold")].label == "else"
    assert [
        edges[("QualityGate", t)].source_handle for t in ("Packaging", "FailBelowThreshold")
    ] == [
        "if",
        "else",
    ]  # each leaves its branch's handle
    assert edges[("ModelEvaluation", "QualityGate")].title.endswith("feeds evaluation")
    assert edges[("ModelEvaluation", "ModelRegistration")].title.endswith("feeds evaluation")
    nodes = {n.id: n for n in canvas_nodes(design, report)}
    assert nodes["QualityGate"].branches == ("if", "else")
    assert nodes["QualityGate"].has_output and nodes["FailBelowThreshold"].has_input
    assert not nodes["DataLoading"].has_input


def test_the_form_picks_the_if_branch_among_the_conditions_children(space):
    """In the app: the condition's if_steps is a choice of the steps after it; moving
    Packaging to the else branch relabels its edge and the saved design follows."""
    at = create_from_starter(app(), "gate", starter="xgboost_quality_gate")
    canvas_edit(at, selected="QualityGate")
    branch = panel_field(at, "if_steps")
    assert branch.widget == "checkboxes"
    assert branch.schema["items"]["enum"] == ["Packaging", "FailBelowThreshold"]
    assert branch.value == ["Packaging"]
    branch.set_value(["FailBelowThreshold"]).run()
    saved = space.load("gate")
    assert saved.node("QualityGate").values["if_steps"] == ["FailBelowThreshold"]
    labels = {(e["source"], e["target"]): e["label"] for e in shown(at)["edges"]}
    assert labels[("QualityGate", "FailBelowThreshold")] == "if"
    assert labels[("QualityGate", "Packaging")] == "else"


def test_the_evaluation_scores_with_the_code_the_model_is_served_with(document, adjacency):
    specific(document, "ModelEvaluation")["inference_source_dir"] = "other_inference"
    message = problems(document, adjacency)[("ModelEvaluation", "inference_source_dir")]
    assert "takes the inference code from other_inference, but 'Packaging' gives" in message


def test_renaming_a_step_on_the_if_branch_keeps_it_there():
    """The generator's renames: a condition's if_steps kept the old name, and the gate read
    'not connected after this condition' with nothing on its 'if' branch."""
    from builders.designs.design import rename_node

    design = rename_node(design_from_starter("xgboost_quality_gate", "g"), "Packaging", "Pack")
    assert design.node("QualityGate").values["if_steps"] == ["Pack"]
    assert validate_design(design).valid, validate_design(design).problems
