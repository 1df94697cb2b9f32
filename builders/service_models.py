"""One botocore loader for the process: each AWS service model is read and parsed once.

SageMaker's service model is megabytes of JSON (~40 ms to parse). The config checks
(configs/api_rules.py) and the offline sessions that build steps (compiling/sagemaker_env.py)
read it through this loader, so a compile parses it once, not once per reader. The loader
is botocore's default session's (the user's `data_path` and ~/.aws/models included); it is
made on first use, never at import.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def loader() -> Any:
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


def service_model(service: str) -> dict[str, Any]:
    """An AWS API's operations and shapes: the newest version the loader finds."""
    return loader().load_service_model(service, "service-2")
