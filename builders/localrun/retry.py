"""Retry policies (a step's RetryPolicies) applied to the failures that happen locally.

SageMaker retries a step when its failure is of a kind a policy names (ExceptionType), up to
MaxAttempts retries, waiting IntervalSeconds * BackoffRate^(n-1) before the n-th, and not
after ExpireAfterMin minutes from the first attempt. Locally the kinds are: Step.SERVICE_FAULT
and Step.THROTTLING for the sandbox's S3 or SageMaker failing a request, and
SageMaker.JOB_INTERNAL_ERROR for a job process killed by a signal it did not ask for (the
kernel's OOM killer, kill -9). A job whose own code fails is never retried, as on SageMaker.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def retry_delay(
    policies: tuple[dict[str, Any], ...], kind: str | None, attempts: int, first: datetime
) -> float | None:
    """Seconds to wait before another attempt, or None when no policy allows one."""
    if kind is None:
        return None
    for policy in policies:
        if kind not in (policy.get("ExceptionType") or []):
            continue
        retries = attempts - 1  # done so far
        if "MaxAttempts" in policy and retries >= int(policy["MaxAttempts"]):
            continue
        expire = policy.get("ExpireAfterMin")
        elapsed = (datetime.now(timezone.utc) - first).total_seconds()
        if expire is not None and elapsed >= float(expire) * 60:
            continue
        interval = float(policy.get("IntervalSeconds", 1))
        return interval * float(policy.get("BackoffRate", 2.0)) ** retries
    return None
