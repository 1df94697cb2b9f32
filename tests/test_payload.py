"""Payload samples from a PayloadConfig: the job's spec, the preview and the local archive."""

from __future__ import annotations

import json
import tarfile
from datetime import datetime, timezone

from builders.step_types.payload.config import PayloadConfig
from builders.step_types.payload.job import payload as job
from builders.step_types.payload.samples import (
    payload_spec,
    preview_payloads,
    write_payload_archive,
)

NOW = datetime(2026, 11, 23, 10, 30, 0, tzinfo=timezone.utc)


def fraud_payload(base, **values) -> PayloadConfig:
    """The example of the seed notes."""
    return PayloadConfig(
        **base,
        model_registration_objective="FraudDetection",
        source_model_inference_output_variable_list={
            "fraud_score": "NUMERIC",
            "risk_category": "TEXT",
        },
        source_model_inference_input_variable_list={
            "account_age": "NUMERIC",
            "transaction_count": "NUMERIC",
            "country_code": "TEXT",
        },
        **values,
    )


def test_the_spec_keeps_input_order_and_names_the_archive(base):
    spec = payload_spec(fraud_payload(base, sample_payload_s3_key="p/fraud/v1.tar.gz"))
    assert spec["input_variables"] == [
        ["account_age", "NUMERIC"],
        ["transaction_count", "NUMERIC"],
        ["country_code", "TEXT"],
    ]
    assert spec["archive_name"] == "v1.tar.gz"
    assert spec["content_types"] == ["text/csv"]


def test_preview_shows_csv_and_json_samples(base):
    samples = preview_payloads(fraud_payload(base))
    assert samples["text/csv"] == "0.0,0.0,DEFAULT_TEXT"
    assert json.loads(samples["application/json"]) == {
        "account_age": "0.0",
        "transaction_count": "0.0",
        "country_code": "DEFAULT_TEXT",
    }


def test_special_values_and_defaults_reach_the_samples(base):
    config = fraud_payload(
        base,
        default_numeric_value=1.5,
        special_field_values={"country_code": "US-{timestamp}"},
    )
    samples = preview_payloads(config, now=NOW)
    assert samples["text/csv"] == "1.5,1.5,US-2026-11-23T10:30:00Z"


def test_preview_and_job_use_one_generator(base):
    config = fraud_payload(base, source_model_inference_content_types=["application/json"])
    spec = payload_spec(config)
    assert job.generate_payloads(spec, now=NOW) == {
        "application/json": preview_payloads(config, now=NOW)["application/json"]
    }


def test_the_local_archive_is_what_the_job_uploads(base, tmp_path):
    config = fraud_payload(base)
    path, manifest_path = write_payload_archive(config, tmp_path / "payload.tar.gz", now=NOW)
    with tarfile.open(path) as archive:
        assert archive.getnames() == ["payload_sample.csv"]  # samples only
    assert manifest_path == tmp_path / "payload.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["expected_tps"] == 2
    assert manifest["max_latency_in_millisecond"] == 800
    again, _ = write_payload_archive(config, tmp_path / "again.tar.gz", now=NOW)
    assert path.read_bytes() == again.read_bytes()
    spec = payload_spec(config)
    assert path.read_bytes() == job.payload_archive(spec, now=NOW)
