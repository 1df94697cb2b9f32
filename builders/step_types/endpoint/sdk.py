"""The endpoint's step, built with the installed SDK's classes.

`CLASSES` says where each SDK keeps them; the backend imports them (offline, on first use)
through `Backend.classes`, so this module imports no SDK and names no SDK version in code.
"""

from __future__ import annotations

from typing import Any

from builders.compiling.sdk.base import Backend

CLASSES = {
    2: {"EndpointStep": "sagemaker.workflow.endpoint_step"},
    3: {"EndpointStep": "sagemaker.mlops.workflow.endpoint_step"},
}


def endpoint_step(
    backend: Backend,
    name: str,
    endpoint_name: Any,
    config_name: Any,
    *,
    tags: list[dict[str, Any]] | None,
    session: Any,
    depends_on: list[Any],
) -> Any:
    """An EndpointStep creating (or updating) the endpoint to the configuration."""
    step_args = session.create_endpoint(
        endpoint_name=endpoint_name, config_name=config_name, tags=tags
    )
    return backend.classes(CLASSES).EndpointStep(
        name=name, step_args=step_args, depends_on=depends_on
    )
