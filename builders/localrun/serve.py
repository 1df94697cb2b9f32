"""Score batch transform input with a model's inference handlers, as a serving container does.

    python serve.py <spec.json>

Runs in its own process, so that the model's code (model_fn, input_fn, predict_fn, output_fn,
or transform_fn) never runs inside the app. The spec (written by transform.py) names the
model folder, the inference code, the input and output files and the job's settings:
ContentType, Accept, SplitType, BatchStrategy, MaxPayloadInMB, AssembleWith and
DataProcessing (InputFilter, JoinSource, OutputFilter). Without inference code the XGBoost
container's default handlers serve (a booster file at the model folder's root, CSV in).
Standard library only, but for the model's own packages.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import math
import os
import re
import sys
import traceback

CSV = "text/csv"
HANDLERS = ("model_fn", "input_fn", "predict_fn", "output_fn")


# -- handlers ---------------------------------------------------------------------------------
class XGBoostDefaults:
    """The SageMaker XGBoost container's handlers for a model without inference code."""

    @staticmethod
    def model_fn(model_dir):
        import xgboost

        files = sorted(
            name
            for name in os.listdir(model_dir)
            if os.path.isfile(os.path.join(model_dir, name)) and not name.startswith(".")
        )
        if len(files) != 1:
            raise ValueError(
                f"The XGBoost container serves one model file at the model's root; found "
                f"{files or 'none'}. Keep other files in sub-folders."
            )
        booster = xgboost.Booster()
        booster.load_model(os.path.join(model_dir, files[0]))
        return booster

    @staticmethod
    def input_fn(body, content_type):
        import numpy
        import xgboost

        if content_type.split(";")[0].strip() != CSV:
            raise ValueError(f"The default XGBoost handler reads text/csv, not {content_type}.")
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        rows = [[float(v) if v.strip() else math.nan for v in row] for row in _csv_rows(text)]
        return xgboost.DMatrix(numpy.array(rows, dtype="float64"))

    @staticmethod
    def predict_fn(data, model):
        return model.predict(data)

    @staticmethod
    def output_fn(prediction, accept):
        rows = prediction.tolist()
        if accept == "application/json":
            return json.dumps({"predictions": [{"score": row} for row in rows]}), accept
        return "\n".join(
            ",".join(map(str, row)) if isinstance(row, list) else str(row) for row in rows
        ), CSV


class Handlers:
    def __init__(self, spec):
        module = _load_module(spec["code_dir"], spec["program"]) if spec.get("program") else None
        defaults = XGBoostDefaults if spec.get("default") == "xgboost" else None
        self.transform_fn = getattr(module, "transform_fn", None)
        for name in HANDLERS:
            handler = getattr(module, name, None) or getattr(defaults, name, None)
            if handler is None and not (self.transform_fn and name != "model_fn"):
                where = spec.get("program") or "the model"
                raise ValueError(f"The inference code ({where}) has no {name} and no default.")
            setattr(self, name, handler)
        self.model = self.model_fn(spec["model_dir"])

    def __call__(self, body, content_type, accept):
        if self.transform_fn:
            result = self.transform_fn(self.model, body, content_type, accept)
        else:
            prediction = self.predict_fn(self.input_fn(body, content_type), self.model)
            result = self.output_fn(prediction, accept)
        body = result[0] if isinstance(result, tuple) else result
        return body.decode("utf-8") if isinstance(body, bytes) else str(body)


def _load_module(code_dir, program):
    sys.path.insert(0, code_dir)
    path = os.path.join(code_dir, program)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"The inference code {program} is not in {code_dir}.")
    spec = importlib.util.spec_from_file_location(re.sub(r"\.py$", "", program), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- records ----------------------------------------------------------------------------------
def _csv_rows(text):
    return [row for row in csv.reader(io.StringIO(text)) if row]


def _csv_line(values):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def select(value, path):
    """A JSONPath subset (`$`, `$[1:]`, `$[0,2]`, `$.a.b`, `$['a']`) applied to `value`."""
    if not path or path == "$":
        return value
    if not path.startswith("$"):
        raise ValueError(f"The filter '{path}' is not a JSON path (it starts with $).")
    rest = path[1:]
    token = re.compile(r"\.([A-Za-z0-9_\-]+)|\['([^']*)'\]|\[([0-9:,\s\-]+)\]")
    while rest:
        match = token.match(rest)
        if not match:
            raise ValueError(f"The filter '{path}' is not supported locally (at '{rest}').")
        key = match.group(1) or match.group(2)
        value = value[key] if key is not None else _index(value, match.group(3))
        rest = rest[match.end() :]
    return value


def _index(value, text):
    if ":" in text:
        start, _, stop = text.partition(":")
        return value[int(start) if start.strip() else None : int(stop) if stop.strip() else None]
    if "," in text:
        return [value[int(part)] for part in text.split(",")]
    return value[int(text)]


class Records:
    """One input file's records, filtered, and their outputs joined back, per the spec.

    Joined output has the input's format: a CSV row followed by its prediction's fields (a
    prediction that is not CSV as one field, its text), or a JSON object with the prediction
    under SageMakerOutput (an input that is not an object under SageMakerInput), as
    SageMaker's DataProcessing documents it.
    """

    def __init__(self, spec):
        self.csv = _is_csv(spec["content_type"])
        self.accept_csv = _is_csv(spec["accept"])
        self.input_filter = spec.get("input_filter")
        self.join = spec.get("join_source") == "Input"
        self.output_filter = spec.get("output_filter")

    def parse(self, record):
        return _csv_rows(record)[0] if self.csv else json.loads(record)

    def render(self, value, as_csv):
        if as_csv:
            return _csv_line(value) if isinstance(value, list) else str(value)
        return json.dumps(value)

    def request(self, record):
        if not self.input_filter:
            return record
        return self.render(select(self.parse(record), self.input_filter), self.csv)

    def result(self, record, output):
        if not (self.join or self.output_filter):
            return output
        value = self._prediction(output)
        if self.join:
            original = self.parse(record)
            if self.csv:
                value = original + (value if isinstance(value, list) else [_text(value)])
            elif isinstance(original, dict):
                value = {**original, "SageMakerOutput": value}
            else:
                value = {"SageMakerInput": original, "SageMakerOutput": value}
        if self.output_filter:
            value = select(value, self.output_filter)
        return self.render(value, self.csv if self.join else self.accept_csv)

    def _prediction(self, output):
        """A prediction as joining and filtering read it: a CSV row's fields, a JSON value;
        joined to JSON input, a CSV prediction stays text."""
        if self.accept_csv:
            rows = _csv_rows(output)
            return (rows[0] if rows else []) if self.csv or not self.join else output
        try:
            return json.loads(output)
        except ValueError:
            return output


def _is_csv(content_type):
    return content_type.split(";")[0].strip() == CSV


def _text(value):
    return value if isinstance(value, str) else json.dumps(value)


def read_records(path, spec):
    with open(path, "rb") as handle:
        data = handle.read()
    if spec.get("compression") == "Gzip":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if spec.get("split_type") == "Line":
        return [line for line in text.splitlines() if line.strip()]
    if spec.get("split_type") in (None, "None"):
        return [text]
    raise ValueError(f"SplitType {spec['split_type']} is not supported locally.")


def score_file(handlers, records_of, spec, source, target):
    records = read_records(source, spec)
    outputs = []
    multi = spec.get("batch_strategy") == "MultiRecord" and spec["accept"] == CSV
    limit = int(spec.get("max_payload_mb") or 6) * 1024 * 1024
    for batch in _batches(records, limit) if multi else [[record] for record in records]:
        body = "\n".join(records_of.request(record) for record in batch)
        answer = handlers(body, spec["content_type"], spec["accept"])
        lines = _lines(answer) if multi else [answer.rstrip("\r\n")]
        if len(lines) != len(batch):
            raise ValueError(f"The model answered {len(lines)} line(s) for {len(batch)} records.")
        outputs.extend(records_of.result(r, out) for r, out in zip(batch, lines, strict=True))
    joiner = "\n" if spec.get("assemble_with") == "Line" else ""
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(joiner.join(outputs) + joiner)
    print(f"Scored {len(records)} record(s) of {os.path.basename(source)}")


def _lines(answer):
    return [line for line in answer.splitlines() if line.strip()]


def _batches(records, limit):
    batch, size = [], 0
    for record in records:
        if batch and size + len(record) + 1 > limit:
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += len(record) + 1
    if batch:
        yield batch


def main(spec_path):
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    handlers = Handlers(spec)
    records_of = Records(spec)
    for source, target in spec["files"]:
        try:
            score_file(handlers, records_of, spec, source, target)
        except Exception as error:
            traceback.print_exc()
            print(f"Scoring {os.path.basename(source)} failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
