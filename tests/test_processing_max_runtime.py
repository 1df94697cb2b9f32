"""Processing steps have a run-time limit: `max_runtime_seconds`, compiled into the job's
StoppingCondition (SageMaker's bounds, from botocore) and enforced by the sandbox."""

from __future__ import annotations

import pytest
from localrun_support import REGION, ROLE
from support import start_moto

from builders.compiling.compile import compile_pipeline
from builders.configs import api_rules
from builders.deploying.deploy import Target, deploy
from builders.graph.dag import PipelineDAG
from builders.localrun import LocalRunner, RunStore
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.script_processing.config import ScriptProcessingConfig

SOURCES = ["s3://my-ml-bucket/raw/"]
LOOP = "import time\nprint('working', flush=True)\nwhile True:\n    time.sleep(0.1)\n"


def script(base, folder, **values) -> ScriptProcessingConfig:
    folder.mkdir(exist_ok=True)
    (folder / "loop.py").write_text(LOOP)
    return ScriptProcessingConfig(
        **base,
        script_folder=str(folder),
        script="loop.py",
        container="sklearn",
        container_version="1.2-1",
        input_ports={},
        output_ports={"out": "processed data"},
        **values,
    )


def stopping(config) -> dict | None:
    dag = PipelineDAG.from_adjacency({"Job": []})
    (step,) = compile_pipeline(dag, {"Job": config}).definition["Steps"]
    return step["Arguments"].get("StoppingCondition")


def test_the_bounds_are_sagemakers(base):
    rules = api_rules.shape("ProcessingMaxRuntimeInSeconds")
    for config_class in (DataLoadingConfig, ScriptProcessingConfig):
        (low, high) = [
            getattr(item, name)
            for name in ("ge", "le")
            for item in config_class.model_fields["max_runtime_seconds"].metadata
            if hasattr(item, name)
        ]
        assert (low, high) == (rules["min"], rules["max"])


def test_the_limit_is_compiled_into_the_stopping_condition(base, tmp_path):
    assert stopping(DataLoadingConfig(**base, data_sources=SOURCES)) is None
    limited = DataLoadingConfig(**base, data_sources=SOURCES, max_runtime_seconds=900)
    assert stopping(limited) == {"MaxRuntimeInSeconds": 900}
    assert stopping(script(base, tmp_path / "code")) is None
    assert stopping(script(base, tmp_path / "code", max_runtime_seconds=60)) == {
        "MaxRuntimeInSeconds": 60
    }


@pytest.mark.parametrize("seconds", [0, 777601])
def test_a_limit_outside_sagemakers_bounds_is_refused(base, seconds):
    with pytest.raises(ValueError, match="max_runtime_seconds"):
        DataLoadingConfig(**base, data_sources=SOURCES, max_runtime_seconds=seconds)


def test_the_sandbox_stops_a_looping_script_at_its_limit(base, tmp_path):
    server, url = start_moto()
    try:
        config = script({**base, "region": REGION}, tmp_path / "code", max_runtime_seconds=2)
        compiled = compile_pipeline(PipelineDAG.from_adjacency({"Loop": []}), {"Loop": config})
        deploy(compiled, Target("sandbox", REGION, endpoint_url=url), role_arn=ROLE)
        runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=url, region=REGION)
        run = runner.run(compiled.definition_json, pipeline_name=compiled.name)
    finally:
        server.stop()
    assert run.status == "Failed"
    assert run.steps["Loop"].reason == "The job ran over its limit of 2 s and was stopped."
    assert "working" in runner.store.log_tail(run.execution_id, "Loop")
