"""Batch transform scoring (builders/localrun/serve.py) run as the runner runs it: a process
given a spec, the model's own inference code, and input files."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys

import pytest

from builders.localrun.transform import SERVE

INFERENCE = """
import json, os
CALLS = []
def model_fn(model_dir):
    with open(os.path.join(model_dir, "weights.json")) as handle:
        return json.load(handle)
def input_fn(body, content_type):
    CALLS.append(body)
    if content_type == "application/json":
        return [json.loads(line)["x"] for line in body.splitlines()]
    return [[float(v) for v in line.split(",")] for line in body.splitlines()]
def predict_fn(rows, weights):
    return [sum(w * v for w, v in zip(weights, row)) for row in rows]
def output_fn(scores, accept):
    if accept == "application/json":
        return json.dumps({"score": scores[0], "requests": len(CALLS)})
    return "\\n".join(f"{score},{len(CALLS)}" for score in scores) + "\\n", accept
"""


def serve(tmp_path, data: bytes, name="in.csv", **settings) -> str:
    """Score one input file; returns the .out file's text."""
    model, code = tmp_path / "model", tmp_path / "code"
    model.mkdir()
    code.mkdir()
    (model / "weights.json").write_text("[1.0, 10.0]")
    (code / "inference.py").write_text(INFERENCE)
    (tmp_path / name).write_bytes(data)
    spec = {
        "model_dir": str(model),
        "code_dir": str(code),
        "program": "inference.py",
        "files": [[str(tmp_path / name), str(tmp_path / f"{name}.out")]],
        "content_type": "text/csv",
        "accept": "text/csv",
        "split_type": "Line",
        "assemble_with": "Line",
        **settings,
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run(
        [sys.executable, str(SERVE), str(tmp_path / "spec.json")], capture_output=True, text=True
    )
    if done.returncode:
        raise AssertionError(done.stderr)
    return (tmp_path / f"{name}.out").read_text()


ROWS = b"a,1,2\nb,3,4\n\nc,5,6\n"


def test_one_request_per_record_with_the_input_joined_and_filtered(tmp_path):
    out = serve(tmp_path, ROWS, input_filter="$[1:]", join_source="Input", output_filter="$[0,3]")
    assert out == "a,21.0\nb,43.0\nc,65.0\n"  # id and score of each row, one request each


def test_multi_record_batches_go_in_one_request(tmp_path):
    out = serve(tmp_path, ROWS, input_filter="$[1:]", batch_strategy="MultiRecord")
    assert out == "21.0,1\n43.0,1\n65.0,1\n"


def test_json_records_join_under_sagemaker_output_and_gzip_is_read(tmp_path):
    data = gzip.compress(b'{"id": 1, "x": [1, 1]}\n{"id": 2, "x": [0, 2]}\n')
    out = serve(
        tmp_path,
        data,
        name="in.jsonl",
        content_type="application/json",
        accept="application/json",
        compression="Gzip",
        join_source="Input",
        output_filter="$.SageMakerOutput.score",
    )
    assert out == "11.0\n20.0\n"


def test_a_model_error_names_the_file_and_fails(tmp_path):
    with pytest.raises(AssertionError, match=r"Scoring in\.csv failed: could not convert"):
        serve(tmp_path, b"a,b\n")


def test_csv_input_joined_with_json_predictions_is_a_csv_line_each(tmp_path):
    """SageMaker accepts joining CSV input with an Accept of application/json: each input row
    is followed by its prediction; the run refused it (issue 17)."""
    out = serve(
        tmp_path,
        ROWS,
        input_filter="$[1:]",
        join_source="Input",
        accept="application/json",
        output_filter="$[0,3]",
    )
    lines = out.splitlines()
    assert len(lines) == 3
    first = next(csv.reader([lines[0]]))
    assert first[0] == "a" and json.loads(first[1]) == {"score": 21.0, "requests": 1}


def test_json_input_joined_with_csv_predictions_keeps_them_as_text(tmp_path):
    data = b'{"id": 1, "x": [1, 1]}\n'
    out = serve(
        tmp_path,
        data,
        name="in.jsonl",
        content_type="application/json",
        accept="text/csv",
        join_source="Input",
    )
    assert json.loads(out) == {"id": 1, "x": [1, 1], "SageMakerOutput": "11.0,1"}
