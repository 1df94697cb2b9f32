"""Run states per design node (what the canvas shows): steps the SDK names after a node
(`X-CreateModel`, `X-RegisterModel`, `X-RepackModel-0`) fold into node X."""

from __future__ import annotations

from builders.localrun.node_status import node_of, node_states_of_rows


def test_sdk_step_names_map_back_to_their_node():
    nodes = ["XGBoostModel", "Model", "Model-A", "Packaging"]
    assert node_of("XGBoostModel-CreateModel", nodes) == "XGBoostModel"
    assert node_of("Model-A-RegisterModel", nodes) == "Model-A"  # the longest owner
    assert node_of("Model-RepackModel-0", nodes) == "Model"
    assert node_of("Model-A", nodes) == "Model-A"  # a node's own name first
    assert node_of("Packaging", nodes) == "Packaging"
    assert node_of("Packaging-Extra", nodes) is None  # not a suffix the SDK writes
    assert node_of("Other-CreateModel", nodes) is None


def test_an_aws_executions_steps_fold_into_node_states():
    """Rows as execution_status reads them from ListPipelineExecutionSteps."""
    rows = [
        {"step": "Packaging", "status": "Succeeded", "duration": 60.0, "reason": ""},
        {"step": "Model-RepackModel-0", "status": "Succeeded", "duration": 30.0, "reason": ""},
        {"step": "Model-CreateModel", "status": "Executing", "duration": None, "reason": ""},
        {"step": "Registration-RegisterModel", "status": "Failed", "reason": "No access"},
    ]
    states = node_states_of_rows(rows, ["Packaging", "Model", "Registration", "Payload"])
    assert {node: status.state for node, status in states.items()} == {
        "Packaging": "succeeded",
        "Model": "running",
        "Registration": "failed",
    }
    assert states["Model"].steps == ("Model-RepackModel-0", "Model-CreateModel")
    assert states["Model"].duration == 30.0
    assert states["Registration"].reason == "No access"
