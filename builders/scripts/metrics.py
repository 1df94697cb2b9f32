"""Metrics the job scripts print, and the metric definitions SageMaker reads them with.

A training job's metrics appear in SageMaker (training job metrics, CloudWatch) only for the
metric definitions it declares: a name and a regular expression over the job's log. The
scripts print `<channel>_<metric>=<value>` through `metric_line`, and the training builders
declare `metric_definitions()`, so the two cannot drift apart.
Runs inside SageMaker containers too: Python 3.8 and the standard library only.
"""

from __future__ import annotations

CHANNELS = ("val", "test")
NAMES = ("accuracy", "logloss", "auc", "rmse", "mae")
_NUMBER = r"([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|nan|inf))"


def metric_line(channel: str, name: str, value: float) -> str:
    """The log line of one metric, such as `val_auc=0.912345`."""
    if channel not in CHANNELS or name not in NAMES:
        raise ValueError(f"No metric definition for {channel}_{name}; add it to metrics.py.")
    return f"{channel}_{name}={value:.6f}"


def metric_definitions() -> list:
    """[{"Name", "Regex"}] for every metric a script may print (SageMaker's MetricDefinitions)."""
    return [
        {"Name": f"{channel}:{name}", "Regex": f"{channel}_{name}={_NUMBER}"}
        for channel in CHANNELS
        for name in NAMES
    ]
