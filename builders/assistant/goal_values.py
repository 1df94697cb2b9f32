"""Values a goal states outright, kept in the design the assistant proposes.

"Register it only if the AUC is at least 0.8, otherwise fail" names a gate: a condition on
the metric AUC, the comparison >= and the threshold 0.8. The condition's fields are found
by what they hold, not by name: the choice field offering the metric the goal names, the
choice field offering comparison operators, the number field for the threshold. A gate
phrased as when to fail ("fail when the F1 is below 0.6") passes on the opposite.
"""

from __future__ import annotations

import re
from typing import Any

from builders.configs.base import BasePipelineConfig
from builders.configs.fields import form_fields
from builders.registry import REGISTRY, StepRegistry

# Words of a comparison, longest first, and the operator each means.
_COMPARISONS = (
    ("greater than or equal to", ">="), ("less than or equal to", "<="),
    ("no less than", ">="), ("no more than", "<="), ("not below", ">="), ("not above", "<="),
    ("at least", ">="), ("at most", "<="), ("greater than", ">"), ("higher than", ">"),
    ("more than", ">"), ("less than", "<"), ("lower than", "<"), ("equal to", "=="),
    ("exceeds", ">"), ("above", ">"), ("over", ">"), ("below", "<"), ("under", "<"),
    ("equals", "=="), (">=", ">="), ("<=", "<="), ("==", "=="), (">", ">"), ("<", "<"),
)  # fmt: skip
_OPPOSITE = {">=": "<", "<": ">=", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}
_NUMBER = r"(-?\d+(?:\.\d+)?)"


def gate_values(goal: str, registry: StepRegistry = REGISTRY) -> dict[str, Any]:
    """{field: value} of a condition step type for the gate the goal states ({} for none)."""
    for step_type in registry:
        if step_type.branch_field is None:
            continue
        fields = _gate_fields(step_type.config_class)
        if fields is None:
            continue
        found = _read_gate(goal, fields[1])
        if found:
            metric, operator, threshold = found
            return {fields[0]: metric, fields[2]: operator, fields[3]: threshold}
    return {}


def _gate_fields(config_class: type) -> tuple[str, list[str], str, str] | None:
    """(metric field, its metrics, operator field, threshold field) of a condition's config."""
    metric = operator = threshold = None
    metrics: list[str] = []
    for spec in form_fields(config_class):
        if spec.name in BasePipelineConfig.model_fields:
            continue  # the pipeline settings every step has
        options = [str(o) for o in spec.options or ()]
        if spec.kind == "choice" and ">=" in options:
            operator = spec.name
        elif spec.kind == "choice" and options:
            metric, metrics = spec.name, options
        elif spec.kind == "float":
            threshold = spec.name
    if metric and operator and threshold:
        return metric, metrics, operator, threshold
    return None


def _read_gate(goal: str, metrics: list[str]) -> tuple[str, str, float] | None:
    """(metric, operator, threshold) of the first clause comparing a metric with a number."""
    words = "|".join(re.escape(w) for w, _ in _COMPARISONS)
    names = "|".join(re.escape(m) for m in sorted(metrics, key=len, reverse=True))
    pattern = re.compile(
        rf"\b({names})\b(?:\s+(?:score|value))?(?:\s+(?:is|was|of|stays|must be))*\s*"
        rf"({words})\s*(?:to\s+)?{_NUMBER}",
        re.IGNORECASE,
    )
    for clause in re.split(r"[,;.]\s|\botherwise\b", goal):
        match = pattern.search(clause)
        if not match:
            continue
        metric, phrase, number = match.groups()
        operator = dict(_COMPARISONS)[phrase.lower()]
        if re.search(r"\bfail", clause[: match.start()], re.IGNORECASE):
            operator = _OPPOSITE[operator]  # "fail when below": the gate passes at or above
        return metric.lower(), operator, float(number)
    return None
