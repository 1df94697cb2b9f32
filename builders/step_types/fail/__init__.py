"""Fail: end the run as failed with a message, typically on a quality gate's else branch."""

from builders.step_types import StepType
from builders.step_types.fail.config import FailConfig

STEP_TYPE = StepType(
    name="Fail",
    display_name="Fail",
    category="Quality gate",
    description="Stops the run as Failed with your message: put it on a condition's 'else' "
    "branch to fail runs whose model does not pass.",
    config_class=FailConfig,
    builder="builders.step_types.fail.builder:FailStepBuilder",
    order=67,
    ends_run=True,
)
