"""The function step (the SDK's `@step`), built with the installed SDK's classes.

`CLASSES` says where each SDK keeps them; the backend imports them (offline, on first use)
through `Backend.classes`, so this module imports no SDK. `staged_step.py` writes the step's
request offline, keeping what the SDK would upload for staging.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from builders.compiling.sdk.base import Backend
from builders.step_types.python_function.staged_step import Shipment
from builders.step_types.python_function.staged_step import function_step as staged

_STEP = ("_FunctionStep", "DelayedReturn", "step")
CLASSES = {
    2: {
        **dict.fromkeys(_STEP, "sagemaker.workflow.function_step"),
        "get_step": "sagemaker.workflow.step_outputs",
        "load_step_compilation_context": "sagemaker.workflow.utilities",
        "get_base_python_image_uri": "sagemaker.image_uris",
    },
    3: {
        **dict.fromkeys(_STEP, "sagemaker.mlops.workflow.function_step"),
        "get_step": "sagemaker.core.workflow.step_outputs",
        "load_step_compilation_context": "sagemaker.core.workflow.utilities",
        "get_base_python_image_uri": "sagemaker.core.image_uris",
    },
}
# Whether the job must install this very SDK: 3.x's job runs
# `sagemaker.core.remote_function.invoke_function`, whose bootstrap checks the job's SDK
# version against the compiling one; 2.x adds its requirement itself.
PINS_THE_SDK = {2: False, 3: True}


def function_step(
    backend: Backend,
    name: str,
    entry: Callable,
    kwargs: dict[str, Any],
    shipment: Shipment,
    depends_on: list[Any],
    **settings: Any,
) -> Any:
    """The SDK's function step running `entry(**kwargs)`, written offline with its uploads
    staged (`staged_step.Shipment`); returns its DelayedReturn."""
    requirement = f"sagemaker=={version('sagemaker')}" if PINS_THE_SDK[backend.MAJOR] else None
    classes = backend.classes(CLASSES)
    return staged(classes, name, entry, kwargs, shipment, depends_on, requirement, **settings)


def base_python_image(backend: Backend, region: str, python_version: str) -> str:
    """SageMaker's base Python image (a function step's default); ValueError if none."""
    get_uri = backend.classes(CLASSES).get_base_python_image_uri
    return get_uri(region, py_version=python_version.replace(".", ""))
