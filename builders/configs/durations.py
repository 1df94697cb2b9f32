"""ISO 8601 durations as SageMaker reads them (a step cache's ExpireAfter: P30D, PT12H)."""

from __future__ import annotations

import re
from datetime import timedelta

# SageMaker also accepts lower case and a missing leading P ("30d", "T12H").
_DURATION = re.compile(
    r"P?(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?",
    re.IGNORECASE,
)


def parse_duration(text: str) -> timedelta | None:
    """The duration `text` names (a month counts 30 days, a year 365), or None if none."""
    match = _DURATION.fullmatch(text.strip())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(
        days=365 * years + 30 * months + 7 * weeks + days,
        hours=hours,
        minutes=minutes,
        seconds=seconds,
    )
