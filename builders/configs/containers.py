"""SageMaker framework containers: their versions and Pythons, as field types.

The version types themselves live in `types.py`, marked with `Container(...)`: the frameworks
and their versions are read from these marks (`framework_versions`: the containers a
registration or a script may name; the registry: the framework words the assistant knows),
so no list of frameworks is kept anywhere else.
"""

from __future__ import annotations

import functools
from typing import Annotated, Literal, get_args, get_origin

from pydantic import Field, model_validator

from builders.configs import types
from builders.configs.base import BasePipelineConfig
from builders.configs.types import Container, FieldRuleError, PyTorchVersion

PyTorchPython = Literal["py39", "py310", "py311"]
# The one Python of each SageMaker PyTorch container (training and inference alike).
PYTORCH_PYTHON = {
    "1.13.1": "py39",
    "2.0.1": "py310",
    "2.1.0": "py310",
    "2.2.0": "py310",
    "2.3.0": "py311",
    "2.4.0": "py311",
    "2.5.1": "py311",
}


def check_pytorch_python(framework_version: str, py_version: str) -> None:
    expected = PYTORCH_PYTHON[framework_version]
    if py_version != expected:
        raise FieldRuleError(
            "py_version", f"PyTorch {framework_version} containers run Python {expected}"
        )


@functools.cache
def framework_versions() -> dict[str, tuple[str, ...]]:
    """Framework (xgboost, pytorch, sklearn) -> the versions of its SageMaker container: the
    choices of the version types `types.py` marks `Container(...)`."""
    found = {}
    for value in vars(types).values():
        if get_origin(value) is Annotated:
            core, *marks = get_args(value)
            for mark in marks:
                if isinstance(mark, Container):
                    found[mark.framework] = get_args(core)
    return found


def check_framework_container(framework: str, framework_version: str, py_version: str) -> None:
    """A framework container SageMaker has: the version exists and runs this Python."""
    versions = framework_versions().get(framework, ())
    if framework_version not in versions:
        raise FieldRuleError(
            "framework_version",
            f"{framework} containers come in versions {', '.join(versions)}",
        )
    if framework == "pytorch":
        check_pytorch_python(framework_version, py_version)
    elif py_version != "py3":  # the other frameworks' containers take any Python 3
        raise FieldRuleError("py_version", f"{framework} {framework_version} containers use py3")


class PyTorchContainer(BasePipelineConfig):
    """The PyTorch container's version and its Python, for the steps that run one."""

    framework_version: Annotated[
        PyTorchVersion, Field(description="Version of the SageMaker PyTorch container.")
    ] = "2.1.0"
    py_version: Annotated[
        PyTorchPython, Field(description="Python version of the PyTorch container.")
    ] = "py310"

    @model_validator(mode="after")
    def _check_python(self) -> PyTorchContainer:
        check_pytorch_python(self.framework_version, self.py_version)
        return self
