"""The endpoint configuration's step, built with the installed SDK's classes.

`CLASSES` says where each SDK keeps them; the backend imports them (offline, on first use)
through `Backend.classes`, so this module imports no SDK and names no SDK version in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from builders.compiling.sdk.base import Backend

CLASSES = {
    2: {"EndpointConfigStep": "sagemaker.workflow.endpoint_step"},
    3: {"EndpointConfigStep": "sagemaker.mlops.workflow.endpoint_step"},
}


@dataclass(frozen=True, kw_only=True)
class Variant:
    """An endpoint configuration's production variant: instances or serverless."""

    model_name: Any
    variant_name: str
    instance_type: Any = None
    instance_count: Any = None
    serverless_memory_mb: Any = None  # serverless when set
    serverless_max_concurrency: Any = None


def endpoint_config_step(
    backend: Backend,
    name: str,
    config_name: Any,
    variant: Variant,
    *,
    data_capture: Mapping[str, Any] | None,
    session: Any,
    depends_on: list[Any],
) -> Any:
    """An EndpointConfigStep with one production variant, from what the PipelineSession
    records of `create_endpoint_config`."""
    step_args = session.create_endpoint_config(
        name=config_name,
        production_variants=[_production_variant(backend, variant)],
        data_capture_config_dict=dict(data_capture) if data_capture else None,
    )
    return backend.classes(CLASSES).EndpointConfigStep(
        name=name, step_args=step_args, depends_on=depends_on or None
    )


def _production_variant(backend: Backend, variant: Variant) -> dict[str, Any]:
    production_variant = backend.session_helpers().production_variant
    if variant.serverless_memory_mb is not None:
        serverless = {
            "MemorySizeInMB": variant.serverless_memory_mb,
            "MaxConcurrency": variant.serverless_max_concurrency,
        }
        return production_variant(
            variant.model_name,
            variant_name=variant.variant_name,
            serverless_inference_config=serverless,
        )
    return production_variant(
        variant.model_name,
        variant.instance_type,
        variant.instance_count,
        variant_name=variant.variant_name,
    )
