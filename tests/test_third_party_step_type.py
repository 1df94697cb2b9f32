"""A step type from another package, found through the entry point group, end to end.

`tests/plugins/feature_filter_step` is a package of its own (pip installs it from its
pyproject). The `site` fixture installs it as pip lays out a wheel (the package and a
dist-info with its entry points) in a folder of its own, offline; nothing in the project
names it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import tomllib
from app_support import (
    add_step,
    app,
    canvas_edit,
    create_from_starter,
    design_of,
    panel_field,
    panel_labels,
    texts,
)
from support import BASE, REPO

from builders.assistant.planner import catalog, plan_offline
from builders.compiling.compile import compile_pipeline
from builders.designs.config_io import merge_and_save_configs
from builders.graph.checks import check_and_wire
from builders.graph.dag import PipelineDAG
from builders.registry import ENTRY_POINT_GROUP, REGISTRY, register_installed
from builders.step_types.data_loading.config import DataLoadingConfig
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig
from builders.step_types.xgboost_training.config import XGBoostTrainingConfig

PLUGIN = Path(__file__).parent / "plugins" / "feature_filter_step"


def install(site: Path, package: Path, project: dict) -> Path:
    """`package` and its dist-info (METADATA, entry_points.txt) in `site`, as pip does."""
    shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    name, version = project["name"], project["version"]
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = []
    for group, entries in project["entry-points"].items():
        lines += [f"[{group}]", *(f"{key} = {value}" for key, value in entries.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    assert ENTRY_POINT_GROUP in project["entry-points"]
    return install(tmp_path_factory.mktemp("site"), PLUGIN / "feature_filter_step", project)


@pytest.fixture
def installed(site, monkeypatch):
    """The plugin on sys.path, registered as the registry does at import."""
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(REGISTRY, "_types", dict(REGISTRY._types))  # as it was, after
    yield register_installed(REGISTRY)
    for module in [m for m in sys.modules if m.split(".")[0] == "feature_filter_step"]:
        del sys.modules[module]


def _configs(base=BASE):
    from feature_filter_step.config import FeatureFilterConfig

    dag = PipelineDAG.from_adjacency({"Load": [], "Filter": ["Load"], "Prep": ["Filter"]})
    configs = {
        "Load": DataLoadingConfig(**base, data_sources=["s3://my-ml-bucket/raw/"]),
        "Filter": FeatureFilterConfig(**base, keep_columns=["label", "amount"]),
        "Prep": TabularPreprocessingConfig(**base, label_name="label"),
    }
    return dag, configs


def test_the_library_registers_wires_and_compiles_it(installed):
    assert installed == ["FeatureFilter"]
    assert "FeatureFilter" in REGISTRY.names()
    assert "- FeatureFilter: Keeps only the columns" in catalog()
    plan = plan_offline("load the data, then a feature filter, then preprocessing")
    assert "FeatureFilter" in plan.proposal.step_types.values()
    dag, configs = _configs()
    compiled = compile_pipeline(dag, configs)
    steps = {s["Name"]: s["Arguments"] for s in compiled.definition["Steps"]}
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in steps["Filter"]["ProcessingInputs"]}
    staged = {o.s3_uri: o.content for o in compiled.staged_objects}
    settings = json.loads(staged[inputs["config"] + "settings.json"])
    assert settings == {"keep_columns": ["label", "amount"], "drop_empty_rows": False}
    assert {inputs["code"] + "feature_filter.py", inputs["code"] + "container_paths.py"} <= set(
        staged
    )
    prep = {i["InputName"]: i["S3Input"]["S3Uri"] for i in steps["Prep"]["ProcessingInputs"]}
    assert prep["data"] == {
        "Get": "Steps.Filter.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri"
    }


def test_its_job_script_keeps_the_listed_columns(installed, tmp_path):
    from feature_filter_step.job import feature_filter

    (tmp_path / "input/config").mkdir(parents=True)
    (tmp_path / "input/data").mkdir(parents=True)
    settings = {"keep_columns": ["amount", "label"], "drop_empty_rows": True}
    (tmp_path / "input/config/settings.json").write_text(json.dumps(settings))
    (tmp_path / "input/data/part.csv").write_text("label,id,amount\n1,a,3.5\n0,b,\n")
    feature_filter.main(tmp_path)
    rows = list(csv.reader((tmp_path / "output/data/part.csv").open()))
    assert rows == [["amount", "label"], ["3.5", "1"]]


def test_the_cli_finds_it_through_its_entry_point(installed, site, tmp_path):
    dag, configs = _configs()
    (tmp_path / "dag.json").write_text(json.dumps(dag.to_adjacency()))
    merge_and_save_configs(configs, tmp_path / "config.json")
    files = ["--dag", str(tmp_path / "dag.json"), "--config", str(tmp_path / "config.json")]
    environment = {**os.environ, "PYTHONPATH": str(site)}
    out = tmp_path / "pipeline.json"
    for command in (["validate", *files], ["compile", *files, "--out", str(out)]):
        run = subprocess.run(
            [sys.executable, "-m", "builders", *command],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=environment,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
    names = [step["Name"] for step in json.loads(out.read_text())["Steps"]]
    assert names == ["Load", "Filter", "Prep"]
    # Without the package the same files name an unknown config class.
    run = subprocess.run(
        [sys.executable, "-m", "builders", "validate", *files],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert run.returncode != 0 and "FeatureFilterConfig" in run.stdout + run.stderr


def test_the_designer_shows_it_in_the_palette_and_its_form(installed, space):
    at = create_from_starter(app(), "filtered")
    add_step(at, "FeatureFilter")
    added = [n for n in design_of(at).nodes if n.step_type == "FeatureFilter"]
    assert len(added) == 1
    canvas_edit(at, selected=added[0].name)
    labels = panel_labels(at)
    assert "Keep columns *" in labels and "Drop empty rows" in labels
    assert "Feature filter" in texts(at)
    assert panel_field(at, "keep_columns").widget == "textarea"  # a list: one item per line
    assert panel_field(at, "drop_empty_rows").widget == "switch"


def test_a_broken_package_is_left_out_with_a_warning(tmp_path, monkeypatch):
    package = tmp_path / "src" / "broken_step"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("STEP_TYPE = 'not a step type'\n")
    project = {
        "name": "broken-step",
        "version": "1.0",
        "entry-points": {ENTRY_POINT_GROUP: {"Broken": "broken_step:STEP_TYPE"}},
    }
    site = install(tmp_path / "site", package, project)
    monkeypatch.syspath_prepend(str(site))
    before = REGISTRY.names()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert register_installed(REGISTRY) == []
    assert REGISTRY.names() == before
    assert any("'Broken' (broken_step:STEP_TYPE) is left out" in str(w.message) for w in caught)
    sys.modules.pop("broken_step", None)


def test_the_checks_hold_what_follows_it_to_the_columns_it_keeps(installed):
    """Its contract (in its own package) says which columns its data has: the steps after
    it that read columns by name get the same checks as after any built-in step type."""
    from feature_filter_step.config import FeatureFilterConfig

    dag = PipelineDAG.from_adjacency(
        {"Load": [], "Filter": ["Load"], "Prep": ["Filter"], "Train": ["Prep"]}
    )
    hyperparameters = {
        "full_field_list": ["id", "label", "amount", "age"],
        "tab_field_list": ["amount", "age"],
        "label_name": "label",
    }
    classes = {
        "Load": DataLoadingConfig,
        "Filter": FeatureFilterConfig,
        "Prep": TabularPreprocessingConfig,
        "Train": XGBoostTrainingConfig,
    }
    values = {
        "Load": {**BASE, "data_sources": ["s3://my-ml-bucket/raw/"]},
        "Filter": {**BASE, "keep_columns": ["label", "amount"]},
        "Prep": {**BASE, "label_name": "label"},
        "Train": {**BASE, "hyperparameters": hyperparameters},
    }
    (problem,) = check_and_wire(dag, classes, values)[0]
    assert (problem.node, problem.field, problem.code) == ("Train", "hyperparameters", "conflict")
    assert "reads (age) from its training_data" in problem.message
    assert "only the columns 'Filter' gives (label, amount)" in problem.message
    values["Prep"]["label_name"] = "is_fraud"
    found = {(p.node, p.field) for p in check_and_wire(dag, classes, values)[0]}
    assert ("Prep", "label_name") in found
    values["Prep"]["label_name"] = "label"
    values["Filter"]["keep_columns"] = ["label", "amount", "age"]
    assert check_and_wire(dag, classes, values)[0] == []
