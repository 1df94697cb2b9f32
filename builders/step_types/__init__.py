"""Step types, one package each: `builders/step_types/<name>/`.

A package holds its Config (`config.py`), its builder (`builder.py`, the only module that
touches the SageMaker SDK), its job script under `job/` if it runs one, and in its
`__init__.py` one `STEP_TYPE = StepType(...)`: display facts, typed ports and optional hooks
(among them `contract`: the facts a node's ports carry, which the cross-node checks compare).
The registry (`builders.registry`) collects every package here and the step types other
packages declare in the `sagemaker_pipeline_designer.step_types` entry point group. Nothing
else lists step types or their fields: required inputs come from the ports, local-path and
Advanced fields from markers in the Config's annotations.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from builders.configs.base import BasePipelineConfig
from builders.configs.step_kinds import StepKind
from builders.contracts import Contract
from builders.ports import Port, PortKind

__all__ = ["Contract", "Port", "PortKind", "Preview", "StepKind", "StepType"]


@dataclass(frozen=True)
class Preview:
    """What a preview hook returns: blocks of text shown under the node's form."""

    title: str
    blocks: tuple[tuple[str, str, str], ...]  # (caption, body, language)


@dataclass(frozen=True)
class StepType:
    """One kind of step: what users see in the palette and how it is built and wired.

    `builder` and `preview` are "package.module:name" paths (or the objects themselves),
    loaded on first use: builders import the SageMaker SDK, which the registry's readers
    (the app's pages among them) must not pay for. `job` is the folder of the job script
    the builder stages when the config names no code of its own.
    """

    name: str
    display_name: str
    category: str
    description: str
    config_class: type[BasePipelineConfig]
    builder: str | type
    inputs: tuple[Port, ...] = ()
    outputs: tuple[Port, ...] = ()
    order: int = 1000  # position in the palette and catalogs: lower first
    job: Path | None = None
    preview: str | Any | None = None  # (config) -> Preview, shown in the node panel
    # (a node's raw values) -> (inputs, outputs), for step types whose ports the user
    # declares in the form; `inputs` and `outputs` above are then those of the defaults.
    ports: str | Any | None = None
    former_config_names: tuple[str, ...] = ()  # class names older config files use
    # (a node's valid config, what its inputs received) -> Contract: the values of the facts
    # its outputs carry and what it expects of its inputs' data (builders/contracts.py).
    # `received` maps each input to the facts (fact -> value) its data is known to carry.
    contract: str | Any | None = None
    # A condition's field naming the children on its "if" branch (the rest are "else"). Its
    # edges order its children and carry no data, so any step may follow it.
    branch_field: str | None = None
    # A step that ends the run (Fail): it reads nothing, so it may follow any step; nothing
    # follows it; and it must be on a condition's branch, or every run would end there.
    ends_run: bool = False
    # (a step of a definition) -> the function that runs it in the local sandbox, or None:
    # for the steps this type compiles to that the runner has no executor of its own for
    # (a Lambda step), or runs otherwise (the SDK's function step is a training job).
    local_run: str | Any | None = None
    # The kinds of definition step it compiles to that the step bases of compiling/steps/
    # do not build (a Tuning): their request, naming and cache key.
    kinds: tuple[StepKind, ...] = ()

    def builder_class(self) -> type:
        return _load(self.builder)

    def preview_hook(self) -> Any:
        return None if self.preview is None else _load(self.preview)

    def local_executor(self, step: Any) -> Any:
        """The sandbox's executor of definition step `step`, if this type runs it."""
        return None if self.local_run is None else _load(self.local_run)(step)

    def bound(self, values: Mapping[str, Any]) -> StepType:
        """This step type with the ports a node's values declare (itself without a hook)."""
        if self.ports is None:
            return self
        inputs, outputs = _load(self.ports)(values)
        return replace(self, inputs=inputs, outputs=outputs)

    def contract_of(self, config: Any, received: Mapping[str, Mapping[str, Any]]) -> Contract:
        """What a node of this type with `config` adds to its ports' facts and expects."""
        return Contract() if self.contract is None else _load(self.contract)(config, received)

    def input(self, name: str) -> Port:
        return _port(self.inputs, name, self.name)

    def output(self, name: str) -> Port:
        return _port(self.outputs, name, self.name)

    @property
    def required_inputs(self) -> tuple[str, ...]:
        return tuple(port.name for port in self.inputs if port.required)


def _load(target: str | Any) -> Any:
    if not isinstance(target, str):
        return target
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _port(ports: tuple[Port, ...], name: str, step_type: str) -> Port:
    for port in ports:
        if port.name == name:
            return port
    raise KeyError(f"{step_type} has no port named {name!r}")
