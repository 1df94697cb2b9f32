"""The DataLoading job script: sources in, one headerless CSV plus signature and metadata out."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from builders.scripts import container_paths as paths
from builders.step_types.data_loading.job import data_loading

SETTINGS = {"job_type": "training", "data_format": "csv", "csv_has_header": True}


def write_source(container, index: int, name: str, text: str):
    return container.write_text(paths.processing_input("data") / f"source_{index}" / name, text)


def outputs():
    data = paths.processing_output("data") / "part-00000.csv"
    signature = paths.processing_output("signature") / "signature"
    metadata = json.loads((paths.processing_output("metadata") / "metadata.json").read_text())
    return data, signature.read_text(encoding="utf-8"), metadata


def test_sources_are_read_in_number_order_into_a_headerless_csv(container):
    container.write_settings({**SETTINGS, "column_names": []})
    write_source(container, 10, "c.csv", 'id,amount,"city, state"\n3,30.5,"Reno, NV"\n')
    write_source(container, 0, "a.csv", 'id,amount,"city, state"\n1,10.0,"Austin, TX"\n')
    # Same columns in another order line up with the first file's order.
    write_source(container, 2, "nested/b.csv", '"city, state",id,amount\n"Boise, ID",2,20\n')
    write_source(container, 2, "_SUCCESS", "")

    summary = data_loading.main()

    data, signature, metadata = outputs()
    frame = pd.read_csv(data, header=None)
    assert frame.values.tolist() == [
        [1, 10.0, "Austin, TX"],
        [2, 20.0, "Boise, ID"],
        [3, 30.5, "Reno, NV"],
    ]
    assert signature == 'id,amount,"city, state"\n'
    assert metadata == {
        "job_type": "training",
        "row_count": 3,
        "columns": [
            {"name": "id", "type": "NUMERIC"},
            {"name": "amount", "type": "NUMERIC"},
            {"name": "city, state", "type": "TEXT"},
        ],
    }
    assert summary == metadata


def test_headerless_csv_takes_the_column_names(container):
    container.write_settings(
        {**SETTINGS, "job_type": "testing", "csv_has_header": False, "column_names": ["a", "b"]}
    )
    write_source(container, 0, "part.csv", "1,x\n2,y\n")

    data_loading.main()

    data, signature, metadata = outputs()
    assert data.read_text() == "1,x\n2,y\n"
    assert signature == "a,b\n"
    assert metadata["job_type"] == "testing"
    assert metadata["row_count"] == 2


def test_parquet_and_jsonl_files_load(tmp_path):
    frame = pd.DataFrame({"flag": [True, False], "score": [0.5, 1.5], "name": ["p", "q"]})
    frame.to_parquet(tmp_path / "a.parquet")
    (tmp_path / "b.jsonl").write_text(frame.to_json(orient="records", lines=True))

    from_parquet = data_loading.load_frames([tmp_path / "a.parquet"], "parquet", True, [])
    from_jsonl = data_loading.load_frames([tmp_path / "b.jsonl"], "jsonl", True, [])

    pd.testing.assert_frame_equal(from_parquet, frame)
    pd.testing.assert_frame_equal(from_jsonl, frame)
    assert [c["type"] for c in data_loading.column_types(frame)] == ["NUMERIC", "NUMERIC", "TEXT"]


def test_headerless_csv_without_column_names_is_an_error(tmp_path):
    (tmp_path / "a.csv").write_text("1,2\n")
    with pytest.raises(ValueError, match="column_names is empty"):
        data_loading.load_frames([tmp_path / "a.csv"], "csv", False, [])


def test_column_count_must_match_column_names(tmp_path):
    (tmp_path / "a.csv").write_text("1,2,3\n")
    with pytest.raises(ValueError, match="has 3 columns but column_names lists 2"):
        data_loading.load_frames([tmp_path / "a.csv"], "csv", False, ["a", "b"])


def test_files_with_different_columns_are_an_error_naming_the_file(tmp_path):
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "b.csv").write_text("x,z\n1,2\n")
    with pytest.raises(ValueError, match=r"b\.csv has different columns.*missing \['y'\]"):
        data_loading.load_frames([tmp_path / "a.csv", tmp_path / "b.csv"], "csv", True, [])


def test_unknown_data_format_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="data_format is 'xml'"):
        data_loading.load_frames([tmp_path / "a.xml"], "xml", True, [])


def test_no_source_folders_is_an_error(container):
    container.write_settings(SETTINGS)
    with pytest.raises(FileNotFoundError, match="No input folders source_0"):
        data_loading.main()


def test_a_source_without_data_files_is_an_error(container):
    container.write_settings(SETTINGS)
    write_source(container, 0, "a.csv", "x\n1\n")
    write_source(container, 1, "_SUCCESS", "")
    with pytest.raises(FileNotFoundError, match=r"No data files in .*source_1"):
        data_loading.main()


def test_runs_as_a_script_in_the_container(container):
    container.write_settings(SETTINGS)
    write_source(container, 0, "a.csv", "x,y\n1,a\n")

    result = container.run_script("data_loading")

    assert result.returncode == 0, result.stderr
    data, signature, metadata = outputs()
    assert data.read_text() == "1,a\n"
    assert signature == "x,y\n"
    assert metadata["row_count"] == 1
