"""Hyperparameter tuning: the search a form offers, the SDK's TuningStep it compiles to, and
the sandbox running the trials for real (a training script that needs no framework)."""

from __future__ import annotations

import io
import json
import math
import tarfile
import textwrap
import time

import pytest
from localrun_support import BUCKET, REGION, build
from request_shapes import definition_problems
from support import BASE, HYPERPARAMETERS, STARTERS, start_moto

from builders.compiling.compile import compile_pipeline
from builders.compiling.run_policies import apply_run_policies
from builders.compiling.sagemaker_env import offline_build
from builders.compiling.sdk import backend, jobs
from builders.compiling.staging import CodeStager
from builders.configs.fields import form_fields
from builders.designs.config_io import node_values
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG, load_dag
from builders.graph.validation import validate_config
from builders.localrun import LocalRunner, RunStore
from builders.localrun.node_status import node_states
from builders.localrun.tuning import _choices, _ranges, tuning_job_name
from builders.registry import REGISTRY
from builders.scripts.metrics import metric_definitions
from builders.step_types.pytorch_tuning.config import PyTorchTuningConfig
from builders.step_types.xgboost_tuning.config import XGBoostTuningConfig

XGB = {**BASE, "hyperparameters": HYPERPARAMETERS}
NUMERIC = {**HYPERPARAMETERS, "cat_field_list": [], "tab_field_list": ["age", "amount"]}
PYTORCH = {
    **BASE,
    "bucket": BUCKET,
    "source_dir": f"s3://{BUCKET}/code/tune/sourcedir.tar.gz",
    "framework_version": "2.1.0",
    "py_version": "py310",
    "hyperparameters": HYPERPARAMETERS,
}


def request_problems(step: dict) -> list[str]:
    """Why SageMaker's request shapes (botocore's model, read by the tests' own checker)
    refuse this definition step."""
    return definition_problems({"Steps": [step]})


def problems(cls, values: dict) -> dict[str, str]:
    return {p.field: p.message for p in validate_config(cls, values)[1]}


# -- the form's search ---------------------------------------------------------------------
def test_each_hyperparameter_offers_fixed_a_range_or_values_typed_after_it():
    specs = {spec.name: spec for spec in form_fields(XGBoostTuningConfig)}
    search = {spec.name: spec for spec in form_fields(specs["hyperparameter_search"].model)}
    eta = {spec.name: spec for spec in form_fields(search["eta"].model)}
    assert eta["search"].options == ("fixed", "range", "values")
    assert eta["scaling"].options == ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
    assert (eta["min_value"].kind, eta["min_value"].gt, eta["min_value"].le) == ("float", 0, 1)
    assert eta["values"].kind == "list"
    depth = {spec.name: spec for spec in form_fields(search["max_depth"].model)}
    assert depth["min_value"].kind == "int" and depth["min_value"].le == 64
    assert "ReverseLogarithmic" not in depth["scaling"].options  # continuous ranges only
    method = {spec.name: spec for spec in form_fields(search["tree_method"].model)}
    assert method["search"].options == ("fixed", "values")  # a choice has no range
    assert method["values"].kind == "multichoice"
    assert set(method["values"].options) == {"auto", "exact", "approx", "hist"}
    # The objective metric is a choice among the metrics the XGBoost training declares.
    declared = tuple(item["Name"] for item in metric_definitions())
    assert specs["objective_metric"].options == declared
    assert {"strategy", "max_jobs", "max_parallel_jobs"} <= set(specs)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"hyperparameter_search": {}}, "hyperparameter_search", "tunes no hyperparameter"),
        (
            {
                "hyperparameter_search": {
                    "eta": {"search": "range", "min_value": 0.1, "max_value": 2}
                }
            },
            "hyperparameter_search.eta.max_value",
            "at most 1",
        ),
        (
            {
                "hyperparameter_search": {
                    "eta": {"search": "range", "min_value": 0.5, "max_value": 0.2}
                }
            },
            "hyperparameter_search.eta.max_value",
            "more than the minimum 0.5",
        ),
        (
            {
                "hyperparameter_search": {
                    "gamma": {
                        "search": "range",
                        "min_value": 0,
                        "max_value": 5,
                        "scaling": "Logarithmic",
                    }
                }
            },
            "hyperparameter_search.gamma.min_value",
            "more than 0 for Logarithmic",
        ),
        (
            {
                "hyperparameter_search": {
                    "gamma": {
                        "search": "range",
                        "min_value": 0,
                        "max_value": 5,
                        "scaling": "ReverseLogarithmic",
                    }
                }
            },
            "hyperparameter_search.gamma.scaling",
            "0 <= x < 1",
        ),
        (
            {"hyperparameter_search": {"max_depth": {"search": "values", "values": []}}},
            "hyperparameter_search.max_depth.values",
            "lists no value",
        ),
        (
            {"hyperparameter_search": {"tree_method": {"search": "values", "values": ["fast"]}}},
            "hyperparameter_search.tree_method.values.0",
            "must be one of",
        ),
        ({"strategy": "Grid"}, "hyperparameter_search.eta.search", "Grid search tries lists"),
        (
            {
                "strategy": "Grid",
                "max_jobs": 3,
                "hyperparameter_search": {
                    "eta": {"search": "values", "values": [0.1, 0.2]},
                    "tree_method": {"search": "values", "values": ["hist", "approx"]},
                },
            },
            "max_jobs",
            "the grid has 4 combinations",
        ),
        ({"max_jobs": 2, "max_parallel_jobs": 3}, "max_parallel_jobs", "at most max_jobs (2)"),
        ({"max_jobs": 501}, "max_jobs", "at most 500"),
        (
            {"objective_metric": "val:rmse"},
            "objective_metric",
            "for the objective binary:logistic: choose val:accuracy, val:logloss, val:auc",
        ),
    ],
)
def test_what_sagemaker_would_refuse_is_refused_naming_the_field(change, field, words):
    found = problems(XGBoostTuningConfig, {**XGB, **change})
    assert field in found, found
    assert words in found[field]


def test_a_regression_tunes_on_an_error_metric_which_it_minimizes():
    hyperparameters = {**HYPERPARAMETERS, "objective": "reg:squarederror", "is_binary": True}
    config = XGBoostTuningConfig(
        **{**XGB, "hyperparameters": hyperparameters, "objective_metric": "val:rmse"}
    )
    assert config.effective_objective_type == "Minimize"
    assert XGBoostTuningConfig(**XGB).effective_objective_type == "Maximize"  # val:auc


def test_pytorch_tuning_declares_the_metrics_its_script_prints():
    config = PyTorchTuningConfig(**PYTORCH)
    assert (
        config.objective_metric == "val:logloss" and config.effective_objective_type == "Minimize"
    )
    found = problems(PyTorchTuningConfig, {**PYTORCH, "objective_metric": "val:f1"})
    assert found["objective_metric"].startswith("is not a metric the training declares")
    custom = {
        **PYTORCH,
        "objective_metric": "val:f1",
        "metric_definitions": {"val:f1": "f1=(\\S+)"},
    }
    assert (
        "is required for the metric val:f1"
        in problems(PyTorchTuningConfig, custom)["objective_type"]
    )
    assert not problems(PyTorchTuningConfig, {**custom, "objective_type": "Maximize"})
    no_group = {**custom, "objective_type": "Maximize", "metric_definitions": {"val:f1": "f1=1"}}
    found = problems(PyTorchTuningConfig, no_group)
    assert "needs a group" in found["metric_definitions.val:f1"]


# -- what the best model carries, for the checks between nodes ------------------------------
TUNED = STARTERS / "xgboost_tuned_endpoint"


def tuned_problems(change=None) -> dict[tuple, str]:
    document = json.loads((TUNED / "config.json").read_text())
    if change:
        change(document["configuration"]["specific"])
    classes, values = node_values(document)
    found = check_and_wire(load_dag(TUNED / "dag.json"), classes, values)[0]
    return {(p.node, p.field): p.message for p in found}


def test_the_best_model_reads_the_trainings_features_so_the_payload_is_checked():
    assert tuned_problems() == {}

    def reverse(specific):
        variables = specific["Payload"]["source_model_inference_input_variable_list"]
        specific["Payload"]["source_model_inference_input_variable_list"] = dict(
            reversed(variables.items())
        )

    message = tuned_problems(reverse)[("Payload", "source_model_inference_input_variable_list")]
    assert "the model trained by 'XGBoostTuning' reads" in message


def test_a_pytorch_tuning_archive_may_hold_inference_code_as_its_training_s_may():
    (trained,) = REGISTRY.get("PyTorchTraining").outputs
    (tuned,) = REGISTRY.get("PyTorchTuning").outputs
    assert (tuned.kind, tuned.carries, tuned.partial) == (trained.kind, trained.carries, True)


# -- compiled by the SDK -------------------------------------------------------------------
def tuning_design(**change):
    """DataLoading -> TabularPreprocessing -> XGBoostTuning -> XGBoostModel, compiled."""
    dag = PipelineDAG()
    for node, parents in {
        "Load": [],
        "Prep": ["Load"],
        "Tune": ["Prep"],
        "Model": ["Tune"],
    }.items():
        dag.add_node(node)
        for parent in parents:
            dag.add_edge(parent, node)
    configs = {
        "Load": REGISTRY.get("DataLoading").config_class(
            **BASE, data_sources=["s3://my-ml-bucket/data/"]
        ),
        "Prep": REGISTRY.get("TabularPreprocessing").config_class(**BASE, label_name="label"),
        # Numbers only: the default handler of a model without inference code reads them.
        "Tune": XGBoostTuningConfig(**{**XGB, "hyperparameters": NUMERIC, **change}),
        "Model": REGISTRY.get("XGBoostModel").config_class(**BASE),
    }
    return compile_pipeline(dag, configs)


def sdk_encoded(values: dict) -> dict:
    """Categorical values as the installed SDK writes them: 2.x JSON-encodes each one."""
    if backend().MAJOR == 3:
        return values

    def encoded(value):
        return [json.dumps(v) for v in value] if isinstance(value, list) else json.dumps(value)

    return {name: encoded(value) for name, value in values.items()}


def steps_of(compiled) -> dict[str, dict]:
    return {step["Name"]: step for step in compiled.definition["Steps"]}


def test_tuning_compiles_to_the_sdks_tuning_step_and_the_model_reads_the_best_trial():
    compiled = tuning_design(max_jobs=6, max_parallel_jobs=3, random_seed=11)
    steps = steps_of(compiled)
    tune = steps["Tune"]
    assert tune["Type"] == "Tuning" and tune["DependsOn"] == ["Prep"]
    config = tune["Arguments"]["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Random" and config["RandomSeed"] == 11
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 3}
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": "Maximize",
        "MetricName": "val:auc",
    }
    assert config["ParameterRanges"]["ContinuousParameterRanges"] == [
        {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
    ]
    assert config["ParameterRanges"]["IntegerParameterRanges"] == [
        {"Name": "max_depth", "MinValue": "2", "MaxValue": "8", "ScalingType": "Auto"}
    ]
    training = tune["Arguments"]["TrainingJobDefinition"]
    # The trials run the XGBoost training's job: its script and the metrics it declares.
    assert training["AlgorithmSpecification"]["MetricDefinitions"] == metric_definitions()
    # Script mode in both SDKs (the tuning API takes no container entry point); 2.x
    # JSON-encodes a framework's hyperparameters, 3.x's tuner passes them as they are and
    # adds its drivers' channel (README, "SageMaker Python SDK 2.x and 3.x").
    sdk3 = backend().MAJOR == 3
    program = training["StaticHyperParameters"]["sagemaker_program"]
    assert program == ("xgboost_train.py" if sdk3 else '"xgboost_train.py"')
    assert "sagemaker_job_name" not in training["StaticHyperParameters"]  # no dated name
    assert {c["ChannelName"] for c in training["InputDataConfig"]} == {
        "train",
        "val",
        "test",
        "config",
        *(["sm_drivers"] if sdk3 else []),
    }
    model_data = steps["Model-CreateModel"]["Arguments"]["PrimaryContainer"]["ModelDataUrl"]
    # The best trial's model, read from the tuning step alone (its output path included,
    # so a cached step's earlier trials are found too).
    assert model_data == {
        "Std:Join": {
            "On": "/",
            "Values": [
                {"Get": "Steps.Tune.TrainingJobDefinition.OutputDataConfig.S3OutputPath"},
                {"Get": "Steps.Tune.TrainingJobSummaries[0].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }
    assert request_problems(tune) == []
    assert tuning_design(max_jobs=6, max_parallel_jobs=3, random_seed=11).definition_json == (
        compiled.definition_json
    )  # the same design, the same definition


def test_a_grid_search_lists_values_and_lets_sagemaker_count_the_jobs():
    search = {
        "num_round": {"search": "values", "values": [50, 100]},
        "tree_method": {"search": "values", "values": ["hist", "approx"]},
    }
    tune = steps_of(tuning_design(strategy="Grid", hyperparameter_search=search))["Tune"]
    config = tune["Arguments"]["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Grid"
    assert "MaxNumberOfTrainingJobs" not in config["ResourceLimits"]
    ranges = {
        r["Name"]: r["Values"] for r in config["ParameterRanges"]["CategoricalParameterRanges"]
    }
    # 2.x encodes each value as JSON (a number twice), 3.x passes it as it is; the training
    # reads either back (scripts/container_paths.py).
    assert ranges == sdk_encoded({"num_round": ["50", "100"], "tree_method": ["hist", "approx"]})
    assert request_problems(tune) == []


# -- trials in the sandbox -----------------------------------------------------------------
def test_random_draws_stay_in_their_range_and_follow_its_scaling():
    ranges = _ranges(
        {
            "ContinuousParameterRanges": [
                {
                    "Name": "lr",
                    "MinValue": "0.0001",
                    "MaxValue": "0.1",
                    "ScalingType": "Logarithmic",
                },
                {"Name": "dropout", "MinValue": "0", "MaxValue": "0.5", "ScalingType": "Linear"},
                {
                    "Name": "momentum",
                    "MinValue": "0.9",
                    "MaxValue": "0.9999",
                    "ScalingType": "ReverseLogarithmic",
                },
            ],
            "IntegerParameterRanges": [
                {"Name": "depth", "MinValue": "2", "MaxValue": "9", "ScalingType": "Auto"}
            ],
        }
    )
    draws = list(_choices("Random", ranges, 400, seed=5))
    assert draws == list(_choices("Random", ranges, 400, seed=5))  # repeatable
    lr = [float(d["lr"]) for d in draws]
    dropout = [float(d["dropout"]) for d in draws]
    momentum = [float(d["momentum"]) for d in draws]
    depth = [int(d["depth"]) for d in draws]
    assert min(lr) >= 0.0001 and max(lr) <= 0.1
    # Log-uniform: half the draws fall below the geometric mean, not the middle.
    assert 0.4 < sum(v < math.sqrt(0.0001 * 0.1) for v in lr) / len(lr) < 0.6
    assert 0.4 < sum(v < 0.25 for v in dropout) / len(dropout) < 0.6
    # Reverse-log: 1 - x is log-uniform, so a third of the draws fall in 0.9..0.99 (one of
    # the three decades of 1 - x) and half below 1 - the geometric mean of 1 - x.
    assert min(momentum) >= 0.9 and max(momentum) <= 0.9999
    assert 0.25 < sum(v < 0.99 for v in momentum) / len(momentum) < 0.4
    assert 0.4 < sum(v < 1 - math.sqrt(0.0001 * 0.1) for v in momentum) / len(momentum) < 0.6
    assert set(depth) == set(range(2, 10))


def test_a_small_space_is_searched_without_repeating_a_combination():
    ranges = _ranges({"CategoricalParameterRanges": [{"Name": "opt", "Values": ['"a"', '"b"']}]})
    assert sorted(d["opt"] for d in _choices("Random", ranges, 5, seed=1)) == ['"a"', '"b"']
    grid = _ranges(
        {
            "CategoricalParameterRanges": [
                {"Name": "x", "Values": ["1", "2"]},
                {"Name": "y", "Values": ['"p"', '"q"', '"r"']},
            ]
        }
    )
    assert [tuple(d.values()) for d in _choices("Grid", grid, None, seed=0)] == [
        ("1", '"p"'), ("1", '"q"'), ("1", '"r"'), ("2", '"p"'), ("2", '"q"'), ("2", '"r"'),
    ]  # fmt: skip


def test_a_tuning_job_name_fits_sagemakers_32_characters():
    assert tuning_job_name("abcdefghijkl", "Tune") == "abcdefghijkl-Tune"
    long = tuning_job_name("abcdefghijkl", "A_very_long_tuning_step_name")
    assert len(long) <= 32 and long != tuning_job_name("abcdefghijkl", "A_very_long_tuning_step")


TRAIN = """
import json, math, os, pathlib, sys, time

# The settings, and the trial's values over them as a SageMaker training script gets
# hyperparameters (a categorical number arrives as a JSON string: "0.003").
settings = json.loads(pathlib.Path(os.environ["SM_CHANNEL_CONFIG"], "settings.json").read_text())
lr = float(json.loads(os.environ.get("SM_HP_LR", json.dumps(settings["lr"]))))
optimizer = os.environ.get("SM_HP_OPTIMIZER", settings["optimizer"])
if optimizer == "SGD":
    sys.exit("SGD diverged at epoch 1")
if lr > 0.5:
    time.sleep(60)  # a slow trial: the run's stop ends it
model = pathlib.Path(os.environ["SM_MODEL_DIR"])
(model / "model.json").write_text(json.dumps({"lr": lr, "optimizer": optimizer}))
if optimizer == "AdamW":
    print("trained, but this script forgot to print its metric")
else:
    print(f"val_logloss={abs(math.log10(lr) + 2.5) + settings['dropout']:.6f}")
"""


def source_archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = textwrap.dedent(text).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def sandbox():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture
def runner(sandbox, tmp_path):
    runner = LocalRunner(RunStore(tmp_path / "runs"), endpoint_url=sandbox, region=REGION)
    s3 = runner.aws.s3
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="code/tune/sourcedir.tar.gz", Body=source_archive({"train.py": TRAIN})
    )
    for split in ("train", "val", "test"):
        s3.put_object(Bucket=BUCKET, Key=f"tune-data/{split}/rows.csv", Body=b"a,b\n1,2\n")
    return runner


def tuning_pipeline(runner, **change) -> str:
    """PyTorchTuning (built by its builder) -> a model step reading the best trial's model."""
    config = PyTorchTuningConfig(**{**PYTORCH, **change})
    stager = CodeStager()

    def steps(sdk):
        builder_class = REGISTRY.get("PyTorchTuning").builder_class()
        builder = builder_class(
            config, node_name="Tune", stager=stager, sagemaker_session=sdk.session
        )
        tune = builder.create_step(training_data=f"s3://{BUCKET}/tune-data")
        apply_run_policies(tune, config)  # as the template does: caching, retries
        best = builder.output_properties(tune)["model_artifacts"]
        container = jobs.Container(
            image="123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:latest",
            model_data=best,
            role=BASE["role"],
            instance_type="ml.m5.large",
        )
        create = sdk.backend.model_step("Best", container, session=sdk.session, depends_on=[])
        return [tune, create]

    definition = build(steps)
    for staged in stager.objects:  # what deploy uploads: the settings file
        bucket, _, key = staged.s3_uri[len("s3://") :].partition("/")
        runner.aws.s3.put_object(Bucket=bucket, Key=key, Body=staged.content)
    return definition


def grid(**values) -> dict:
    return {name: {"search": "values", "values": items} for name, items in values.items()}


def test_a_grid_runs_every_trial_and_the_best_model_feeds_the_next_step(runner):
    search = grid(lr=[0.001, 0.003, 0.1], optimizer=["Adam", "SGD", "AdamW"])
    definition = tuning_pipeline(runner, strategy="Grid", max_jobs=9, hyperparameter_search=search)
    run = runner.run(definition, pipeline_name="tune-grid")

    assert run.status == "Succeeded", run.failure_reason
    tune = run.steps["Tune"]
    summaries = tune.properties["TrainingJobSummaries"]
    assert len(summaries) == 9
    done = [s for s in summaries if s["TrainingJobStatus"] == "Completed"]
    assert [s["TunedHyperParameters"] for s in done] == [
        sdk_encoded({"lr": "0.003", "optimizer": "Adam"}),  # |log10(0.003) + 2.5| is smallest
        sdk_encoded({"lr": "0.001", "optimizer": "Adam"}),
        sdk_encoded({"lr": "0.1", "optimizer": "Adam"}),
    ]  # best first (minimized log loss), failed trials after them
    losses = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in done]
    assert losses == sorted(losses) and losses[0] == pytest.approx(
        abs(math.log10(0.003) + 2.5) + 0.1, abs=1e-6
    )  # as the script printed it, with six decimals
    failed = summaries[3:]
    reasons = [s["FailureReason"] for s in failed]
    assert sum("SGD diverged at epoch 1" in reason for reason in reasons) == 3
    assert sum("its log has no val:logloss" in reason for reason in reasons) == 3
    assert tune.properties["BestTrainingJob"] == summaries[0]
    assert tune.properties["TrainingJobStatusCounters"]["Completed"] == 3
    # Trials ran in grid order, one job each, named as SageMaker names a tuning's jobs.
    names = [s["TrainingJobName"] for s in sorted(summaries, key=lambda s: s["TrainingJobName"])]
    assert [name.split("-")[-2] for name in names] == [f"{n:03d}" for n in range(1, 10)]
    best_job = summaries[0]["TrainingJobName"]
    model_data = run.steps["Best-CreateModel"].properties["PrimaryContainer"]["ModelDataUrl"]
    assert model_data == (
        f"s3://{BUCKET}/pipelines/{PyTorchTuningConfig(**PYTORCH).pipeline_name}/1.0.0/runs/"
        f"{run.execution_id}/Tune/model_artifacts/{best_job}/output/model.tar.gz"
    )
    bucket, _, key = model_data[len("s3://") :].partition("/")
    archive = runner.aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert json.loads(tar.extractfile("model.json").read()) == {
            "lr": 0.003,
            "optimizer": "Adam",
        }
    # The canvas's run section lists the trials (the node's reason on a success).
    status = node_states(run, ["Tune", "Best"])["Tune"]
    assert status.state == "succeeded"
    assert status.outcome == "best val:logloss 0.1229 of 9 trials"  # on the node's chip
    assert status.reason.startswith("9 trial(s), Grid search, minimize val:logloss. Best: trial 4")
    assert "Trial 4: lr=0.003, optimizer=Adam -> 0.1229" in status.reason
    assert "Trial 5: lr=0.003, optimizer=SGD -> failed: The job exited with code 1" in status.reason
    log = runner.store.log_tail(run.execution_id, "Tune", 400)
    assert "[trial 9]" in log and "trial 9 failed: its log has no val:logloss" in log


def test_every_trial_failing_fails_the_step_with_the_first_reason(runner):
    definition = tuning_pipeline(
        runner, strategy="Grid", hyperparameter_search=grid(optimizer=["SGD"])
    )
    run = runner.run(definition, pipeline_name="tune-fails")
    assert run.status == "Failed"
    reason = run.steps["Tune"].reason
    assert reason.startswith("Every trial of tuning job") and "SGD diverged at epoch 1" in reason
    assert run.steps["Best-CreateModel"].state == "skipped"


def test_stopping_the_run_ends_the_running_trial_and_starts_no_other(runner):
    search = grid(lr=[0.9, 0.001])  # the first trial sleeps
    definition = tuning_pipeline(runner, strategy="Grid", hyperparameter_search=search)
    execution = runner.start(definition, pipeline_name="tune-stop")
    deadline = time.monotonic() + 60
    while "trial 1 (" not in runner.store.log_tail(execution.id, "Tune", 50):
        assert time.monotonic() < deadline, "the first trial did not start"
        time.sleep(0.1)
    time.sleep(1)  # its job is running
    started = time.monotonic()
    execution.stop()
    run = execution.wait(timeout=30)
    assert run.status == "Stopped" and run.steps["Tune"].state == "stopped"
    assert time.monotonic() - started < 20  # not the 60 s the trial would sleep
    assert "trial 2" not in runner.store.log_tail(run.execution_id, "Tune", 400)


def test_a_pytorch_tuning_step_is_what_sagemaker_accepts():
    config = PyTorchTuningConfig(**PYTORCH, max_jobs=3)
    builder_class = REGISTRY.get("PyTorchTuning").builder_class()
    step = builder_class(config, node_name="Tune").create_step(training_data="s3://b/data")
    with offline_build(REGION):
        request = json.loads(json.dumps(step.to_request(), default=lambda v: v.expr))
    assert request_problems(request) == []
    algorithm = request["Arguments"]["TrainingJobDefinition"]["AlgorithmSpecification"]
    assert {m["Name"] for m in algorithm["MetricDefinitions"]} == set(config.metric_definitions)
    limits = request["Arguments"]["HyperParameterTuningJobConfig"]["ResourceLimits"]
    assert limits == {"MaxNumberOfTrainingJobs": 3, "MaxParallelTrainingJobs": 2}


def test_a_cached_tuning_step_returns_the_earlier_runs_best_model(runner):
    """SageMaker caches tuning steps by the search and the trials' training (not their
    output path, which holds the run's execution id)."""
    search = grid(lr=[0.001, 0.003])
    change = {"cache_enabled": True, "strategy": "Grid", "hyperparameter_search": search}
    definition = tuning_pipeline(runner, **change)
    first = runner.run(definition, pipeline_name="tune-cached")
    second = runner.run(definition, pipeline_name="tune-cached")
    assert first.status == second.status == "Succeeded", second.failure_reason
    tune = second.steps["Tune"]
    assert tune.state == "cached" and tune.source_execution == first.execution_id
    best = second.steps["Best-CreateModel"].properties["PrimaryContainer"]["ModelDataUrl"]
    assert f"/runs/{first.execution_id}/Tune/" in best  # the earlier run's best model
    other = tuning_pipeline(runner, **{**change, "hyperparameter_search": grid(lr=[0.01])})
    assert runner.run(other, pipeline_name="tune-cached").steps["Tune"].state == "succeeded"
