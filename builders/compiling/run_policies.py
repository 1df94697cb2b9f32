"""Step caching and retry policies, applied to each step a builder returns.

Builders know nothing of them: the template hands every step to `apply_run_policies` with
its node's config, so one place decides what the definition's CacheConfig and RetryPolicies
say.
"""

from __future__ import annotations

from typing import Any

from builders.compiling.sdk import backend
from builders.configs.base import BasePipelineConfig
from builders.configs.types import JOB_FAILURES, STEP_FAILURES


def apply_run_policies(step: Any, config: BasePipelineConfig) -> None:
    """Set `step`'s cache and retry policies from `config` (a ModelStep's inner steps).

    Only steps that run a SageMaker job are cached, and only they can fail as a job
    (SageMaker.*)."""
    sdk = backend()
    for inner in sdk.inner_steps(step):
        runs_job = sdk.runs_job(inner)
        if config.cache_enabled and runs_job:
            inner.cache_config = sdk.cache_config(config.cache_expire_after)
        if config.retry_on and sdk.retries(inner):
            inner.retry_policies = retry_policies(config, runs_job=runs_job)


def retry_policies(config: BasePipelineConfig, *, runs_job: bool) -> list[Any]:
    """One policy per family of failures the config names that can happen to the step."""
    return backend().retry_policies(
        [v for v in config.retry_on if v in STEP_FAILURES],
        [v for v in config.retry_on if v in JOB_FAILURES] if runs_job else [],
        max_attempts=config.retry_max_attempts,
        interval_seconds=config.retry_interval_seconds,
        backoff_rate=config.retry_backoff_rate,
    )
