"""The sandbox's tuning job: trials run for real, one after another, the best one kept.

    StepType(..., local_run="builders.localrun.tuning:executor_for")

The local runner asks each step type's `local_run` hook for a step's executor: this one
runs a definition's Tuning steps with `run_tuning`. It draws each trial's
hyperparameters from the ParameterRanges (Random; Bayesian runs as Random here; Grid runs
every combination in order), runs the trial as the runner runs a Training step (its own
folder, log and job name `<tuning job>-<nnn>-<hash>`, within the job's own time limit),
reads the objective metric from the trial's log with the MetricDefinitions, and returns the
tuning job's properties: `BestTrainingJob` and `TrainingJobSummaries`, best first, so
`TrainingJobSummaries[0]` is the model later steps read. A trial whose job fails, or whose
log has no objective metric, is a failed trial; the step fails only when every trial did.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from builders.localrun.context import (
    StepContext,
    StepFailed,
    StepLog,
    StepResult,
    unsupported,
)
from builders.localrun.definition import StepSpec
from builders.localrun.jobs import remove_inputs, run_training
from builders.localrun.store import now

RANGE_KINDS = {
    "IntegerParameterRanges": "integer",
    "ContinuousParameterRanges": "continuous",
    "CategoricalParameterRanges": "categorical",
}
SUMMARY_TRIALS = 12  # trials listed in the step's summary (the log lists every one)
_DRAWS = 100  # draws for a combination not tried yet before the search counts as exhausted


@dataclass(frozen=True)
class Trial:
    number: int
    job_name: str
    chosen: dict[str, str]  # hyperparameter -> the value as SageMaker passes it (a string)
    started: str
    ended: str
    seconds: float | None = None
    value: float | None = None  # the objective metric, None when the trial failed
    reason: str = ""  # why it failed
    model: str | None = None


@dataclass
class _TrialContext(StepContext):
    """A trial's context: its own folder and log, named as SageMaker names a tuning's jobs."""

    trial_job_name: str = ""

    def job_name(self) -> str:
        return self.trial_job_name


def run_tuning(ctx: StepContext) -> StepResult:
    args = ctx.arguments
    config = args.get("HyperParameterTuningJobConfig") or {}
    definition = _training_definition(args)
    objective = config.get("HyperParameterTuningJobObjective") or {}
    metric, goal = objective.get("MetricName"), objective.get("Type", "Maximize")
    if not metric:
        raise unsupported("the tuning job names no objective metric")
    strategy = config.get("Strategy", "Bayesian")
    limits = config.get("ResourceLimits") or {}
    ranges = _ranges(config.get("ParameterRanges") or {})
    name = tuning_job_name(ctx.execution_id, ctx.spec.name)
    seed = config.get("RandomSeed")
    if seed is None:
        seed = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
    choices = _choices(strategy, ranges, limits.get("MaxNumberOfTrainingJobs"), int(seed))
    ctx.note(_plan(name, strategy, config, metric, goal))
    deadline = _deadline(limits.get("MaxRuntimeInSeconds"))
    trials: list[Trial] = []
    for number, chosen in enumerate(choices, 1):
        if deadline is not None and time.monotonic() > deadline:
            ctx.note(f"the tuning job's time limit ended the search after {len(trials)} trials")
            break
        trials.append(_run_trial(ctx, definition, name, number, chosen, metric))
    ranked = _ranked(trials, goal)
    best = ranked[0] if ranked and ranked[0].value is not None else None
    if best is None:
        first = trials[0].reason if trials else "no trial ran"
        raise StepFailed(f"Every trial of tuning job {name} failed. Trial 1: {first}")
    properties = _properties(ctx, args, name, metric, goal, ranked, best)
    return StepResult(
        properties,
        {"model": best.model or ""},
        sum(trial.seconds or 0.0 for trial in trials),
        summary=_summary(strategy, metric, goal, trials, best),
        outcome=f"best {metric} {best.value:.4g} of {len(trials)} trials",
    )


def tuning_job_name(execution_id: str, step: str) -> str:
    """A tuning job name (SageMaker allows 32 characters) unique to the run's step."""
    base = re.sub(r"[^A-Za-z0-9-]", "-", step)
    if len(base) > 19:
        base = base[:10] + "-" + hashlib.sha256(step.encode()).hexdigest()[:8]
    return f"{execution_id[:12]}-{base}".rstrip("-")


# -- the trials' values ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Range:
    name: str
    kind: str  # integer, continuous, categorical
    spec: dict[str, Any]


def _ranges(parameter_ranges: dict[str, Any]) -> list[_Range]:
    found = []
    for key, kind in RANGE_KINDS.items():
        for item in parameter_ranges.get(key) or []:
            found.append(_Range(str(item["Name"]), kind, item))
    if parameter_ranges.get("AutoParameters"):
        raise unsupported("it lets SageMaker choose the ranges (AutoParameters)")
    if not found:
        raise unsupported("its ParameterRanges name no hyperparameter to tune")
    return found


def _choices(
    strategy: str, ranges: list[_Range], max_jobs: Any, seed: int
) -> Iterator[dict[str, str]]:
    """Each trial's hyperparameters, as strings, in the order the trials run."""
    if strategy == "Grid":
        if any(item.kind != "categorical" for item in ranges):
            raise unsupported("a Grid search over ranges (SageMaker's grid takes values only)")
        values = [[str(v) for v in item.spec["Values"]] for item in ranges]
        combinations = itertools.product(*values)
        if max_jobs is not None:
            combinations = itertools.islice(combinations, int(max_jobs))
        for combination in combinations:
            yield {item.name: value for item, value in zip(ranges, combination, strict=True)}
        return
    if strategy == "Hyperband":
        raise unsupported("its Hyperband strategy stops trials by their epochs")
    rng, tried = random.Random(seed), set()
    for _ in range(int(max_jobs or 1)):
        for _ in range(_DRAWS):
            chosen = {item.name: _draw(rng, item) for item in ranges}
            key = tuple(sorted(chosen.items()))
            if key not in tried:
                break
        else:
            return  # every combination of a small space was tried
        tried.add(key)
        yield chosen


def _draw(rng: random.Random, item: _Range) -> str:
    spec = item.spec
    if item.kind == "categorical":
        return str(rng.choice(spec["Values"]))
    low, high = float(spec["MinValue"]), float(spec["MaxValue"])
    scaling = spec.get("ScalingType", "Auto")
    if scaling == "Logarithmic" and low > 0:
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
    elif scaling == "ReverseLogarithmic" and high < 1:
        value = 1 - math.exp(rng.uniform(math.log(1 - high), math.log(1 - low)))
    else:  # Linear, and Auto (SageMaker picks; a straight draw here)
        value = rng.uniform(low, high)
    if item.kind == "integer":
        return str(min(int(high), max(int(low), round(value))))
    return format(min(high, max(low, value)), ".6g")


# -- one trial -------------------------------------------------------------------------------
def _run_trial(
    ctx: StepContext,
    definition: dict[str, Any],
    tuning_name: str,
    number: int,
    chosen: dict[str, str],
    metric: str,
) -> Trial:
    digest = hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()[:8]
    job = f"{tuning_name}-{number:03d}-{digest}"
    folder = ctx.folder / "trials" / f"{number:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / "log.txt"
    log_path.unlink(missing_ok=True)  # a retried tuning step runs its trials afresh
    started = now()
    ctx.note(f"trial {number} ({job}): {_values_text(chosen)}")
    with StepLog(log_path) as log:  # a full disk drops lines, never fails the trial's record
        fields = {field.name: getattr(ctx, field.name) for field in dataclasses.fields(ctx)}
        fields.update(folder=folder, log=log, log_path=log_path)
        fields["arguments"] = _training_arguments(definition, chosen)
        trial_ctx = _TrialContext(**fields, trial_job_name=job)
        try:
            result = run_training(trial_ctx)
        except StepFailed as failure:
            result, reason = None, failure.reason
        finally:
            remove_inputs(trial_ctx.root)
    _copy_log(ctx, log_path, number)
    trial = Trial(number, job, chosen, started, now())
    if result is None:
        ctx.note(f"trial {number} failed: {reason}")
        return dataclasses.replace(trial, reason=reason)
    value = _metric(result.properties, metric)
    seconds, model = result.job_seconds, result.outputs.get("model")
    if value is None:
        reason = f"its log has no {metric} (the metric definitions found none)"
        ctx.note(f"trial {number} failed: {reason}")
        return dataclasses.replace(trial, seconds=seconds, reason=reason, model=model)
    ctx.note(f"trial {number}: {metric} = {value:g}")
    return dataclasses.replace(trial, seconds=seconds, value=value, model=model)


def _training_definition(args: dict[str, Any]) -> dict[str, Any]:
    definition = args.get("TrainingJobDefinition")
    if definition is None:
        raise unsupported("it tunes several training job definitions")
    if definition.get("AlgorithmSpecification", {}).get("AlgorithmName"):
        raise unsupported("its trials run an algorithm resource, not a training image's script")
    return definition


def _training_arguments(definition: dict[str, Any], chosen: dict[str, str]) -> dict[str, Any]:
    """The CreateTrainingJob arguments of one trial: the static and the chosen values."""
    arguments = {
        key: value
        for key, value in definition.items()
        if key not in ("StaticHyperParameters", "HyperParameterTuningResourceConfig")
    }
    arguments["HyperParameters"] = {**(definition.get("StaticHyperParameters") or {}), **chosen}
    resources = definition.get("HyperParameterTuningResourceConfig")
    if resources and "ResourceConfig" not in arguments:
        arguments["ResourceConfig"] = resources
    return arguments


def _metric(properties: dict[str, Any], metric: str) -> float | None:
    for item in properties.get("FinalMetricDataList") or []:
        if item.get("MetricName") == metric and math.isfinite(item.get("Value", math.nan)):
            return float(item["Value"])
    return None


def _copy_log(ctx: StepContext, log_path, number: int) -> None:
    """The trial's log into the step's log, each line marked with the trial's number."""
    with open(log_path, encoding="utf-8", errors="replace") as trial_log:
        for line in trial_log:
            ctx.log.write(f"[trial {number}] {line}")
    ctx.log.flush()


# -- the tuning job's results ----------------------------------------------------------------
def _ranked(trials: list[Trial], goal: str) -> list[Trial]:
    """Best first; failed trials last, in the order they ran."""
    done = [trial for trial in trials if trial.value is not None]
    failed = [trial for trial in trials if trial.value is None]
    done.sort(key=lambda trial: -trial.value if goal == "Maximize" else trial.value)
    return done + failed


def _properties(
    ctx: StepContext,
    args: dict[str, Any],
    name: str,
    metric: str,
    goal: str,
    ranked: list[Trial],
    best: Trial,
) -> dict[str, Any]:
    """DescribeHyperParameterTuningJob's and ListTrainingJobsForHyperParameterTuningJob's
    answers, as a Tuning step's properties."""
    summaries = [_job_summary(ctx, name, metric, goal, trial) for trial in ranked]
    failed = sum(trial.value is None for trial in ranked)
    return {
        **args,
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobArn": ctx.arn("hyper-parameter-tuning-job", name.lower()),
        "HyperParameterTuningJobStatus": "Completed",
        "TrainingJobStatusCounters": {
            "Completed": len(ranked) - failed,
            "InProgress": 0,
            "RetryableError": 0,
            "NonRetryableError": failed,
            "Stopped": 0,
        },
        "ObjectiveStatusCounters": {
            "Succeeded": len(ranked) - failed,
            "Pending": 0,
            "Failed": failed,
        },
        "BestTrainingJob": summaries[0],
        "TrainingJobSummaries": summaries,
    }


def _job_summary(ctx, tuning_name: str, metric: str, goal: str, trial: Trial) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "TrainingJobName": trial.job_name,
        "TrainingJobArn": ctx.arn("training-job", trial.job_name.lower()),
        "TuningJobName": tuning_name,
        "CreationTime": trial.started,
        "TrainingStartTime": trial.started,
        "TrainingEndTime": trial.ended,
        "TrainingJobStatus": "Completed" if trial.value is not None else "Failed",
        "TunedHyperParameters": dict(trial.chosen),
        "ObjectiveStatus": "Succeeded" if trial.value is not None else "Failed",
    }
    if trial.value is not None:
        summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": goal,
            "MetricName": metric,
            "Value": trial.value,
        }
    else:
        summary["FailureReason"] = trial.reason[-1024:]
    return summary


def _summary(strategy: str, metric: str, goal: str, trials: list[Trial], best: Trial) -> str:
    """The trials in words, for the node's last-run section on the canvas."""
    how = "Random (Bayesian runs as Random locally)" if strategy == "Bayesian" else strategy
    lines = [
        f"{len(trials)} trial(s), {how} search, {goal.lower()} {metric}. "
        f"Best: trial {best.number}, {metric} {best.value:.4g} ({_values_text(best.chosen)})."
    ]
    for trial in trials[:SUMMARY_TRIALS]:
        outcome = f"{trial.value:.4g}" if trial.value is not None else f"failed: {trial.reason}"
        outcome = outcome if len(outcome) <= 120 else outcome[:117] + "..."
        lines.append(f"Trial {trial.number}: {_values_text(trial.chosen)} -> {outcome}")
    if len(trials) > SUMMARY_TRIALS:
        lines.append(f"... and {len(trials) - SUMMARY_TRIALS} more (the step's log lists all).")
    return "\n".join(lines)


def _values_text(chosen: dict[str, str]) -> str:
    return ", ".join(f"{name}={_shown(value)}" for name, value in chosen.items())


def _shown(value: str) -> str:
    """A categorical value the SDK JSON-encoded ('"hist"') as the user typed it."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def _plan(name: str, strategy: str, config: dict, metric: str, goal: str) -> str:
    limits = config.get("ResourceLimits") or {}
    jobs = limits.get("MaxNumberOfTrainingJobs", "every combination")
    notes = []
    if strategy == "Bayesian":
        notes.append("Bayesian search runs as Random search locally")
    if config.get("TrainingJobEarlyStoppingType") == "Auto":
        notes.append("early stopping is off locally")
    note = f" ({'; '.join(notes)})" if notes else ""
    return (
        f"tuning job {name}: {strategy} search, up to {jobs} trial(s) one after another, "
        f"{goal.lower()} {metric}{note}"
    )


def _deadline(seconds: Any) -> float | None:
    return None if seconds is None else time.monotonic() + float(seconds)


def executor_for(step: StepSpec) -> Any:
    """The step type's `local_run` hook: this module runs the definition's Tuning steps."""
    return run_tuning if step.type == "Tuning" else None
