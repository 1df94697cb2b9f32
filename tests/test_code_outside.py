"""An imported config whose code folders lie outside its own folder and the workspace: the CLI
and the app's import say so before anything is staged."""

from __future__ import annotations

import json
import shutil

import pytest
from support import STARTERS, free_port

from builders.cli import main
from builders.designs.code_folders import outside
from builders.designs.config_io import node_values
from builders.designs.design import config_document, dag_document
from builders.designs.workspace import WORKSPACE_ENV
from builders.starters import design_from_starter


@pytest.fixture
def imported(tmp_path, monkeypatch):
    """The xgboost starter's files in downloads/, its Packaging code in elsewhere/."""
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "workspace"))
    folder = tmp_path / "downloads"
    shutil.copytree(STARTERS / "xgboost_end_to_end", folder)
    shutil.copytree(folder / "inference", tmp_path / "elsewhere" / "inference")
    document = json.loads((folder / "config.json").read_text())
    document["configuration"]["specific"]["Packaging"]["source_dir"] = "../elsewhere/inference"
    (folder / "config.json").write_text(json.dumps(document))
    return folder


def files(folder) -> list[str]:
    return ["--dag", str(folder / "dag.json"), "--config", str(folder / "config.json")]


def test_compile_names_the_folder_outside_before_staging(imported, tmp_path, capsys):
    assert main(["compile", *files(imported), "--out", str(tmp_path / "p.json")]) == 0
    err = capsys.readouterr().err
    inference = tmp_path / "elsewhere" / "inference"
    assert f"Note: Packaging's source_dir is {inference}, outside {imported}" in err
    assert "uploaded at deploy" in err


def test_deploy_names_the_folder_outside_too(imported, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # refused
    code = main(["deploy", *files(imported), "--target", "aws", "--timeout", "10"])
    assert code != 0
    assert "Note: Packaging's source_dir" in capsys.readouterr().err


def test_designs_from_the_built_in_starters_are_not_noted(tmp_path, capsys):
    folder = tmp_path / "exported"
    folder.mkdir()
    design = design_from_starter("xgboost_end_to_end", "mine")  # absolute starter paths
    (folder / "config.json").write_text(json.dumps(config_document(design)))
    (folder / "dag.json").write_text(json.dumps(dag_document(design)))
    assert main(["compile", *files(folder), "--out", str(tmp_path / "p.json")]) == 0
    assert "Note:" not in capsys.readouterr().err


def test_folders_inside_the_config_folder_or_the_workspace_are_not_noted(imported, tmp_path):
    document = json.loads((imported / "config.json").read_text())
    classes, values = node_values(document)
    nodes = {node: (classes[node], values[node]) for node in classes}
    roots = [imported, tmp_path / "workspace"]
    (away,) = outside(nodes, imported, roots)
    assert (away.node, away.field) == ("Packaging", "source_dir")
    assert outside(nodes, imported, [*roots, tmp_path / "elsewhere"]) == []


def test_a_config_that_climbs_to_var_log_is_noted_then_refused(imported, tmp_path, capsys):
    document = json.loads((imported / "config.json").read_text())
    climb = "../" * len(imported.parts) + "var/log"
    document["configuration"]["specific"]["Packaging"]["source_dir"] = climb
    (imported / "config.json").write_text(json.dumps(document))
    assert main(["compile", *files(imported), "--out", str(tmp_path / "p.json")]) != 0
    err = capsys.readouterr().err
    assert "Note: Packaging's source_dir is /var/log" in err
    assert "/var/log is a system folder" in err


def test_importing_in_the_app_warns_of_code_outside_the_workspace(space, tmp_path):
    from app_support import APP, button, texts
    from streamlit.testing.v1 import AppTest

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(STARTERS / "xgboost_end_to_end" / "inference", elsewhere)
    document = json.loads((STARTERS / "xgboost_end_to_end" / "config.json").read_text())
    document["configuration"]["specific"]["Packaging"]["source_dir"] = str(elsewhere)
    dag = (STARTERS / "xgboost_end_to_end" / "dag.json").read_bytes()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/export.py").run()
    config = json.dumps(document).encode()
    at.file_uploader(key="import_config").set_value(("config.json", config, "application/json"))
    at.file_uploader(key="import_dag").set_value(("dag.json", dag, "application/json"))
    at.text_input(key="import_name").input("downloaded")
    button(at, "Import as a new design").click().run()
    at.switch_page("pages/designer.py").run()
    shown = texts(at)
    assert f"Packaging's source_dir is {elsewhere}, outside {space.root}" in shown
