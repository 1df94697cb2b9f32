"""The job's entry of a function step, as the SDK's `@step` serializes it.

The function the SDK serializes is a reference (`Reference`): unpickled in the job, it
imports its module from the workspace. Neither the user's module nor this project's runs here.
The step itself is built with the installed SDK's classes (`sdk.py`); `staged_step.py` stages
what the SDK uploads.
"""

from __future__ import annotations

import importlib
import inspect
import operator
from pathlib import Path
from typing import Any

from builders.step_types.python_function.staged_step import WORKSPACE_FOLDER

ENTRY_MODULE = "sm_function_step"  # job/sm_function_step.py, packed into the workspace
ENTRY_PARAMETERS = ("function", "arguments", "inputs", "outputs", "output_prefix", "node")
EXECUTION_ID = "execution_id"  # the entry's parameter the SDK fills in when the job runs


class _Import:
    """Unpickles as `importlib.import_module(module)`."""

    def __init__(self, module: str):
        self.module = module

    def __reduce__(self) -> tuple:
        return importlib.import_module, (self.module,)


class Reference:
    """A module-level function by name: pickled as "import the module, take the function",
    so unpickling it in the job imports it there. The SDK reads its name and signature."""

    def __init__(self, module: str, name: str, parameters: tuple[str, ...] = ()):
        self.module, self.name = module, name
        self.__name__ = self.__qualname__ = name
        self.__module__ = module
        self.__doc__ = f"{module}.{name}"
        self.__annotations__: dict[str, Any] = {}
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        self.__signature__ = inspect.Signature([inspect.Parameter(p, kind) for p in parameters])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{self.module}.{self.name} runs in the step's job, not here")

    def __reduce__(self) -> tuple:
        return operator.attrgetter(self.name), (_Import(self.module),)


def entry_reference() -> Reference:
    """The job's entry function, `sm_function_step.run`."""
    return Reference(ENTRY_MODULE, "run", (*ENTRY_PARAMETERS, EXECUTION_ID))


def entry_module_source() -> bytes:
    return (Path(__file__).parent / "job" / f"{ENTRY_MODULE}.py").read_bytes()


__all__ = [
    "ENTRY_MODULE",
    "EXECUTION_ID",
    "WORKSPACE_FOLDER",
    "Reference",
    "entry_module_source",
    "entry_reference",
]
