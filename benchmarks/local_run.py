"""Local run speed: a full starter run, and the runner's own overhead per step.

    python benchmarks/local_run.py [--repeat 3]

Against a moto sandbox on 127.0.0.1: the xgboost starter (compiled, deployed, sample data
seeded) run end to end; then chains of 10 and 50 cheap processing steps (each copies its
input to its output with a stdlib script). Overhead per step is the run's wall time minus the
jobs' own time (their processes, start to exit), divided by the number of steps: S3 transfers,
resolving, scheduling and the run store. The floor is one bare process of the same script.
Target: overhead under 0.2 s per step.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from builders.compiling.compile import compile_pipeline  # noqa: E402
from builders.compiling.sagemaker_env import offline_build, pipeline_session  # noqa: E402
from builders.compiling.sdk import backend, jobs  # noqa: E402
from builders.deploying.deploy import Target, deploy  # noqa: E402
from builders.designs.config_io import load_configs  # noqa: E402
from builders.graph.dag import load_dag  # noqa: E402
from builders.localrun import LocalRunner, RunStore, seed_sample_data  # noqa: E402

REGION, BUCKET = "us-east-1", "local-run-bench"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
CONTAINER = "/opt/ml/processing"
STARTER = REPO / "builders" / "starters" / "xgboost_end_to_end"
COPY = """\
import os, pathlib
root = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing")
out = root / "output/data"
out.mkdir(parents=True, exist_ok=True)
source = root / "input/data"
text = "".join(p.read_text() for p in source.rglob("*") if p.is_file()) if source.is_dir() else ""
(out / "lines.txt").write_text(text + "x\\n")
"""


def start_sandbox() -> tuple[object, str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def chain(size: int) -> str:
    """`size` processing steps, each reading the previous one's output (per-run locations),
    built offline by the installed SDK through the backend the builders use."""
    with offline_build(REGION):
        sdk = backend()
        session = pipeline_session(REGION, BUCKET)
        code = jobs.ProcessingInput("code", f"s3://{BUCKET}/code/", f"{CONTAINER}/input/code")
        steps, previous = [], None
        for number in range(size):
            inputs = [code]
            if previous is not None:
                uri = previous.properties.ProcessingOutputConfig.Outputs["data"].S3Output.S3Uri
                inputs.append(jobs.ProcessingInput("data", uri, f"{CONTAINER}/input/data"))
            destination = sdk.join([f"s3://{BUCKET}/runs", sdk.execution_id, f"S{number}"])
            job = jobs.ProcessingJob(
                image="123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs:latest",
                entrypoint=("python3", f"{CONTAINER}/input/code/copy.py"),
                role=ROLE,
                instance_type="ml.m5.large",
                instance_count=1,
                volume_size_gb=30,
                base_job_name=f"S{number}",
                inputs=tuple(inputs),
                outputs=(jobs.ProcessingOutput("data", f"{CONTAINER}/output/data", destination),),
            )
            previous = sdk.processing_step(f"S{number}", job, session=session, depends_on=[])
            steps.append(previous)
        return sdk.pipeline(f"chain-{size}", steps, [], session).definition()


def starter_seconds(runner: LocalRunner, url: str) -> tuple[float, float]:
    """(wall seconds, the jobs' own seconds summed) of one run of the xgboost starter."""
    compiled = compile_pipeline(
        load_dag(STARTER / "dag.json"), load_configs(STARTER / "config.json"), base_dir=STARTER
    )
    deploy(compiled, Target("sandbox", REGION, endpoint_url=url), role_arn=ROLE)
    seed_sample_data("xgboost_end_to_end", runner.aws.s3)
    start = time.perf_counter()
    run = runner.run(compiled.definition_json, pipeline_name=compiled.name)
    wall = time.perf_counter() - start
    assert run.status == "Succeeded", run.failure_reason
    return wall, sum(step.job_seconds or 0.0 for step in run.steps.values())


def overhead_per_step(runner: LocalRunner, definition: str, size: int) -> tuple[float, float]:
    """(wall seconds per step, runner overhead seconds per step) of one chain run."""
    start = time.perf_counter()
    run = runner.run(definition, pipeline_name=f"chain-{size}")
    wall = time.perf_counter() - start
    assert run.status == "Succeeded", run.failure_reason
    jobs = sum(step.job_seconds or 0.0 for step in run.steps.values())
    return wall / size, (wall - jobs) / size


def bare_process_seconds(folder: Path) -> float:
    """The floor: the copy script as a bare process, no runner, no S3."""
    script = folder / "copy.py"
    script.write_text(COPY)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(script)], env={"SM_PIPELINE_CONTAINER_ROOT": str(folder)}, check=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server, url = start_sandbox()
    folder = Path(tempfile.mkdtemp())
    runner = LocalRunner(RunStore(folder / "runs"), endpoint_url=url, region=REGION)
    runner.aws.s3.create_bucket(Bucket=BUCKET)
    runner.aws.s3.put_object(Bucket=BUCKET, Key="code/copy.py", Body=COPY.encode())
    try:
        starter = [starter_seconds(runner, url) for _ in range(args.repeat)]
        wall, jobs = (statistics.median(times[i] for times in starter) for i in (0, 1))
        print(
            f"xgboost starter, 9 steps: {wall:.2f} s wall, jobs' own time {jobs:.2f} s summed "
            f"(2 at a time; median of {args.repeat})"
        )
        floor = statistics.median(bare_process_seconds(folder) for _ in range(5))
        print(f"floor, one bare job process: {floor * 1000:.0f} ms")
        definitions = {size: chain(size) for size in (10, 50)}
        results = {}
        for size, definition in definitions.items():
            measured = [overhead_per_step(runner, definition, size) for _ in range(args.repeat)]
            wall, overhead = (statistics.median(m[i] for m in measured) for i in (0, 1))
            results[size] = overhead
            print(
                f"chain of {size:>2} steps: {wall * 1000:6.0f} ms per step, runner overhead "
                f"{overhead * 1000:5.0f} ms per step ({overhead / floor:.1f}x the floor)"
            )
        ratio = results[50] / results[10]
        print(f"overhead per step, 50/10: {ratio:.2f}x (constant per step would be 1x)")
        met = max(results.values()) < 0.2
        print(f"target (overhead < 0.2 s per step): {'met' if met else 'MISSED'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
