"""`python -m builders`: compile, validate, payload; bad input is a message, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
from support import REPO, STARTERS, load_starter

from builders.cli import main
from builders.compiling.compile import compile_pipeline

XGB = STARTERS / "xgboost_end_to_end"


def files(folder) -> list[str]:
    return ["--dag", str(folder / "dag.json"), "--config", str(folder / "config.json")]


@pytest.fixture
def design(tmp_path):
    """A copy of the xgboost starter to break in a test."""
    shutil.copytree(XGB, tmp_path / "design")
    return tmp_path / "design"


def edit_config(folder, edit) -> None:
    path = folder / "config.json"
    document = json.loads(path.read_text())
    edit(document["configuration"])
    path.write_text(json.dumps(document))


def test_compile_writes_the_definition(tmp_path, capsys):
    out = tmp_path / "pipeline.json"
    assert main(["compile", *files(XGB), "--out", str(out)]) == 0
    dag, configs, folder = load_starter("xgboost_end_to_end")
    expected = compile_pipeline(dag, configs, base_dir=folder).definition
    assert json.loads(out.read_text()) == expected
    message = capsys.readouterr().out
    assert "pipeline ml-team-fraud-xgboost-us-east-1, 9 steps" in message


def test_compile_takes_a_pipeline_name(tmp_path):
    out = tmp_path / "p.json"
    assert main(["compile", *files(XGB), "--out", str(out), "--name", "my-pipeline"]) == 0
    assert json.loads(out.read_text())["Steps"]


def test_validate_accepts_a_complete_design(capsys):
    assert main(["validate", *files(XGB)]) == 0
    assert capsys.readouterr().out.startswith("Valid:")


def test_validate_reports_every_problem_node_by_node(design, capsys):
    def break_it(configuration):
        configuration["specific"]["Payload"]["expected_tps"] = 0
        configuration["specific"]["TabularPreprocessing"]["train_ratio"] = 1.5
        del configuration["specific"]["TabularPreprocessing"]["label_name"]

    edit_config(design, break_it)
    assert main(["validate", *files(design)]) == 1
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "Payload.expected_tps: must be at least 1" in err
    assert "TabularPreprocessing.train_ratio: must be less than 1" in err
    assert "TabularPreprocessing.label_name: is required" in err


def test_compile_refuses_an_invalid_design_with_the_same_report(design, tmp_path, capsys):
    edit_config(design, lambda c: c["shared"].update(role="not-a-role"))
    out = tmp_path / "p.json"
    assert main(["compile", *files(design), "--out", str(out)]) == 1
    assert "DataLoadingTraining.role: must be an IAM role ARN" in capsys.readouterr().err
    assert not out.exists()


def test_a_cycle_names_its_nodes(design, capsys):
    dag = json.loads((design / "dag.json").read_text())
    dag["DataLoadingTraining"] = ["XGBoostModel"]
    (design / "dag.json").write_text(json.dumps(dag))
    assert main(["validate", *files(design)]) == 1
    assert (
        "DataLoadingTraining -> TabularPreprocessing -> XGBoostTraining -> Packaging -> "
        "XGBoostModel -> DataLoadingTraining" in capsys.readouterr().err
    )


def test_a_missing_connection_says_what_to_connect(design, capsys):
    dag = json.loads((design / "dag.json").read_text())
    dag["Packaging"] = []
    (design / "dag.json").write_text(json.dumps(dag))
    assert main(["validate", *files(design)]) == 1
    err = capsys.readouterr().err
    assert "Packaging.model_artifacts: Input 'model_artifacts' needs model artifacts" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON: Expecting property name"),
        ("[1, 2]", "this file holds a list"),
        ('{"hello": "world"}', "lacks 'metadata' or 'configuration'"),
    ],
)
def test_a_malformed_config_file_is_a_message(design, capsys, content, message):
    (design / "config.json").write_text(content)
    assert main(["validate", *files(design)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_missing_file_is_a_message(tmp_path, capsys):
    config = str(XGB / "config.json")
    code = main(["compile", "--dag", str(tmp_path / "no.json"), "--config", config, "--out", "x"])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_missing_local_code_folder_names_node_and_field(design, tmp_path, capsys):
    shutil.rmtree(design / "inference")
    assert main(["compile", *files(design), "--out", str(tmp_path / "p.json")]) == 1
    err = capsys.readouterr().err
    assert "Packaging.source_dir: The folder inference" in err


def test_payload_writes_the_sample_archive(tmp_path, capsys):
    out = tmp_path / "payload.tar.gz"
    code = main(
        ["payload", "--config", str(XGB / "config.json"), "--node", "Payload", "--out", str(out)]
    )
    assert code == 0
    with tarfile.open(out) as archive:
        assert archive.getnames() == ["payload_sample.csv"]  # sample requests only
        assert archive.extractfile("payload_sample.csv").read() == b"0.0,0.0,0.0"
    manifest = json.loads((tmp_path / "payload.manifest.json").read_text())
    assert manifest["model_registration_objective"] == "FraudDetection"
    assert "text/csv: 0.0,0.0,0.0" in capsys.readouterr().out


def test_payload_of_a_node_that_is_not_a_payload_node(tmp_path, capsys):
    config = str(XGB / "config.json")
    code = main(["payload", "--config", config, "--node", "Packaging", "--out", str(tmp_path)])
    assert code == 1
    assert "'Packaging' is a PackagingConfig node; Payload nodes: ['Payload']" in (
        capsys.readouterr().err
    )


def test_python_dash_m_exit_codes_and_no_traceback(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text("{")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "builders",
            "validate",
            "--dag",
            str(XGB / "dag.json"),
            "--config",
            str(bad),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1
    assert "is not valid JSON" in run.stderr and "Traceback" not in run.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "builders", "compile"], capture_output=True, text=True, env=env
    )
    assert usage.returncode == 2 and "required" in usage.stderr


# -- every failure is a message: writes, names, files, endpoints, the SDK's own output --------
def cli(*args: str, env: dict | None = None, limits=None, timeout: float = 120):
    """`python -m builders ...` as a user runs it."""

    def limit():
        import resource

        for kind, value in (limits or {}).items():
            resource.setrlimit(kind, (value, value))

    return subprocess.run(
        [sys.executable, "-m", "builders", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=timeout,
        preexec_fn=limit if limits else None,
    )


def assert_message(run, *expected: str):
    assert run.returncode == 1, (run.stdout, run.stderr)
    output = run.stdout + run.stderr
    assert "Traceback" not in output and "╭" not in output, output
    for text in expected:
        assert text in run.stderr, run.stderr


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("{tmp}", "it is a folder"),
        ("", "it is a folder"),  # argparse's Path("") is the current folder, "."
        ("/dev/full", "it is not a regular file"),
        ("{tmp}/file.txt/pipeline.json", "a part of the path is a file, not a folder"),
    ],
)
def test_compile_says_why_it_cannot_write(tmp_path, capsys, out, reason):
    (tmp_path / "file.txt").write_text("x")
    out = out.format(tmp=tmp_path)
    assert main(["compile", *files(XGB), "--out", out]) == 1
    err = capsys.readouterr().err
    assert f"Cannot write the pipeline definition to '{out or '.'}': {reason}" in err
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")  # never replaced


def test_a_write_over_the_file_size_limit_is_a_message_and_keeps_the_old_file(tmp_path):
    import resource

    out = tmp_path / "pipeline.json"
    out.write_text("previous")
    run = cli("compile", *files(XGB), "--out", str(out), limits={resource.RLIMIT_FSIZE: 4096})
    assert_message(run, "file-size limit")
    assert out.read_text() == "previous" and len(list(tmp_path.iterdir())) == 1


def test_payload_out_a_folder_is_a_message(tmp_path, capsys):
    config = str(XGB / "config.json")
    assert main(["payload", "--config", config, "--node", "Payload", "--out", str(tmp_path)]) == 1
    assert "Cannot write the payload archive" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../../x y", "n" * 100_000, "-lead", "ok_but_underscore"])
def test_a_pipeline_name_is_checked_like_the_api_does(tmp_path, capsys, name):
    out = tmp_path / "p.json"
    assert main(["compile", *files(XGB), "--out", str(out), f"--name={name}"]) == 1
    assert "name: The pipeline name" in capsys.readouterr().err and not out.exists()


def test_dag_parents_that_are_not_names(design, capsys):
    (design / "dag.json").write_text(json.dumps({"Payload": [["Packaging"]], "Packaging": []}))
    assert main(["validate", *files(design)]) == 1
    assert "The parents of 'Payload' must be node names; one of them is a list" in (
        capsys.readouterr().err
    )


def test_a_source_dir_longer_than_a_file_name_fails_validation(design, capsys):
    edit_config(design, lambda c: c["specific"]["Packaging"].update(source_dir="i" * 300))
    assert main(["validate", *files(design)]) == 1
    assert "Packaging.source_dir: has a folder or file name longer than 255 bytes" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested more than 64 levels"),
        ('{"a": ' + "9" * 5000 + "}", "has a number too long to read"),
        ('{"a": NaN}', "holds NaN"),
    ],
)
def test_pathological_json_is_a_message_as_a_user_runs_it(tmp_path, text, message):
    bad = tmp_path / "config.json"
    bad.write_text(text)
    assert_message(cli("validate", "--dag", str(XGB / "dag.json"), "--config", str(bad)), message)


def test_a_named_pipe_as_config_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    run = cli("validate", "--dag", str(XGB / "dag.json"), "--config", str(fifo), timeout=60)
    assert_message(run, "is not a regular file")


def test_the_output_stays_ours_once_the_sdk_is_imported(tmp_path, design):
    """No rich traceback box, no botocore INFO lines, whatever AWS_ENDPOINT_URL says."""
    shutil.rmtree(design / "inference")
    env = {"AWS_ENDPOINT_URL": "not a url"}
    good = cli("compile", *files(XGB), "--out", str(tmp_path / "p.json"), env=env)
    assert good.returncode == 0, good.stderr
    assert good.stderr == "" and good.stdout.startswith("Wrote ")
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    bad = cli("compile", *files(design), "--out", str(tmp_path / "q.json"), env=env)
    assert_message(bad, "Packaging.source_dir: The folder inference")
    assert bad.stdout == "" and "INFO" not in bad.stderr


def test_validate_reports_a_design_that_fails_a_check_without_the_sagemaker_sdk(design):
    """`validate` answers quickly for a design the designer's checks refuse: the SDK is
    imported only to compile a design that passes them."""
    edit_config(design, lambda c: c["specific"]["Payload"].update(expected_tps=0))
    script = (
        "import sys\nfrom builders.cli import main\n"
        f"code = main(['validate', *{files(design)!r}])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'sagemaker'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert run.stdout.split("\n")[-2] == "1 []", run.stdout + run.stderr


def test_validate_checks_sagemakers_request_shapes(design, capsys):
    """101 environment entries passed `validate`; SageMaker takes 100 (issue 17)."""

    def many_variables(configuration):
        configuration["specific"]["DataLoadingTraining"]["processing_script_arguments"] = [
            "x" * 300
        ]

    edit_config(design, many_variables)
    assert main(["validate", *files(design)]) == 1
    err = capsys.readouterr().err
    assert "DataLoadingTraining.processing_script_arguments.0: SageMaker would refuse" in err
    assert "at most 256 characters in AppSpecification.ContainerArguments[0]" in err


CODE_STEPS = STARTERS / "features_function_and_lambda"


def test_the_code_steps_starter_validates_and_compiles(tmp_path, capsys):
    out = tmp_path / "pipeline.json"
    assert main(["validate", *files(CODE_STEPS)]) == 0
    assert main(["compile", *files(CODE_STEPS), "--out", str(out)]) == 0
    types = {step["Name"]: step["Type"] for step in json.loads(out.read_text())["Steps"]}
    assert (types["AddFeatures"], types["CheckFeatures"]) == ("Training", "Lambda")


def test_a_function_or_handler_that_is_not_there_is_named(tmp_path, capsys, monkeypatch):
    design = tmp_path / "design"
    shutil.copytree(CODE_STEPS, design)

    def break_it(configuration):
        configuration["specific"]["AddFeatures"]["function"] = "features.py:add_feature"
        configuration["specific"]["CheckFeatures"]["handler"] = "checks.check"

    edit_config(design, break_it)
    monkeypatch.chdir(design)  # where the code folder is, relative to the config file
    assert main(["validate", *files(design)]) == 1
    err = capsys.readouterr().err
    assert "AddFeatures.function: features.py has no top-level function 'add_feature'" in err
    assert "CheckFeatures.handler: checks.py has no top-level function 'check'" in err
    monkeypatch.chdir(tmp_path)  # elsewhere: compiling, which knows the config's folder, says it
    assert main(["compile", *files(design), "--out", str(tmp_path / "p.json")]) == 1
    assert "AddFeatures.function: features.py has no top-level function" in capsys.readouterr().err
