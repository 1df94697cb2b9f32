"""Peak memory of the process that runs a pipeline whose job writes a large output.

    python benchmarks/local_run_memory.py [--mb 1024] [--repeat 3]

Each measurement is a fresh process that starts the sandbox as the app does (moto in the
process, `builders.deploying.sandbox`), runs a two-step pipeline and reports its own peak
resident memory (ru_maxrss; the jobs are other processes): `Write` writes `--mb` MB to its
output, which the runner uploads to the sandbox's S3; `Read` takes it as its input, which the
runner downloads. The floor is the same run with a 1 MB output. Prints the medians and the
ratio to the floor: a runner that streams in bounded chunks stays near the floor whatever
the output's size.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REGION, BUCKET = "us-east-1", "local-run-memory"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
CONTAINER = "/opt/ml/processing"
WRITE = """\
import os, pathlib, sys
out = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing/output/data")
out.mkdir(parents=True, exist_ok=True)
block = bytes(range(256)) * 4096  # 1 MB
with open(out / "big.bin", "wb") as handle:
    for _ in range(int(sys.argv[1])):
        handle.write(block)
"""
READ = """\
import os, pathlib
root = pathlib.Path(os.environ["SM_PIPELINE_CONTAINER_ROOT"], "opt/ml/processing")
size = sum(p.stat().st_size for p in (root / "input/data").rglob("*") if p.is_file())
out = root / "output/data"
out.mkdir(parents=True, exist_ok=True)
(out / "size.txt").write_text(str(size))
"""


def definition(megabytes: int) -> str:
    """Write -> Read, built offline by the installed SDK through the builders' backend."""
    from builders.compiling.sagemaker_env import offline_build, pipeline_session
    from builders.compiling.sdk import backend, jobs

    with offline_build(REGION):
        sdk = backend()
        session = pipeline_session(REGION, BUCKET)

        def step(name, script, arguments, inputs):
            code = jobs.ProcessingInput("code", f"s3://{BUCKET}/code/", f"{CONTAINER}/input/code")
            destination = sdk.join([f"s3://{BUCKET}/runs", sdk.execution_id, name])
            job = jobs.ProcessingJob(
                image="123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs:latest",
                entrypoint=("python3", f"{CONTAINER}/input/code/{script}.py"),
                role=ROLE,
                instance_type="ml.m5.large",
                instance_count=1,
                volume_size_gb=30,
                base_job_name=name,
                inputs=(code, *inputs),
                outputs=(jobs.ProcessingOutput("data", f"{CONTAINER}/output/data", destination),),
                arguments=tuple(arguments or ()),
            )
            return sdk.processing_step(name, job, session=session, depends_on=[])

        write = step("Write", "write", [str(megabytes)], [])
        data = write.properties.ProcessingOutputConfig.Outputs["data"].S3Output.S3Uri
        read = step(
            "Read", "read", None, [jobs.ProcessingInput("data", data, f"{CONTAINER}/input/data")]
        )
        return sdk.pipeline("memory", [write, read], [], session).definition()


def child(definition_path: str) -> None:
    """One run in this process; prints its peak RSS in MiB."""
    from builders.deploying.sandbox import sandbox, stop_sandbox
    from builders.localrun import LocalRunner, RunStore

    url = sandbox().endpoint_url
    with tempfile.TemporaryDirectory() as folder:
        runner = LocalRunner(RunStore(Path(folder) / "runs"), endpoint_url=url, region=REGION)
        s3 = runner.aws.s3
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="code/write.py", Body=WRITE.encode())
        s3.put_object(Bucket=BUCKET, Key="code/read.py", Body=READ.encode())
        run = runner.run(Path(definition_path).read_text(), pipeline_name="memory")
        assert run.status == "Succeeded", run.failure_reason
    stop_sandbox()
    print(json.dumps({"peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(definition_path: Path) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(definition_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the measured run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_mib"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the large output, in MB")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for megabytes in (1, options.mb):
            paths[megabytes] = Path(folder) / f"definition-{megabytes}.json"
            paths[megabytes].write_text(definition(megabytes))
        floors, peaks = [], []
        for _ in range(options.repeat):  # interleaved: both see the same machine load
            floors.append(measure(paths[1]))
            peaks.append(measure(paths[options.mb]))
    floor, peak = statistics.median(floors), statistics.median(peaks)
    print(f"floor (1 MB output):        median peak RSS {floor:7.0f} MiB  {sorted(floors)}")
    print(
        f"large ({options.mb} MB output): median peak RSS {peak:7.0f} MiB  "
        f"{[round(p) for p in sorted(peaks)]}"
    )
    print(f"ratio to the floor: {peak / floor:.2f}x  (extra {peak - floor:.0f} MiB)")


if __name__ == "__main__":
    main()
