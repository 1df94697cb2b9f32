"""An independent model of what a design file holds after each user action, for the
model-based tests of editing (tests/test_editing_model.py in AppTest, and a shorter run in
Chromium). Plain Python over the file's JSON: none of builders.designs.design's edit functions.

The model knows the rules a user reads in the app: names are unique (a type's name, then
-2, -3...), a connection needs a step that produces what the other takes and must not close
a cycle, a shared setting typed in a node form is the pipeline's unless overridden, a value
is stored as typed (valid or not), an emptied optional text is null. Positions of new nodes
are the app's choice: the model takes them from the file and checks that none is on another.
Pipeline parameters: a promoted field takes the field's type and value; a promoted name that
exists binds the field to it if the types agree; a bound field reads the parameter's default;
unbinding gives the field that value and drops a parameter bound to nothing more.
"""

from __future__ import annotations

import copy
import json
import math
import random
from dataclasses import dataclass, field
from typing import Any

from builders.configs.base import BasePipelineConfig
from builders.configs.fields import FieldSpec, form_fields
from builders.registry import REGISTRY

SHARED = BasePipelineConfig.SHARED_FIELDS
EDITABLE_KINDS = ("text", "int", "float", "choice", "bool")
TEXTS = ["alpha", "beta-2", "", "s3://my-bucket-1/x", "ml.m5.large", "Fraud", "a b"]
INTS = [-3, 0, 1, 2, 7, 40, 30000]
# Steps SageMaker never caches (README, "Caching and retries"): the pipeline-wide
# cache_enabled is not theirs; only their own value, which they refuse when on, counts.
NOT_CACHED = {"XGBoostModel", "PyTorchModel", "ModelRegistration", "Condition", "Fail"}
FLOATS = [-0.2, 0.05, 0.3, 0.9, 1.5, 3.0]


def producers(step_type: str) -> set[str]:
    return {port.kind for port in REGISTRY.get(step_type).outputs}


def consumers(step_type: str) -> set[str]:
    return {port.kind for port in REGISTRY.get(step_type).inputs}


def is_setting(step_type: str, spec: FieldSpec) -> bool:
    """Whether the node's form edits this field in the pipeline settings (a model node
    keeps cache_enabled as its own field: SageMaker never caches it)."""
    config_class = REGISTRY.get(step_type).config_class
    return spec.name in SHARED and config_class.takes_shared(spec.name)


def editable(step_type: str) -> list[FieldSpec]:
    """Top-level fields a form draws with one plain widget (no lists, tables, groups), of
    those the step offers (a model node has no caching fields: SageMaker never caches it)."""
    config_class = REGISTRY.get(step_type).config_class
    specs = form_fields(config_class)
    return [s for s in specs if s.kind in EDITABLE_KINDS and config_class.applies(s.name)]


@dataclass
class Model:
    """The expected content of the design file."""

    file: dict[str, Any]
    log: list[str] = field(default_factory=list)
    past: list[dict[str, Any]] = field(default_factory=list)  # files before each change
    future: list[dict[str, Any]] = field(default_factory=list)  # files undone, next first
    limit: int = 100  # changes kept for undo, as the app keeps

    # -- reading ------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [node["name"] for node in self.file["nodes"]]

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [tuple(edge) for edge in self.file["edges"]]

    def node(self, name: str) -> dict[str, Any]:
        return next(node for node in self.file["nodes"] if node["name"] == name)

    def expected(self) -> dict[str, Any]:
        return copy.deepcopy(self.file)

    def effective(self, name: str) -> dict[str, Any]:
        """What the node's Config is built from: the settings it has, then its own values."""
        node = self.node(name)
        fields = REGISTRY.get(node["step_type"]).config_class.model_fields
        inherited = {k: v for k, v in self.file["settings"].items() if k in fields}
        if node["step_type"] in NOT_CACHED:
            inherited.pop("cache_enabled", None)
        values = {**inherited, **node["values"]}
        for parameter in self.file["parameters"]:
            for binding in parameter["bindings"]:
                if binding["node"] == name:
                    spec = spec_named(node["step_type"], binding["field"])
                    values[spec.name] = as_field(spec, parameter["default"])
        return values

    def bound(self) -> list[tuple[str, str]]:
        """(node, field) of every binding."""
        return [(b["node"], b["field"]) for p in self.file["parameters"] for b in p["bindings"]]

    def parameter_of(self, name: str, field: str) -> dict[str, Any] | None:
        return next(
            (p for p in self.file["parameters"] if {"node": name, "field": field} in p["bindings"]),
            None,
        )

    # -- names and connections ----------------------------------------------------------
    @staticmethod
    def free_name(stem: str, taken: set[str]) -> str:
        if stem not in taken:
            return stem
        number = 2
        while f"{stem}-{number}" in taken:
            number += 1
        return f"{stem}-{number}"

    def connectable(self, source: str, target: str) -> bool:
        if source == target or (source, target) in self.edges:
            return False
        kinds = producers(self.node(source)["step_type"])
        # A condition's edges carry no data: any step may follow it, on one of its branches.
        gate = self.node(source)["step_type"] == "Condition"
        if not gate and not kinds & consumers(self.node(target)["step_type"]):
            return False
        return not self._reaches(target, source)

    def feeder(self, step_type: str, selected: str | None) -> str | None:
        """The step a new `step_type` step is connected from: the selected one if it
        produces something the new one takes (after a condition: a step that takes
        nothing), else the right-most step that does, when it alone is right-most."""

        def feeds(name: str) -> bool:
            source_type = self.node(name)["step_type"]
            if source_type == "Condition":
                return not consumers(step_type)
            return bool(producers(source_type) & consumers(step_type))

        if selected is not None:
            return selected if selected in self.names and feeds(selected) else None
        candidates = [name for name in self.names if feeds(name)]
        right = max((self.node(name)["ui"]["x"] for name in candidates), default=None)
        last = [name for name in candidates if self.node(name)["ui"]["x"] == right]
        return last[0] if len(last) == 1 else None

    def _reaches(self, start: str, goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            here = stack.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                stack.extend(t for s, t in self.edges if s == here)
        return False

    # -- undo and redo ------------------------------------------------------------------
    def record(self, before: dict[str, Any]) -> None:
        """The file was `before` until the last action: a change to undo, none to redo."""
        if before != self.file:
            self.past = [*self.past, before][-self.limit :]
            self.future = []

    def undo(self) -> bool:
        if not self.past:
            return False
        self.future.insert(0, self.file)
        self.file = self.past.pop()
        return True

    def redo(self) -> bool:
        if not self.future:
            return False
        self.past.append(self.file)
        self.file = self.future.pop(0)
        return True

    # -- edits --------------------------------------------------------------------------
    def add(
        self, name: str, step_type: str, ui: dict[str, float], after: str | None = None
    ) -> None:
        """A new step, connected from `after` (the step it follows, see `feeder`)."""
        assert all(node["ui"] != ui for node in self.file["nodes"]), f"{name} covers a node"
        self.file["nodes"].append({"name": name, "step_type": step_type, "values": {}, "ui": ui})
        if after is not None:
            self.file["edges"].append([after, name])

    def connect(self, source: str, target: str) -> bool:
        allowed = self.connectable(source, target)
        if allowed:
            self.file["edges"].append([source, target])
        return allowed

    def disconnect(self, source: str, target: str) -> None:
        self.file["edges"].remove([source, target])

    def move(self, name: str, x: float, y: float) -> None:
        self.node(name)["ui"] = {"x": x, "y": y}

    def delete(self, name: str) -> None:
        self.file["nodes"] = [n for n in self.file["nodes"] if n["name"] != name]
        self.file["edges"] = [e for e in self.file["edges"] if name not in e]
        for parameter in self.file["parameters"]:
            parameter["bindings"] = [b for b in parameter["bindings"] if b["node"] != name]

    def rename(self, old: str, new: str) -> bool:
        new = new.strip()
        if not new or (new != old and new in self.names):
            return False
        self.node(old)["name"] = new
        self.file["edges"] = [[new if n == old else n for n in e] for e in self.file["edges"]]
        for parameter in self.file["parameters"]:
            for binding in parameter["bindings"]:
                binding["node"] = new if binding["node"] == old else binding["node"]
        return True

    # -- pipeline parameters ------------------------------------------------------------
    def promote(self, name: str, spec: FieldSpec, parameter: str) -> bool:
        """Bind the field to `parameter` (made from the field when new); False if refused."""
        kind = PARAMETER_TYPES[spec.kind]
        binding = {"node": name, "field": spec.name}
        existing = next((p for p in self.file["parameters"] if p["name"] == parameter), None)
        if existing is not None:
            if existing["type"] != kind:
                return False
            existing["bindings"].append(binding)
            return True
        raw = self.effective(name).get(spec.name, spec.default)
        if spec.kind == "list":
            raw = raw[0] if isinstance(raw, list) and len(raw) == 1 else None
        self.file["parameters"].append(
            {"name": parameter, "type": kind, "default": raw, "bindings": [binding]}
        )
        return True

    def unbind(self, name: str, spec: FieldSpec) -> None:
        parameter = self.parameter_of(name, spec.name)
        self.node(name)["values"][spec.name] = as_field(spec, parameter["default"])
        parameter["bindings"].remove({"node": name, "field": spec.name})
        if not parameter["bindings"]:
            self.file["parameters"].remove(parameter)

    def set_default(self, name: str, field: str, typed: str) -> None:
        """The user typed `typed` into the default's box of the parameter `field` is bound to."""
        parameter = self.parameter_of(name, field)
        shown = parameter["default"]
        shown = "" if shown is None else shown if isinstance(shown, str) else json.dumps(shown)
        if typed == shown:
            return
        parameter["default"] = typed_as(parameter["type"], typed)

    def overridden(self, name: str, spec: FieldSpec) -> bool:
        return spec.name in self.node(name)["values"]

    def target_of(self, name: str, spec: FieldSpec) -> dict[str, Any]:
        """Where a typed value goes: the node's values, or the settings for a shared field
        the node does not override."""
        step_type = self.node(name)["step_type"]
        if is_setting(step_type, spec) and not self.overridden(name, spec):
            return self.file["settings"]
        return self.node(name)["values"]

    def shown(self, name: str, spec: FieldSpec) -> Any:
        """The raw value the field's widget shows."""
        held = self.target_of(name, spec)
        return held.get(spec.name, spec.default)

    @staticmethod
    def display(spec: FieldSpec, raw: Any) -> Any:
        """What the widget shows for a raw value: '' for no text, numbers in the field's type."""
        if raw is None:
            return "" if spec.kind == "text" else None
        return {"int": int, "float": float}.get(spec.kind, lambda v: v)(raw)

    def type_value(self, name: str, spec: FieldSpec, typed: Any) -> None:
        """The user typed `typed` into the field's widget (a str, number, choice or bool)."""
        held, raw = self.target_of(name, spec), self.shown(name, spec)
        display = self.display(spec, raw)
        if typed == display and type(typed) is type(display):
            return  # nothing changed
        if spec.kind == "text" and typed == "" and spec.optional:
            typed = None
        if spec.name not in held and typed == spec.default and type(typed) is type(spec.default):
            return  # typed the default of a field not set: its default keeps applying
        held[spec.name] = typed

    def set_override(self, name: str, spec: FieldSpec, on: bool) -> None:
        values = self.node(name)["values"]
        if on and spec.name not in values:
            values[spec.name] = self.file["settings"].get(spec.name, spec.default)
        elif not on:
            values.pop(spec.name, None)


PARAMETER_TYPES = {"text": "String", "choice": "String", "list": "String", "int": "Integer",
                   "float": "Float", "bool": "Boolean"}  # fmt: skip


def spec_named(step_type: str, field: str) -> FieldSpec:
    return next(s for s in form_fields(REGISTRY.get(step_type).config_class) if s.name == field)


def bindable(step_type: str) -> list[FieldSpec]:
    return [s for s in form_fields(REGISTRY.get(step_type).config_class) if s.parameter]


def as_field(spec: FieldSpec, value: Any) -> Any:
    return [value] if spec.kind == "list" else value


def typed_as(kind: str, text: str) -> Any:
    """What a default's text box stores: the text read as the type, else as typed."""
    stripped = text.strip()
    if kind == "Integer" and stripped.lstrip("+-").isdigit():
        return int(stripped)
    if kind == "Float":
        try:
            value = float(stripped)
        except ValueError:
            return text
        return value if math.isfinite(value) else text
    if kind == "Boolean" and stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    return text


def value_for(rng: random.Random, spec: FieldSpec, shown: Any) -> Any:
    """A value a person might type: valid or not, by the field's kind."""
    if spec.kind == "text":
        return rng.choice(TEXTS)
    if spec.kind == "int":
        return rng.choice(INTS)
    if spec.kind == "float":
        return rng.choice(FLOATS)
    if spec.kind == "bool":
        return not shown
    return rng.choice([option for option in spec.options if option is not None])
