"""The SageMaker SDK behind one seam (docs/architecture.md, "The SageMaker SDK").

Step builders describe their jobs with `jobs` and ask `backend()` for the steps: it builds
them with the installed SDK, 3.x (`v3.py`) or 2.x (`v2.py`), imported offline on first use.
No step type branches on the SDK version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from builders.compiling.sdk.base import Backend


def backend() -> Backend:
    """The backend of the installed SDK (the SDK is imported, offline, on the first call)."""
    from builders.compiling.sagemaker_env import sdk

    return sdk()
