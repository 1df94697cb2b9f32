"""The payload generator: exact samples, {timestamp}, and a deterministic archive."""

from __future__ import annotations

import json
import tarfile
from datetime import datetime, timedelta, timezone

import pytest

from builders.scripts import container_paths as paths
from builders.step_types.payload.job import payload

NOW = datetime(2024, 3, 5, 14, 30, 9, tzinfo=timezone.utc)
SPEC = {
    "model_registration_objective": "FraudDetection",
    "expected_tps": 2,
    "max_latency_in_millisecond": 800,
    "max_acceptable_error_rate": 0.2,
    "content_types": ["text/csv"],
    "response_types": ["application/json"],
    "input_variables": [
        ["account_age", "NUMERIC"],
        ["transaction_count", "NUMERIC"],
        ["country_code", "TEXT"],
    ],
    "output_variables": [["score", "NUMERIC"]],
    "default_numeric_value": 0.0,
    "default_text_value": "DEFAULT_TEXT",
    "special_field_values": None,
    "archive_name": "FraudDetection.tar.gz",
}


def members(archive_path) -> dict:
    with tarfile.open(archive_path, "r:gz") as archive:
        return {
            member.name: archive.extractfile(member).read().decode("utf-8")
            for member in archive.getmembers()
        }


def test_csv_payload_joins_defaults_in_input_order():
    assert payload.generate_payloads(SPEC) == {"text/csv": "0.0,0.0,DEFAULT_TEXT"}


def test_json_payload_maps_names_to_string_values_in_input_order():
    spec = {**SPEC, "content_types": ["application/json"]}
    body = payload.generate_payloads(spec)["application/json"]
    assert body == (
        '{"account_age": "0.0", "transaction_count": "0.0", "country_code": "DEFAULT_TEXT"}'
    )
    assert list(json.loads(body)) == ["account_age", "transaction_count", "country_code"]


def test_sample_payloads_always_gives_csv_and_json():
    samples = payload.sample_payloads(SPEC)
    assert samples == {
        "text/csv": "0.0,0.0,DEFAULT_TEXT",
        "application/json": json.dumps(
            {"account_age": "0.0", "transaction_count": "0.0", "country_code": "DEFAULT_TEXT"}
        ),
    }


def test_timestamp_and_other_braces_in_special_values():
    spec = {
        **SPEC,
        "default_numeric_value": 5,
        "special_field_values": {"country_code": "US-{timestamp}-{other}"},
    }
    local_now = NOW.astimezone(timezone(timedelta(hours=-5)))  # rendered in UTC regardless
    samples = payload.sample_payloads(spec, now=local_now)
    assert samples["text/csv"] == "5.0,5.0,US-2024-03-05T14:30:09Z-{other}"
    assert json.loads(samples["application/json"])["country_code"] == (
        "US-2024-03-05T14:30:09Z-{other}"
    )


def test_csv_quotes_values_containing_commas():
    spec = {**SPEC, "default_text_value": "a,b"}
    assert payload.generate_payloads(spec)["text/csv"] == '0.0,0.0,"a,b"'


def test_payload_file_names():
    assert payload.payload_file_name("text/csv") == "payload_sample.csv"
    assert payload.payload_file_name("application/json") == "payload_sample.json"
    with pytest.raises(ValueError, match="Unsupported content type 'text/xml'"):
        payload.payload_file_name("text/xml")


def test_archive_holds_only_the_sample_and_the_manifest_lies_beside_it(tmp_path):
    """SageMaker sends every file of a SamplePayloadUrl archive in its load tests."""
    path = payload.write_payload_archive(SPEC, tmp_path / "out" / "p.tar.gz", now=NOW)

    assert members(path) == {"payload_sample.csv": "0.0,0.0,DEFAULT_TEXT"}
    assert sorted(p.name for p in path.parent.iterdir()) == ["p.manifest.json", "p.tar.gz"]
    assert json.loads((path.parent / "p.manifest.json").read_text()) == {
        "model_registration_objective": "FraudDetection",
        "expected_tps": 2,
        "max_latency_in_millisecond": 800,
        "max_acceptable_error_rate": 0.2,
        "content_types": ["text/csv"],
        "response_types": ["application/json"],
        "input_variables": SPEC["input_variables"],
        "output_variables": [["score", "NUMERIC"]],
        "generated_at": "2024-03-05T14:30:09Z",
    }
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            assert (member.mtime, member.uid, member.gid) == (int(NOW.timestamp()), 0, 0)


def test_archive_bytes_are_the_same_for_the_same_spec_and_time(tmp_path):
    first = payload.write_payload_archive(SPEC, tmp_path / "a.tar.gz", now=NOW)
    second = payload.write_payload_archive(SPEC, tmp_path / "b" / "other.tar.gz", now=NOW)
    later = payload.write_payload_archive(SPEC, tmp_path / "c.tar.gz", now=NOW + timedelta(1))

    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != later.read_bytes()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"input_variables": []}, "input_variables is empty"),
        ({"input_variables": [["a", "DATE"]]}, "'a' has type 'DATE'"),
        ({"input_variables": [["a"]]}, "each entry must be"),
        ({"content_types": ["text/xml"]}, "Unsupported content type"),
        ({"content_types": []}, "content_types is empty"),
    ],
)
def test_malformed_specs_are_errors(change, message):
    with pytest.raises(ValueError, match=message):
        payload.generate_payloads({**SPEC, **change})


def test_main_writes_the_archive_named_in_the_settings(container):
    container.write_settings({**SPEC, "content_types": ["application/json"]})

    path = payload.main()

    assert path == paths.processing_output("payload") / "FraudDetection.tar.gz"
    assert sorted(members(path)) == ["payload_sample.json"]
    assert (path.parent / "FraudDetection.manifest.json").is_file()


def test_main_rejects_an_archive_name_with_a_folder(container):
    container.write_settings({**SPEC, "archive_name": "../x.tar.gz"})
    with pytest.raises(ValueError, match=r"plain file name ending in \.tar\.gz"):
        payload.main()


def test_runs_as_a_script_in_the_container(container):
    container.write_settings(SPEC)

    result = container.run_script("payload")

    assert result.returncode == 0, result.stderr
    assert "text/csv: 0.0,0.0,DEFAULT_TEXT" in result.stdout
    archive = paths.processing_output("payload") / "FraudDetection.tar.gz"
    assert members(archive)["payload_sample.csv"] == "0.0,0.0,DEFAULT_TEXT"
