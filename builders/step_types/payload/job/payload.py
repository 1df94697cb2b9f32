"""Payload job: build sample inference requests from the model's input variables.

The same functions make the archive in the job and the designer's local preview.
Settings (the spec): content_types, response_types, input_variables and output_variables
([[name, "NUMERIC"|"TEXT"], ...] in request order), default_numeric_value, default_text_value,
special_field_values ({name: template}, "{timestamp}" is replaced), archive_name and the
registration figures (model_registration_objective, expected_tps, ...).
Output: `/opt/ml/processing/output/payload/<archive_name>`, a tar.gz with one sample file per
content type and nothing else (SageMaker sends every file of a SamplePayloadUrl archive in its
load tests), and `<archive stem>.manifest.json` beside it, describing them.
Runs inside a SageMaker container: Python 3.8 and the standard library only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tarfile
from datetime import datetime, timezone
from pathlib import Path

try:  # imported as builders.step_types.payload.job.payload
    from builders.scripts import container_paths as paths
except ImportError:  # run as a script inside the SageMaker container
    import container_paths as paths

CSV = "text/csv"
JSON = "application/json"
FILE_NAMES = {CSV: "payload_sample.csv", JSON: "payload_sample.json"}
MANIFEST_SUFFIX = ".manifest.json"
VARIABLE_TYPES = ("NUMERIC", "TEXT")
MANIFEST_KEYS = (
    "model_registration_objective",
    "expected_tps",
    "max_latency_in_millisecond",
    "max_acceptable_error_rate",
    "content_types",
    "response_types",
    "input_variables",
    "output_variables",
)


def payload_file_name(content_type: str) -> str:
    """The archive member holding the sample for `content_type`."""
    if content_type not in FILE_NAMES:
        raise ValueError(
            f"Unsupported content type '{content_type}'; use one of {', '.join(FILE_NAMES)}."
        )
    return FILE_NAMES[content_type]


def variables(spec: dict, key: str) -> list[tuple[str, str]]:
    """spec[key] as [(name, type)], in order; accepts pairs or a {name: type} object."""
    value = spec.get(key)
    pairs = list(value.items()) if isinstance(value, dict) else value
    if not pairs:
        raise ValueError(f"{key} is empty or missing; list the model's variables and types.")
    result = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"{key} has {pair!r}; each entry must be [name, type].")
        name, kind = str(pair[0]), str(pair[1]).upper()
        if kind not in VARIABLE_TYPES:
            raise ValueError(f"{key}: '{name}' has type '{pair[1]}'; use NUMERIC or TEXT.")
        result.append((name, kind))
    return result


def timestamp(now: datetime | None = None) -> str:
    """`now` (default: the current time) in UTC as 2024-01-31T12:00:00Z; naive means UTC."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def field_values(spec: dict, now: datetime | None = None) -> list[tuple[str, str]]:
    """Each input variable's sample value as a string, in request order."""
    numeric = str(float(spec.get("default_numeric_value", 0.0)))
    text = str(spec.get("default_text_value", "DEFAULT_TEXT"))
    special = spec.get("special_field_values") or {}
    stamp = timestamp(now)
    values = []
    for name, kind in variables(spec, "input_variables"):
        if name in special:
            # str.replace, not format: other braces in the template stay as they are.
            value = str(special[name]).replace("{timestamp}", stamp)
        else:
            value = numeric if kind == "NUMERIC" else text
        values.append((name, value))
    return values


def render(content_type: str, values: list[tuple[str, str]]) -> str:
    """One request body: a CSV row or a JSON object of strings, without a trailing newline."""
    payload_file_name(content_type)  # rejects unsupported types
    if content_type == JSON:
        return json.dumps(dict(values))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value for _, value in values])
    return buffer.getvalue()[:-1]


def generate_payloads(spec: dict, now: datetime | None = None) -> dict:
    """{content type: payload} for each of spec["content_types"]."""
    content_types = spec.get("content_types")
    if not content_types:
        raise ValueError("content_types is empty or missing; use text/csv or application/json.")
    values = field_values(spec, now)
    return {content_type: render(content_type, values) for content_type in content_types}


def sample_payloads(spec: dict, now: datetime | None = None) -> dict:
    """{content type: payload} for both text/csv and application/json, for previews."""
    return generate_payloads(dict(spec, content_types=[CSV, JSON]), now)


def manifest(spec: dict, now: datetime | None = None) -> dict:
    """The archive's description of the payloads and the registration figures."""
    described = {key: spec.get(key) for key in MANIFEST_KEYS}
    described["input_variables"] = [list(pair) for pair in variables(spec, "input_variables")]
    if spec.get("output_variables"):
        described["output_variables"] = [list(pair) for pair in variables(spec, "output_variables")]
    described["generated_at"] = timestamp(now)
    return described


def _add_member(archive: tarfile.TarFile, name: str, text: str, mtime: int) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = mtime
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    archive.addfile(info, io.BytesIO(data))


def _utc(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def payload_archive(spec: dict, now: datetime | None = None) -> bytes:
    """The payload tar.gz: sample requests only. The same spec and `now` give the same bytes."""
    now = _utc(now)
    mtime = int(now.timestamp())
    members = {
        payload_file_name(content_type): payload
        for content_type, payload in generate_payloads(spec, now).items()
    }
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in sorted(members):
            _add_member(archive, name, members[name], mtime)
    # A fixed gzip mtime (and no file name in the header) keeps the bytes identical.
    return gzip.compress(tar_buffer.getvalue(), mtime=mtime)


def manifest_text(spec: dict, now: datetime | None = None) -> str:
    return json.dumps(manifest(spec, _utc(now)), indent=2, sort_keys=True) + "\n"


def manifest_path(archive_path: Path) -> Path:
    """Where the manifest of an archive goes: beside it, `<stem>.manifest.json`."""
    archive_path = Path(archive_path)
    stem = archive_path.name
    for suffix in (".tar.gz", ".tgz"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return archive_path.with_name(stem + MANIFEST_SUFFIX)


def write_payload_archive(spec: dict, archive_path: Path, now: datetime | None = None) -> Path:
    """Write the payload tar.gz and, beside it, its manifest; returns the archive's path."""
    now = _utc(now)
    archive_path = Path(archive_path)
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    archive_path.write_bytes(payload_archive(spec, now))
    manifest_path(archive_path).write_text(manifest_text(spec, now), encoding="utf-8")
    return archive_path


def archive_name(spec: dict) -> str:
    name = spec.get("archive_name")
    if not name or "/" in name or "\\" in name or not name.endswith(".tar.gz"):
        raise ValueError(
            f"archive_name is {name!r}; it must be a plain file name ending in .tar.gz."
        )
    return name


def main() -> Path:
    spec = paths.read_settings()
    target = paths.processing_output("payload") / archive_name(spec)
    now = datetime.now(timezone.utc)
    path = write_payload_archive(spec, target, now)
    for content_type, payload in generate_payloads(spec, now).items():
        print(f"{content_type}: {payload}")
    print(f"Wrote {path}")
    return path


if __name__ == "__main__":
    main()
