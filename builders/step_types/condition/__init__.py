"""Condition (quality gate): its "if" children run when a metric passes, the others not.

Which children form the "if" branch is the node's `if_steps` field; every step after a
child is on that child's branch (see builders/graph/branches.py).
"""

from collections.abc import Mapping
from typing import Any

from builders.contracts import Contract, ReadsMetric
from builders.step_types import Port, PortKind, StepType
from builders.step_types.condition.config import ConditionConfig

EVALUATION = Port("evaluation", PortKind.EVALUATION, "The evaluation whose metric it compares.")


def ports(values: Mapping[str, Any]) -> tuple[tuple[Port, ...], tuple[Port, ...]]:
    """The evaluation, or the value `compare` names (a parent's output of that name)."""
    name = values.get("compare")
    if isinstance(name, str) and name.strip():
        return (Port(name, PortKind.VALUE, "The number it compares."),), ()
    return (EVALUATION,), ()


def contract(config: ConditionConfig, received) -> Contract:
    """It compares a metric its evaluation writes (a value it compares is only a number)."""
    if config.compare:
        return Contract()
    return Contract(expects=(ReadsMetric("evaluation", "metric", config.metric),))


STEP_TYPE = StepType(
    name="Condition",
    display_name="Condition (quality gate)",
    category="Quality gate",
    description="Compares a metric of a model evaluation (or a number a step returns, such as "
    "a Lambda call's output) with a threshold: the steps on its 'if' branch run when it "
    "holds, the others (such as a Fail step) when it does not.",
    config_class=ConditionConfig,
    builder="builders.step_types.condition.builder:ConditionStepBuilder",
    inputs=(EVALUATION,),
    ports=ports,
    order=66,
    branch_field="if_steps",
    contract=contract,
)
