"""Step caching and retry policies, applied to each step a builder returns.

Builders know nothing of them: the template hands every step to `apply_run_policies` with
its node's config, so one place decides what the definition's CacheConfig and RetryPolicies
say.
"""

from __future__ import annotations

from typing import Any

from sagemaker.workflow.retry import (
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from sagemaker.workflow.steps import (
    CacheConfig,
    ConfigurableRetryStep,
    ProcessingStep,
    TrainingStep,
    TransformStep,
    TuningStep,
)

from builders.configs.base import BasePipelineConfig
from builders.configs.types import JOB_FAILURES, STEP_FAILURES

# The steps that run a SageMaker job: the ones SageMaker caches, and the only ones a job's
# own failure (SageMaker.*) can happen to.
JOB_STEPS = (ProcessingStep, TrainingStep, TransformStep, TuningStep)


def apply_run_policies(step: Any, config: BasePipelineConfig) -> None:
    """Set `step`'s cache and retry policies from `config` (a ModelStep's inner steps)."""
    for inner in getattr(step, "steps", None) or [step]:
        if config.cache_enabled and isinstance(inner, JOB_STEPS):
            inner.cache_config = CacheConfig(
                enable_caching=True, expire_after=config.cache_expire_after
            )
        if config.retry_on and isinstance(inner, ConfigurableRetryStep):
            inner.retry_policies = retry_policies(config, runs_job=isinstance(inner, JOB_STEPS))


def retry_policies(config: BasePipelineConfig, *, runs_job: bool) -> list[Any]:
    """One policy per family of failures the config names that can happen to the step."""
    timing = {
        "max_attempts": config.retry_max_attempts,
        "interval_seconds": config.retry_interval_seconds,
        "backoff_rate": config.retry_backoff_rate,
    }
    # value=: these SDK enums ignore a positional value and return their first member.
    step_kinds = [StepExceptionTypeEnum(value=v) for v in config.retry_on if v in STEP_FAILURES]
    job_kinds = [
        SageMakerJobExceptionTypeEnum(value=v) for v in config.retry_on if v in JOB_FAILURES
    ]
    policies: list[Any] = []
    if step_kinds:
        policies.append(StepRetryPolicy(exception_types=step_kinds, **timing))
    if job_kinds and runs_job:
        policies.append(SageMakerJobStepRetryPolicy(exception_types=job_kinds, **timing))
    return policies
