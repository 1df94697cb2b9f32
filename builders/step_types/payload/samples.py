"""Payload samples from a PayloadConfig: the job's settings, a local preview and archive.

The job script `job/payload.py` holds the one generator; the preview (the step type's
preview hook) and the local archive call it too, so what the designer shows is what the job
uploads.
"""

from __future__ import annotations

import posixpath
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from builders.fileio import write_bytes_atomic, write_text_atomic
from builders.step_types import Preview
from builders.step_types.payload.config import PayloadConfig
from builders.step_types.payload.job import payload as generator


def payload_spec(config: PayloadConfig) -> dict[str, Any]:
    """The settings the payload job reads (JSON types, input variables in request order)."""
    return {
        "model_registration_objective": config.model_registration_objective,
        "expected_tps": config.expected_tps,
        "max_latency_in_millisecond": config.max_latency_in_millisecond,
        "max_acceptable_error_rate": config.max_acceptable_error_rate,
        "content_types": list(config.source_model_inference_content_types),
        "response_types": list(config.source_model_inference_response_types),
        "input_variables": _pairs(config.source_model_inference_input_variable_list),
        "output_variables": _pairs(config.source_model_inference_output_variable_list),
        "default_numeric_value": config.default_numeric_value,
        "default_text_value": config.default_text_value,
        "special_field_values": config.special_field_values,
        "archive_name": posixpath.basename(config.payload_s3_key),
    }


def _pairs(variables: dict) -> list[list[str]]:
    return [[name, kind.value] for name, kind in variables.items()]


def preview_payloads(config: PayloadConfig, now: datetime | None = None) -> dict[str, str]:
    """The CSV and JSON samples this config produces, keyed by content type."""
    return generator.sample_payloads(payload_spec(config), now=now)


def preview(config: PayloadConfig) -> Preview:
    """The node panel's preview: each sample, and whether it goes into the archive."""
    configured = config.source_model_inference_content_types
    blocks = []
    for content_type, body in preview_payloads(config).items():
        used = "goes into the archive" if content_type in configured else "not configured"
        language = "json" if content_type == "application/json" else "text"
        blocks.append((f"{content_type} ({used})", body, language))
    return Preview("Sample payloads", tuple(blocks))


def write_payload_archive(
    config: PayloadConfig, path: str | Path, now: datetime | None = None
) -> tuple[Path, Path]:
    """Write the archive the Payload job would upload, and its manifest beside it, locally.

    Returns both paths. Written like every file the tool writes (fileio): a folder, a device
    or a full disk is an OSError, and what was there is never half-replaced.
    """
    spec, now = payload_spec(config), now or datetime.now(timezone.utc)
    archive = write_bytes_atomic(path, generator.payload_archive(spec, now))
    manifest = write_text_atomic(
        generator.manifest_path(archive), generator.manifest_text(spec, now)
    )
    return archive, manifest
