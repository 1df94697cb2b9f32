"""Step caching as SageMaker does it: a step with CacheConfig enabled whose key attributes
(resolved) equal those of a step that succeeded in an earlier run of the same pipeline,
within ExpireAfter, is not run again; it returns that earlier step's properties (its job name,
its output S3 URIs, its model artifacts), so later steps read the earlier run's outputs.

The key attributes are SageMaker's defaults per kind of step; outputs are not among them, which
is what makes caching work with outputs under each run's execution id.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from builders.configs.durations import parse_duration
from builders.localrun.definition import StepSpec
from builders.localrun.errors import DefinitionError
from builders.localrun.store import RunStore, StepRecord

KEY_ATTRIBUTES = {
    "Processing": ("AppSpecification", "Environment", "ProcessingInputs"),
    "Training": (
        "AlgorithmSpecification",
        "CheckpointConfig",
        "DebugHookConfig",
        "DebugRuleConfigurations",
        "Environment",
        "HyperParameters",
        "InputDataConfig",
    ),
    "Transform": ("DataProcessing", "Environment", "ModelName", "TransformInput"),
}


def cached_kinds() -> dict[str, tuple[str, ...]]:
    """The key attributes of each kind SageMaker caches: the step bases' kinds above, then
    those the registered step types declare (StepType.kinds; a dotted name is a member of
    an argument)."""
    from builders.registry import REGISTRY

    declared = {k.name: k.cache_key for k in REGISTRY.step_kinds().values() if k.cache_key}
    return {**KEY_ATTRIBUTES, **declared}


def cache_key(step: StepSpec, arguments: dict[str, Any]) -> str | None:
    """The step's cache key, or None when it is not cached (disabled, or a type SageMaker
    never caches)."""
    if not step.cache_config.get("Enabled") or step.type not in cached_kinds():
        return None
    picked = key_attributes(step.type, arguments)
    text = json.dumps([step.type, picked], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def key_attributes(step_type: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a step of `step_type` its cache key is made of."""
    return {name: _member(arguments, name) for name in cached_kinds()[step_type]}


def _member(arguments: dict[str, Any], dotted: str) -> Any:
    value: Any = arguments
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def expire_after(step: StepSpec) -> timedelta | None:
    """ExpireAfter as a duration ("PT1H", "30d", "T16m", "30dT5h"); None: never expires."""
    text = step.cache_config.get("ExpireAfter")
    if not text:
        return None
    duration = parse_duration(str(text))
    if duration is None:
        raise DefinitionError(
            f"Step '{step.name}' has CacheConfig.ExpireAfter '{text}', which is not an ISO 8601 "
            "duration such as PT1H or P30D.",
            node=step.name,
        )
    return duration


class CacheIndex:
    """The steps that succeeded in the pipeline's earlier runs, newest first, by step name."""

    def __init__(self, store: RunStore, pipeline_name: str, exclude: str):
        self._entries: dict[str, list[tuple[str, StepRecord]]] = {}
        for run in store.runs(pipeline_name):
            if run.execution_id == exclude:
                continue
            for record in run.steps.values():
                if record.state == "succeeded" and record.cache_key and record.ended:
                    self._entries.setdefault(record.name, []).append((run.execution_id, record))
        for entries in self._entries.values():
            entries.sort(key=lambda entry: entry[1].ended or "", reverse=True)

    def lookup(self, step: StepSpec, key: str, at: datetime) -> list[tuple[str, StepRecord]]:
        """Earlier results of `step` with this key within its ExpireAfter, newest first."""
        window = expire_after(step)
        return [
            (execution_id, record)
            for execution_id, record in self._entries.get(step.name, [])
            if record.cache_key == key
            and (window is None or at - datetime.fromisoformat(record.ended) <= window)
        ]
