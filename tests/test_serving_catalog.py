"""Tuning and endpoint step types in the tools that read the registry: the assistant's
catalog and offline planner, and the command line's validate and compile."""

from __future__ import annotations

import json
import shutil

from support import STARTERS

from builders.assistant.planner import catalog, plan_offline
from builders.cli import main

STARTER = STARTERS / "xgboost_tuned_endpoint"


def files(folder) -> list[str]:
    return ["--dag", str(folder / "dag.json"), "--config", str(folder / "config.json")]


def test_the_catalog_describes_them_with_their_ports():
    lines = {line.split(":")[0]: line for line in catalog().splitlines()}
    assert "Inputs: training_data (processed data)" in lines["- XGBoostTuning"]
    assert "Outputs: model_artifacts (model artifacts)" in lines["- PyTorchTuning"]
    assert "Inputs: model (SageMaker model)" in lines["- EndpointConfig"]
    assert "payload (payload samples, optional)" in lines["- Endpoint"]


def test_a_goal_to_tune_and_deploy_follows_the_tuned_endpoint_starter():
    plan = plan_offline("tune an xgboost model and deploy it to an endpoint")
    assert plan.problems == []
    assert plan.proposal.starter == "xgboost_tuned_endpoint"
    types = set(plan.proposal.step_types.values())
    assert {"XGBoostTuning", "EndpointConfig", "Endpoint", "XGBoostModel"} <= types
    assert plan.proposal.dag["Endpoint"] == ["EndpointConfig", "Payload"]


def test_a_goal_to_tune_pytorch_gets_the_pytorch_tuning_step():
    plan = plan_offline("hyperparameter tuning of my pytorch training")
    assert "PyTorchTuning" in plan.proposal.step_types.values()
    assert "XGBoostTuning" not in plan.proposal.step_types.values()


def test_the_command_line_validates_and_compiles_the_starter(tmp_path, capsys):
    assert main(["validate", *files(STARTER)]) == 0
    assert capsys.readouterr().out.startswith("Valid:")
    out = tmp_path / "pipeline.json"
    assert main(["compile", *files(STARTER), "--out", str(out)]) == 0
    types = {step["Name"]: step["Type"] for step in json.loads(out.read_text())["Steps"]}
    assert types["XGBoostTuning"] == "Tuning"
    assert (types["EndpointConfig"], types["Endpoint"]) == ("EndpointConfig", "Endpoint")


def test_the_command_line_names_the_tuning_field_to_fix(tmp_path, capsys):
    folder = tmp_path / "design"
    shutil.copytree(STARTER, folder)
    document = json.loads((folder / "config.json").read_text())
    document["configuration"]["specific"]["XGBoostTuning"]["max_parallel_jobs"] = 9
    document["configuration"]["specific"]["EndpointConfig"]["serving"] = "serverless"
    (folder / "config.json").write_text(json.dumps(document))
    assert main(["validate", *files(folder)]) == 1
    said = capsys.readouterr()
    report = said.out + said.err
    assert "XGBoostTuning.max_parallel_jobs: must be at most max_jobs (4)" in report
    assert "EndpointConfig.data_capture: is not available for serverless endpoints" in report
