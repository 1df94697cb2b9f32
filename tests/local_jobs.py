"""Run a compiled pipeline's jobs on this machine, the way SageMaker would lay them out.

Each job gets its own container root (SM_PIPELINE_CONTAINER_ROOT); inputs whose S3 URI was
staged at compile time (code, settings) are written from the staged bytes, the others are
copied from the local folders of the steps that produced them; the staged entry point runs
in a subprocess. Only for tests: it proves builders and job scripts agree on every path.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from builders.compiling.compile import CompiledPipeline
from builders.scripts.container_paths import ROOT_ENV


class LocalRun:
    def __init__(self, compiled: CompiledPipeline, workdir: Path):
        self.steps = {step["Name"]: step for step in compiled.definition["Steps"]}
        self.staged = {obj.s3_uri: obj.content for obj in compiled.staged_objects}
        self.workdir = workdir
        self.logs: dict[str, str] = {}  # step name -> what its job printed

    def root(self, step_name: str) -> Path:
        return self.workdir / step_name

    def local(self, step_name: str, container_path: str) -> Path:
        return self.root(step_name) / container_path.lstrip("/")

    def _materialize(self, uri, local: Path, given: dict[str, Path], name: str) -> None:
        if isinstance(uri, str) and any(key.startswith(uri) for key in self.staged):
            for key, content in self.staged.items():
                if key.startswith(uri):
                    target = local / key[len(uri) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(content)
        elif name not in given:
            raise KeyError(f"no local data for input {name} ({uri})")
        elif given[name].is_dir():
            shutil.copytree(given[name], local, dirs_exist_ok=True)
        else:
            local.mkdir(parents=True, exist_ok=True)
            shutil.copy(given[name], local / given[name].name)

    def processing(self, step_name: str, **given: Path) -> dict[str, Path]:
        """Run a processing step; returns its outputs (port -> local folder)."""
        args = self.steps[step_name]["Arguments"]
        for item in args["ProcessingInputs"]:
            local = self.local(step_name, item["S3Input"]["LocalPath"])
            self._materialize(item["S3Input"]["S3Uri"], local, given, item["InputName"])
        app = args["AppSpecification"]
        script = self.local(step_name, app["ContainerEntrypoint"][-1])
        self._run(step_name, [sys.executable, str(script), *app.get("ContainerArguments", [])])
        return {
            out["OutputName"]: self.local(step_name, out["S3Output"]["LocalPath"])
            for out in args["ProcessingOutputConfig"]["Outputs"]
        }

    def training(self, step_name: str, **channels: Path) -> Path:
        """Run a training step; returns /opt/ml/model packed as SageMaker packs it."""
        args = self.steps[step_name]["Arguments"]
        for channel in args["InputDataConfig"]:
            name, uri = channel["ChannelName"], channel["DataSource"]["S3DataSource"]["S3Uri"]
            local = self.local(step_name, f"/opt/ml/input/data/{name}")
            self._materialize(uri, local, channels, name)
        hyper = args["HyperParameters"]
        code = self.local(step_name, "/opt/ml/code")
        archive = self.staged[hyper["sagemaker_submit_directory"].strip('"')]
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(code, filter="data")
        self._run(step_name, [sys.executable, str(code / hyper["sagemaker_program"].strip('"'))])
        model_dir = self.local(step_name, "/opt/ml/model")
        packed = self.workdir / f"{step_name}-model.tar.gz"
        with tarfile.open(packed, "w:gz") as tar:
            for path in sorted(model_dir.rglob("*")):
                tar.add(path, arcname=path.relative_to(model_dir).as_posix(), recursive=False)
        return packed

    def _run(self, step_name: str, command: list[str]) -> None:
        env = {**os.environ, ROOT_ENV: str(self.root(step_name))}
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if run.returncode:
            raise AssertionError(f"{step_name} failed:\n{run.stdout}\n{run.stderr}")
        self.logs[step_name] = run.stdout
