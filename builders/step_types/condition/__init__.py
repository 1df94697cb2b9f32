"""Condition (quality gate): its "if" children run when a metric passes, the others not.

Which children form the "if" branch is the node's `if_steps` field; every step after a
child is on that child's branch (see builders/graph/branches.py).
"""

from builders.contracts import Contract, ReadsMetric
from builders.step_types import Port, PortKind, StepType
from builders.step_types.condition.config import ConditionConfig


def contract(config: ConditionConfig, received) -> Contract:
    """It compares a metric its evaluation writes."""
    return Contract(expects=(ReadsMetric("evaluation", "metric", config.metric),))


STEP_TYPE = StepType(
    name="Condition",
    display_name="Condition (quality gate)",
    category="Quality gate",
    description="Compares a metric of a model evaluation with a threshold: the steps on its "
    "'if' branch run when it holds, the others (such as a Fail step) when it does not.",
    config_class=ConditionConfig,
    builder="builders.step_types.condition.builder:ConditionStepBuilder",
    inputs=(Port("evaluation", PortKind.EVALUATION, "The evaluation whose metric it compares."),),
    order=66,
    branch_field="if_steps",
    contract=contract,
)
