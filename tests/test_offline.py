"""Compiling opens no network connection and needs no AWS account (docs/architecture.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from support import REPO, STARTERS, load_starter

from builders.compiling.compile import compile_pipeline
from builders.compiling.sagemaker_env import installed_major
from builders.compiling.template import PipelineBuilderTemplate

# Refuses and records every connection and name lookup (even ones a library catches and
# hides, such as a credential lookup), then imports the SDK and compiles with the CLI.
GUARD = textwrap.dedent(
    """
    import socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args[1:] or args))
        raise OSError("network access during an offline compile")
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.getaddrinfo = socket.create_connection = refuse
    """
)
OFFLINE_COMPILE = GUARD + textwrap.dedent(
    """
    import threading
    from builders.cli import main
    code = main(["compile", "--dag", sys.argv[1], "--config", sys.argv[2], "--out", sys.argv[3]])
    assert "sagemaker" in sys.modules  # the SDK was imported and used under the guard
    for thread in threading.enumerate():  # the SDK sends telemetry from a thread of its own
        if thread is not threading.current_thread():
            thread.join(timeout=10)
    print("network attempts:", attempts, file=sys.stderr)
    sys.exit(code or len(attempts))
    """
)


def clean_environment(home) -> dict:
    """No AWS credentials, profile or config anywhere: a machine without an AWS account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_"))}
    return {**env, "HOME": str(home), "PYTHONPATH": str(REPO)}


def python(script: str, *args, home) -> subprocess.CompletedProcess:
    """`script` in a fresh interpreter on a machine without an AWS account."""
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        env=clean_environment(home),
        timeout=300,
    )


@pytest.mark.parametrize(
    "starter", ["xgboost_end_to_end", "pytorch_model_registration", "features_function_and_lambda"]
)
def test_compile_in_a_fresh_process_with_sockets_blocked(starter, tmp_path):
    folder = STARTERS / starter
    out = tmp_path / "pipeline.json"
    run = python(OFFLINE_COMPILE, folder / "dag.json", folder / "config.json", out, home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "network attempts: []" in run.stderr
    assert json.loads(out.read_text())["Steps"]


def test_compile_in_process_with_sockets_blocked(no_network):
    for starter in (
        "xgboost_end_to_end",
        "pytorch_model_registration",
        "features_function_and_lambda",
    ):
        dag, configs, folder = load_starter(starter)
        assert compile_pipeline(dag, configs, base_dir=folder).step_names


# A step type's builder imported before anything else: the SDK's offline set-up still happens.
IMPORT_ORDER = GUARD + textwrap.dedent(
    """
    import importlib, logging
    root = logging.getLogger()
    before = (sys.excepthook, root.level, list(root.handlers))
    importlib.import_module(sys.argv[2])  # first, before anything else of ours
    assert (sys.excepthook, root.level, list(root.handlers)) == before, "process changed"
    from builders.compiling.compile import compile_pipeline
    from builders.designs.config_io import load_configs
    from builders.graph.dag import load_dag
    folder = sys.argv[1]
    compiled = compile_pipeline(
        load_dag(folder + "/dag.json"), load_configs(folder + "/config.json"), base_dir=folder
    )
    assert compiled.step_names
    print("network attempts:", attempts, file=sys.stderr)
    sys.exit(len(attempts))
    """
)


@pytest.mark.parametrize(
    "module",
    [
        "builders.step_types.xgboost_training.builder",
        "builders.step_types.batch_transform.builder",
        "builders.step_types.model_registration.builder",
    ],
)
def test_importing_a_step_module_first_still_compiles_offline(tmp_path, module):
    run = python(IMPORT_ORDER, STARTERS / "xgboost_end_to_end", module, home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "network attempts: []" in run.stderr


# What a compile may not change in the process that calls it (a multi-threaded app server).
PROCESS_STATE = textwrap.dedent(
    """
    import gc, json, logging, os, sys, warnings
    import boto3

    def state():
        root = logging.getLogger()
        return {
            "excepthook": repr(sys.excepthook),
            "root logger": [root.level, [repr(h) for h in root.handlers]],
            "warning filters": len(warnings.filters),
            "boto3 default session": repr(boto3.DEFAULT_SESSION),
            "gc": [gc.isenabled(), gc.get_freeze_count(), gc.get_threshold()],
            "environment": dict(os.environ),
        }

    before = state()
    from builders.compiling.compile import compile_pipeline
    from builders.designs.config_io import load_configs
    from builders.graph.dag import load_dag
    for folder in sys.argv[1:]:
        dag, configs = load_dag(folder + "/dag.json"), load_configs(folder + "/config.json")
        compile_pipeline(dag, configs, base_dir=folder)
    after = state()
    print(json.dumps({k: [before[k], after[k]] for k in before if before[k] != after[k]}))
    """
)


def test_a_compile_leaves_the_process_as_it_found_it(tmp_path):
    """No excepthook, root logger, warning filter, boto3 session, GC setting or environment
    variable changed by importing the SDK and compiling (issue 11)."""
    folders = [
        str(STARTERS / name) for name in ("xgboost_end_to_end", "pytorch_model_registration")
    ]
    run = python(PROCESS_STATE, *folders, home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[-1]) == {}


@pytest.mark.skipif(installed_major() < 3, reason="SDK 3's ModelTrainer sends telemetry")
def test_sdk_3_trainers_opt_out_of_telemetry_through_the_sdks_own_setting():
    """A training step's ModelTrainer has a session whose SDK config says TelemetryOptOut,
    read by the SDK's own lookup, and the config passes the SDK's schema."""
    from sagemaker.core.common_utils import resolve_value_from_config
    from sagemaker.core.config.config_manager import SageMakerConfig
    from sagemaker.core.config.config_schema import TELEMETRY_OPT_OUT_PATH

    dag, configs, folder = load_starter("xgboost_end_to_end")
    pipeline = PipelineBuilderTemplate(dag, configs, base_dir=folder).generate_pipeline()
    (training,) = [step for step in pipeline.steps if step.step_type.value == "Training"]
    session = training.step_args.func_args[0].sagemaker_session  # the ModelTrainer's
    SageMakerConfig.validate_sagemaker_config(session.sagemaker_config)
    assert (
        resolve_value_from_config(config_path=TELEMETRY_OPT_OUT_PATH, sagemaker_session=session)
        is True
    )


# Records the files of SageMaker's service model read after the SDK's import, then compiles
# with the CLI.
COUNTED_COMPILE = textwrap.dedent(
    """
    import json, sys
    from botocore.loaders import JSONFileLoader
    from builders.cli import main
    from builders.compiling.sagemaker_env import sdk
    sdk()
    reads, load_file = [], JSONFileLoader.load_file
    def counted(self, file_path, *args, **kwargs):
        if file_path.replace("\\\\", "/").split("/")[-3] == "sagemaker":
            reads.append(file_path.rsplit("/", 1)[-1])
        return load_file(self, file_path, *args, **kwargs)
    JSONFileLoader.load_file = counted
    code = main(["compile", "--dag", sys.argv[1], "--config", sys.argv[2], "--out", sys.argv[3]])
    print("reads:", json.dumps(reads))
    sys.exit(code)
    """
)


def test_a_compile_reads_the_sagemaker_service_model_at_most_once(tmp_path):
    """The config checks and the offline sessions share one loader (under 3.x the SDK's
    import filled it already): the checks once read the model (megabytes of JSON, ~40 ms)
    twice more with loaders of their own."""
    folder = STARTERS / "xgboost_quality_gate"
    run = python(
        COUNTED_COMPILE, folder / "dag.json", folder / "config.json", tmp_path / "p.json",
        home=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("reads: ")
    reads = run.stdout.splitlines()[-1].removeprefix("reads: ")
    assert json.loads(reads).count("service-2") <= 1, reads
