"""What a deploy changes: the new definition against the deployed one, step by step.

A changed step lists what changed (`Arguments.Environment`, `CacheConfig`, ...). For a step
with caching on, a change to its cache key attributes (SageMaker's defaults per step type:
not its instance type, not its outputs) means its cached results are not reused; so are those
of the cached steps that read from it, since their inputs change with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builders.localrun.cache import cached_kinds, key_attributes
from builders.localrun.definition import PipelineSpec, StepSpec, parse_definition


@dataclass(frozen=True)
class StepChange:
    name: str
    what: tuple[str, ...]  # the parts that changed
    invalidates_cache: bool  # its own cache key changed


@dataclass(frozen=True)
class DefinitionDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[StepChange, ...] = ()
    parameters: tuple[str, ...] = ()  # parameters added, removed or with a new default
    cache_lost: tuple[str, ...] = ()  # cached steps whose cached results are not reused

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.parameters)

    def lines(self) -> list[str]:
        """The diff in words, a line per step or parameter."""
        if self.empty:
            return ["No changes: the deployed definition is the same."]
        lines = [f"+ {name}: new step" for name in self.added]
        lines += [f"- {name}: removed" for name in self.removed]
        for change in self.changed:
            cache = "; its cached results are not reused" if change.invalidates_cache else ""
            lines.append(f"~ {change.name}: {', '.join(change.what)} changed{cache}")
        lines += [f"~ parameter {name}" for name in self.parameters]
        indirect = [name for name in self.cache_lost if name not in self._direct]
        if indirect:
            lines.append(
                f"Cached results not reused because a step they read from changes: "
                f"{', '.join(indirect)}"
            )
        return lines

    @property
    def _direct(self) -> set[str]:
        return {change.name for change in self.changed if change.invalidates_cache}


def diff_definitions(deployed: str | dict[str, Any], new: str | dict[str, Any]) -> DefinitionDiff:
    old_spec, new_spec = parse_definition(deployed), parse_definition(new)
    old, now = old_spec.steps, new_spec.steps
    changed = []
    for name in new_spec.order:
        if name in old:
            what = _differences(old[name], now[name])
            if what:
                changed.append(StepChange(name, what, _key_changed(old[name], now[name])))
    rerun = {change.name for change in changed if change.invalidates_cache}
    rerun |= {name for name in now if name not in old}
    return DefinitionDiff(
        added=tuple(name for name in new_spec.order if name not in old),
        removed=tuple(name for name in old_spec.order if name not in now),
        changed=tuple(changed),
        parameters=_parameter_changes(old_spec, new_spec),
        cache_lost=tuple(
            name
            for name in new_spec.order
            if name in new_spec.downstream(rerun) and _cached(now[name]) and name in old
        ),
    )


def _differences(old: StepSpec, new: StepSpec) -> tuple[str, ...]:
    what = [] if old.type == new.type else ["Type"]
    keys = sorted(set(old.arguments) | set(new.arguments))
    what += [f"Arguments.{k}" for k in keys if old.arguments.get(k) != new.arguments.get(k)]
    for label, attribute in (
        ("CacheConfig", "cache_config"),
        ("RetryPolicies", "retry_policies"),
        ("PropertyFiles", "property_files"),
        ("dependencies", "upstream"),
        ("condition branch", "branch"),
    ):
        if getattr(old, attribute) != getattr(new, attribute):
            what.append(label)
    return tuple(what)


def _cached(step: StepSpec) -> bool:
    return bool(step.cache_config.get("Enabled")) and step.type in cached_kinds()


def _key_changed(old: StepSpec, new: StepSpec) -> bool:
    """Whether the new step's cache key differs from the old one's (it is cached)."""
    if not _cached(new):
        return False
    if old.type != new.type:
        return True
    return key_attributes(new.type, old.arguments) != key_attributes(new.type, new.arguments)


def _parameter_changes(old: PipelineSpec, new: PipelineSpec) -> tuple[str, ...]:
    names = sorted(set(old.parameters) | set(new.parameters))
    return tuple(
        f"{name}: " + _parameter_change(old.parameters.get(name), new.parameters.get(name))
        for name in names
        if old.parameters.get(name) != new.parameters.get(name)
    )


def _parameter_change(old: dict | None, new: dict | None) -> str:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return f"default {old.get('DefaultValue')!r} -> {new.get('DefaultValue')!r}"
