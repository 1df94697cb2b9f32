"""The Lambda call's step, built with the installed SDK's classes.

`CLASSES` says where each SDK keeps them; the backend imports them (offline, on first use)
through `Backend.classes`, so this module imports no SDK and names no SDK version in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builders.compiling.sdk.base import Backend

_STEP = ("LambdaStep", "LambdaOutput", "LambdaOutputTypeEnum")
CLASSES = {
    2: {
        "Lambda": "sagemaker.lambda_helper",
        **dict.fromkeys(_STEP, "sagemaker.workflow.lambda_step"),
    },
    3: {
        "Lambda": "sagemaker.core.lambda_helper",
        **dict.fromkeys(_STEP, "sagemaker.mlops.workflow.lambda_step"),
    },
}


def lambda_step(
    backend: Backend,
    name: str,
    arn: str,
    inputs: Mapping[str, Any],
    outputs: Mapping[str, str],
    *,
    session: Any,
    depends_on: list[Any],
) -> Any:
    """A LambdaStep calling the function `arn` (never created while compiling) with
    `inputs`; `outputs`: name -> String, Integer, Float or Boolean (what the answer holds)."""
    sdk = backend.classes(CLASSES)
    return sdk.LambdaStep(
        name=name,
        lambda_func=sdk.Lambda(function_arn=arn, session=session),
        inputs=dict(inputs),
        outputs=[
            sdk.LambdaOutput(output_name=output, output_type=sdk.LambdaOutputTypeEnum[kind])
            for output, kind in outputs.items()
        ],
        depends_on=depends_on or None,
    )
