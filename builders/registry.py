"""The step registry: every step type, its Config class, Builder class and typed ports.

The palette, the forms, validation, wiring, the assistant and export all read this registry.
It collects the packages under `builders/step_types/` and the step types other installed
packages declare in the entry point group `sagemaker_pipeline_designer.step_types`; adding a
step type touches its own folder only. Builders are named by import path and loaded on first
use: they import the SageMaker SDK, which the registry's readers (the app's pages among them)
must not pay for.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import pkgutil
import warnings
from collections.abc import Iterator
from typing import get_args

from pydantic import BaseModel

import builders.step_types
from builders.configs.fields import unwrap
from builders.configs.types import Container
from builders.errors import UnknownStepTypeError
from builders.ports import Port, PortKind
from builders.step_types import Preview, StepKind, StepType

__all__ = ["REGISTRY", "Port", "PortKind", "Preview", "StepKind", "StepRegistry", "StepType"]

# Installed packages declare step types here: `<name> = "package.module:STEP_TYPE"` (or a
# module that has a STEP_TYPE), in their pyproject's [project.entry-points."<this group>"].
ENTRY_POINT_GROUP = "sagemaker_pipeline_designer.step_types"


class StepRegistry:
    """Step types by name, in the order they were registered."""

    def __init__(self, step_types: tuple[StepType, ...] = ()):
        self._types: dict[str, StepType] = {}
        for step_type in step_types:
            self.register(step_type)

    def register(self, step_type: StepType) -> StepType:
        if step_type.name in self._types:
            raise ValueError(f"Step type {step_type.name!r} is already registered")
        for known in self._types.values():
            if known.config_class is step_type.config_class:
                raise ValueError(
                    f"{step_type.config_class.__name__} already belongs to step type {known.name}"
                )
        for kind in step_type.kinds:
            declared = self.step_kinds().get(kind.name)
            if declared is not None and declared != kind:
                raise ValueError(
                    f"Step type {step_type.name} declares the step kind {kind.name} otherwise "
                    "than a registered step type does"
                )
        self._types[step_type.name] = step_type
        return step_type

    def step_kinds(self) -> dict[str, StepKind]:
        """The kinds of definition step the step types declare (StepType.kinds), by name."""
        return {kind.name: kind for t in self._types.values() for kind in t.kinds}

    def get(self, name: str, *, node: str | None = None) -> StepType:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(self._types)
            raise UnknownStepTypeError(
                f"Unknown step type '{name}'. Known step types: {known}.", node=node
            ) from None

    def for_config(self, config: BaseModel | type[BaseModel], *, node: str | None = None):
        """The step type whose Config class is the class of `config` (or `config` itself)."""
        config_class = config if isinstance(config, type) else type(config)
        for step_type in self._types.values():
            if step_type.config_class is config_class:
                return step_type
        raise UnknownStepTypeError(
            f"{config_class.__name__} is not the Config class of any registered step type.",
            node=node,
        )

    def config_class_named(self, class_name: str, *, node: str | None = None) -> type:
        for step_type in self._types.values():
            names = (step_type.config_class.__name__, *step_type.former_config_names)
            if class_name in names:
                return step_type.config_class
        raise UnknownStepTypeError(
            f"Unknown config class '{class_name}'. It must be the Config class of a registered "
            f"step type ({', '.join(t.config_class.__name__ for t in self._types.values())}).",
            node=node,
        )

    def producers_of(self, kind: PortKind) -> list[StepType]:
        return [t for t in self._types.values() if any(p.kind is kind for p in t.outputs)]

    def by_category(self) -> dict[str, list[StepType]]:
        categories: dict[str, list[StepType]] = {}
        for step_type in self._types.values():
            categories.setdefault(step_type.category, []).append(step_type)
        return categories

    def framework_names(self) -> set[str]:
        """Display names of the frameworks the step types' containers run (XGBoost, ...)."""
        return {
            container.display_name
            for step_type in self._types.values()
            for container, _ in _containers(step_type.config_class)
        }

    def names(self) -> list[str]:
        return list(self._types)

    def __iter__(self) -> Iterator[StepType]:
        return iter(list(self._types.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._types


@functools.cache
def _containers(config_class: type[BaseModel]) -> tuple[tuple[Container, tuple[str, ...]], ...]:
    """(container mark, its versions) of each field of `config_class` marked `Container`."""
    found = []
    for info in config_class.model_fields.values():
        core, _, metadata = unwrap(info.annotation)
        for mark in (*info.metadata, *metadata):
            if isinstance(mark, Container):
                found.append((mark, get_args(core)))
    return tuple(found)


def builtin_step_types() -> list[StepType]:
    """The STEP_TYPE of every package under builders/step_types/, in palette order."""
    found = []
    for module in pkgutil.iter_modules(builders.step_types.__path__):
        if module.ispkg:
            package = importlib.import_module(f"builders.step_types.{module.name}")
            found.append(package.STEP_TYPE)
    return sorted(found, key=lambda step_type: (step_type.order, step_type.name))


def register_installed(registry: StepRegistry) -> list[str]:
    """Register the step types installed packages declare (ENTRY_POINT_GROUP); the names
    added. One that cannot be loaded or registered is left out with a warning that names it:
    a broken package never stops the designer."""
    added = []
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in registry:
            continue  # registered already (this function was called before)
        try:
            declared = entry_point.load()
            step_type = getattr(declared, "STEP_TYPE", declared)
            if not isinstance(step_type, StepType):
                raise TypeError(f"{entry_point.value} is not a StepType")
            if step_type.name != entry_point.name:
                raise ValueError(f"its entry point is named {entry_point.name!r}")
            registry.register(step_type)
        except Exception as error:  # a third party's bug must not stop the app
            warnings.warn(
                f"Step type {entry_point.name!r} ({entry_point.value}) is left out: {error}",
                stacklevel=2,
            )
            continue
        added.append(step_type.name)
    return added


REGISTRY = StepRegistry(tuple(builtin_step_types()))
register_installed(REGISTRY)
