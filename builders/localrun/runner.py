"""Run a pipeline definition on this machine against the sandbox: the local runner.

    runner = LocalRunner(RunStore(workspace / "runs"), endpoint_url=sandbox_url, region=region)
    execution = runner.start(definition_json, pipeline_name=name, parameters={"Threshold": 0.8})
    execution.wait()            # or poll runner.store.load(execution.id) from a page
    runner.rerun_from(execution.id, ["Train"])     # selective execution

Each run parses the definition, resolves parameters, and runs every step once its upstream
steps are done: steps that do not depend on each other run side by side, up to
`max_parallel` at a time. A step that fails stops its descendants; other branches go on.
"""

from __future__ import annotations

import atexit
import json
import queue
import secrets
import shutil
import string
import sys
import threading
import traceback
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

from builders.localrun import s3io
from builders.localrun.cache import CacheIndex, cache_key
from builders.localrun.context import (
    NO_SPACE,
    AwsEnvironment,
    StepContext,
    StepFailed,
    StepLog,
    StepResult,
    StepStopped,
    disk_full,
    failure_kind,
    no_space,
)
from builders.localrun.definition import PipelineSpec, StepSpec, parameter_values, parse_definition
from builders.localrun.errors import LocalRunError, RunInProgressError
from builders.localrun.expressions import condition_outcome, resolve, to_text
from builders.localrun.jobs import (
    remove_inputs,
    remove_job_folders,
    run_processing,
    run_training,
)
from builders.localrun.models import run_create_model, run_register_model
from builders.localrun.retry import retry_delay
from builders.localrun.scope import RunScope
from builders.localrun.store import (
    DONE_OK,
    FAILED,
    STOPPED,
    SUCCEEDED,
    RunRecord,
    RunStore,
    StepRecord,
    now,
    seconds_between,
)
from builders.localrun.transform import run_transform

DEFAULT_PARALLEL = 2
# The made-up keys of the local sandbox (moto): the runner's clients and deploy's use them.
SANDBOX_CREDENTIALS = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
EXECUTORS = {
    "Processing": run_processing,
    "Training": run_training,
    "Model": run_create_model,  # what the SDK's ModelStep and CreateModelStep write
    "CreateModel": run_create_model,
    "RegisterModel": run_register_model,
    "Transform": run_transform,
}
CONTROL = ("Condition", "Fail")
NOT_STARTED = "Not run: the run was stopped before this step started."
_ID_ALPHABET = string.ascii_lowercase + string.digits
_live: weakref.WeakSet[Execution] = weakref.WeakSet()  # runs of this process, for exit


@atexit.register
def _stop_at_exit() -> None:
    """End the jobs of runs still going when the process exits (they are marked stopped)."""
    running = [execution for execution in _live if execution.running]
    for execution in running:
        execution.stop()
    for execution in running:
        execution._thread.join(timeout=10)


@dataclass(frozen=True)
class Selective:
    """A selective execution: run `selected`, reuse `source`'s results for every other step."""

    source: str
    selected: frozenset[str]


class LocalRunner:
    """Runs definitions against one sandbox endpoint, recording runs in `store`."""

    def __init__(
        self,
        store: RunStore,
        *,
        endpoint_url: str,
        region: str,
        credentials: dict[str, str] | None = None,
        max_parallel: int = DEFAULT_PARALLEL,
        python: str = sys.executable,
    ):
        _check_local(endpoint_url)
        self.store = store
        self.max_parallel = max(1, max_parallel)
        self.python = python
        credentials = dict(credentials or SANDBOX_CREDENTIALS)
        self.aws = AwsEnvironment(
            s3=_client("s3", endpoint_url, region, credentials),
            sagemaker=_client("sagemaker", endpoint_url, region, credentials),
            endpoint_url=endpoint_url,
            region=region,
            credentials=credentials,
        )
        self._executions: dict[str, Execution] = {}
        store.end_orphans()  # jobs of runs whose runner was killed, if any escaped it

    def start(
        self,
        definition: str | dict[str, Any],
        *,
        pipeline_name: str,
        parameters: dict[str, Any] | None = None,
        execution_arn: str | None = None,
        selective: Selective | None = None,
        design: str = "",
    ) -> Execution:
        """Start a run in the background; the run store has it before this returns.

        `execution_arn` names the run as the sandbox's StartPipelineExecution did (its last
        part is the execution id); without it the run gets an id of its own. `design` is the
        id of the design it runs (the designer shows a design's runs only).
        """
        spec = parse_definition(definition)
        values = parameter_values(spec, parameters)
        execution_id = execution_arn.rsplit("/", 1)[-1] if execution_arn else _new_id()
        arn = execution_arn or (
            f"arn:aws:sagemaker:{self.aws.region}:{self.aws.account}:pipeline/"
            f"{pipeline_name.lower()}/execution/{execution_id}"
        )
        run = RunRecord(
            execution_id=execution_id,
            pipeline_name=pipeline_name,
            execution_arn=arn,
            design=design,
            parameters=values,
            step_order=spec.order,
            source_execution=selective.source if selective else None,
            selected_steps=sorted(selective.selected) if selective else [],
            steps={name: StepRecord(name, step.type) for name, step in spec.steps.items()},
        )
        if isinstance(definition, str):
            definition = json.loads(definition)
        self.store.create(run, definition)
        execution = Execution(self, spec, run, selective)
        self._executions[execution_id] = execution
        execution.begin()
        return execution

    def run(self, definition: str | dict[str, Any], **options: Any) -> RunRecord:
        """Run to the end; returns the finished run."""
        return self.start(definition, **options).wait()

    def rerun_from(
        self,
        source_execution: str,
        steps: list[str],
        *,
        definition: str | dict[str, Any] | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> Execution:
        """Run `steps` and every step after them again, reusing the rest from a finished run.

        The definition defaults to the one the earlier run executed, the parameters to its
        values. Every step the re-run reads from must have succeeded (or been cached) there.
        """
        source = self.store.load(source_execution)
        if not source.finished:
            raise RunInProgressError(f"Run {source_execution} is still going: wait for it.")
        definition = definition or self.store.definition(source_execution)
        spec = parse_definition(definition)
        unknown = sorted(set(steps) - set(spec.steps))
        if unknown or not steps:
            raise LocalRunError(
                f"Choose steps of the pipeline to re-run from (unknown: {', '.join(unknown)})."
            )
        selected = spec.downstream(set(steps))
        _check_reusable(spec, source, selected)
        return self.start(
            definition,
            pipeline_name=source.pipeline_name,
            parameters=source.parameters if parameters is None else parameters,
            selective=Selective(source_execution, frozenset(selected)),
            design=source.design,
        )

    def execution(self, execution_id: str) -> Execution | None:
        """The run of this id if this runner is running it (or ran it)."""
        return self._executions.get(execution_id)


class Execution:
    """One run: schedules its steps on a thread of its own."""

    def __init__(
        self, runner: LocalRunner, spec: PipelineSpec, run: RunRecord, selective: Selective | None
    ):
        self.runner = runner
        self.spec = spec
        self.run = run
        self.selective: Selective | None = selective
        self.stopping = threading.Event()
        # A daemon thread: the app can exit during a run; _stop_at_exit ends the jobs first.
        self._thread = threading.Thread(
            target=self._main, name=f"run-{run.execution_id}", daemon=True
        )
        self._cache: CacheIndex | None = None
        self._json_files: dict[str, Any] = {}
        self._source: RunRecord | None = None
        self._executors: dict[str, Any] = {}
        self._unsaved: set[str] = set()  # steps a full disk kept from being recorded

    @property
    def id(self) -> str:
        return self.run.execution_id

    def begin(self) -> None:
        _live.add(self)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> RunRecord:
        """The run as stored, after it ends (or after `timeout` seconds)."""
        self._thread.join(timeout)
        return self.runner.store.load(self.id)

    def stop(self) -> None:
        """Stop the run: running jobs are ended, waiting steps do not start."""
        self.stopping.set()

    # -- scheduling ---------------------------------------------------------------------
    def _main(self) -> None:
        store = self.runner.store
        try:
            if self.selective:
                self._source = store.load(self.selective.source)
            if not self._refuse_unsupported():
                self._schedule()
            self._finish()
        except Exception as error:  # the run must end with a reason, whatever happened
            self.run.status, self.run.ended = FAILED, now()
            reason = f"{type(error).__name__}: {error}"
            if disk_full(error):
                self.run.failure_reason = f"{NO_SPACE} for the run's records: {reason}"
            else:
                self.run.failure_reason = f"The local runner failed: {reason}"
                traceback.print_exc()
            self._save_run()
        finally:
            store.release(self.id)

    def _save_run(self) -> None:
        """Record the run (and the steps a full disk kept from being recorded)."""
        store = self.runner.store
        try:
            for name in sorted(self._unsaved):
                store.save_step(self.id, self.run.steps[name])
            self._unsaved.clear()
            store.save_run(self.run)
        except OSError as error:
            print(
                f"The local runner could not record run {self.id} in {store.folder}: {error}",
                file=sys.stderr,
            )

    def _save_step(self, record: StepRecord) -> None:
        """Record a step; a full disk only delays it (retried when the run ends)."""
        try:
            self.runner.store.save_step(self.id, record)
        except OSError:
            self._unsaved.add(record.name)
        else:
            self._unsaved.discard(record.name)

    def _schedule(self) -> None:
        """Start each step once its upstream steps are settled; at most `max_parallel` run.

        Steps run on daemon threads of their own (not a thread pool, whose exit handler
        would wait for every running job before `_stop_at_exit` could stop them).
        """
        pending = list(self.spec.order)
        slots = threading.Semaphore(self.runner.max_parallel)
        finished: queue.Queue[BaseException | None] = queue.Queue()
        running = 0
        while pending or running:
            for name in list(pending):
                decision = self._decide(name)
                if decision != "wait":
                    pending.remove(name)
                if decision == "run":
                    running += 1
                    threading.Thread(
                        target=self._in_slot, args=(name, slots, finished), daemon=True
                    ).start()
            if not running:
                if pending:  # cannot happen with a valid order; never spin
                    raise LocalRunError(f"Steps {pending} can never start.")
                break
            error = finished.get()
            running -= 1
            if error is not None:
                raise error

    def _in_slot(self, name: str, slots: threading.Semaphore, finished: queue.Queue) -> None:
        try:
            with slots:
                self._execute(name)
        except BaseException as error:  # reported to the scheduler, which fails the run
            finished.put(error)
        else:
            finished.put(None)

    def _decide(self, name: str) -> str:
        """'run', 'wait', or 'done' (the step's state is settled without running it)."""
        step, steps = self.spec.steps[name], self.run.steps
        if self.stopping.is_set():  # never started: skipped, as SageMaker lists it
            return self._settle(name, "skipped", NOT_STARTED)
        for upstream in step.upstream:
            state = steps[upstream].state
            if state in ("failed", "stopped"):
                return self._settle(name, "skipped", f"Not run: step {upstream} {state}.")
            if state == "skipped":
                return self._settle(name, "skipped", f"Not run: step {upstream} was skipped.")
        if any(steps[upstream].state not in DONE_OK for upstream in step.upstream):
            return "wait"
        if step.branch:
            outcome = steps[step.branch.condition].properties.get("Outcome") == "True"
            if outcome != step.branch.when:
                side = "if" if step.branch.when else "else"
                return self._settle(
                    name,
                    "skipped",
                    f"Skipped: condition {step.branch.condition} was {outcome}, and this step "
                    f"is on its {side} branch.",
                )
        if self.selective and name not in self.selective.selected:
            return self._reuse(name)
        return "run"

    def _settle(self, name: str, state: str, reason: str, **values: Any) -> str:
        record = self.run.steps[name]
        record.state, record.reason = state, reason
        for key, value in values.items():
            setattr(record, key, value)
        self._save_step(record)
        return "done"

    def _reuse(self, name: str) -> str:
        """A step a selective execution does not run: the earlier run's result."""
        assert self._source is not None
        earlier = self._source.steps.get(name)
        if earlier is None or earlier.state not in DONE_OK:
            state = earlier.state if earlier else "not there"
            source = self._source.execution_id
            return self._settle(
                name, "skipped", f"Not selected for this re-run; in run {source} it was {state}."
            )
        return self._settle(
            name,
            "cached",
            f"Cached from run {self._source.execution_id} (not selected for this re-run).",
            properties=earlier.properties,
            outputs=earlier.outputs,
            job_name=earlier.job_name,
            source_execution=earlier.source_execution or self._source.execution_id,
        )

    def _refuse_unsupported(self) -> bool:
        """A step type the runner cannot run stops the run before anything runs."""
        selected = self.selective.selected if self.selective else set(self.spec.steps)
        refused = [
            step
            for step in self.spec.steps.values()
            if step.name in selected and step.type not in CONTROL and self._executor(step) is None
        ]
        if not refused:
            return False
        kinds = ", ".join(sorted({*EXECUTORS, *CONTROL}))
        for step in refused:
            self._settle(
                step.name,
                "failed",
                f"Cannot run locally: the local runner runs {kinds} steps, not "
                f"{step.type or 'untyped'} steps. Run the pipeline on AWS, or change the step.",
            )
        for name, record in self.run.steps.items():
            if record.state == "waiting":
                self._settle(name, "skipped", "Not run: the run stopped before it started.")
        return True

    def _finish(self) -> None:
        steps = [self.run.steps[name] for name in self.spec.order]
        failed = sorted((s for s in steps if s.state == "failed"), key=lambda s: s.ended or "")
        if self.stopping.is_set():
            self.run.status, self.run.failure_reason = STOPPED, "The run was stopped."
        elif failed:
            first = failed[0]
            self.run.status = FAILED
            self.run.failure_reason = (
                first.reason
                if first.type == "Fail"
                else f"Step {first.name} failed: {first.reason}"
            )
        else:
            self.run.status = SUCCEEDED
        self.run.ended = now()
        self._save_run()

    # -- one step -----------------------------------------------------------------------
    def _execute(self, name: str) -> None:
        step, record = self.spec.steps[name], self.run.steps[name]
        store = self.runner.store
        if self.stopping.is_set():  # stopped while it waited for a free slot: never started
            self._settle(name, "skipped", NOT_STARTED)
            return
        record.state, record.started = "running", now()
        record.attempts = 0 if step.type in CONTROL else 1  # saved once with the start
        self._save_step(record)
        log_path = store.log_path(self.id, name)
        with StepLog(log_path) as log:
            try:
                self._outcome(step, record, log, log_path)
            except StepStopped:
                record.state, record.reason = "stopped", "The run was stopped while it ran."
            except StepFailed as failure:
                record.state, record.reason = "failed", failure.reason[-1024:]
            except LocalRunError as error:
                record.state, record.reason = "failed", str(error)[-1024:]
            except Exception as error:
                if disk_full(error):
                    failure = no_space(name, store.folder, error)
                else:
                    log.write(traceback.format_exc())
                    failure = StepFailed(f"The local runner failed on this step: {error!r}")
                record.state, record.reason = "failed", failure.reason[-1024:]
            if record.state == "failed" and record.reason.startswith(NO_SPACE):
                remove_job_folders(store.step_folder(self.id, name))  # the partial output
            if record.state == "failed":
                log.write(f"[local run] failed: {record.reason}\n")
        record.ended = now()
        record.duration = seconds_between(record.started, record.ended)
        if record.state == "succeeded" and step.type in ("Processing", "Training", "Transform"):
            remove_inputs(store.step_folder(self.id, name) / "container")
        self._save_step(record)

    def _outcome(self, step: StepSpec, record: StepRecord, log, log_path) -> None:
        scope = RunScope(self, step)
        if step.type == "Condition":
            holds, words = condition_outcome(step.arguments.get("Conditions") or [], scope)
            record.properties = {"Outcome": str(holds)}
            record.state, record.reason, record.outcome = "succeeded", words, words
            return
        if step.type == "Fail":
            message = to_text(resolve(step.arguments.get("ErrorMessage", ""), scope))
            raise StepFailed(message or f"Fail step {step.name} ran.")
        arguments = resolve(step.arguments, scope)
        key = cache_key(step, arguments)
        record.cache_key = key
        if key and self._from_cache(step, record, key, log):
            return
        ctx = StepContext(
            spec=step,
            arguments=arguments,
            execution_id=self.id,
            pipeline_name=self.run.pipeline_name,
            folder=self.runner.store.step_folder(self.id, step.name),
            log=log,
            log_path=log_path,
            aws=self.runner.aws,
            stop=self.stopping,
            models=self._models(),
            python=self.runner.python,
        )
        result = self._attempts(ctx, record)
        record.properties, record.outputs = result.properties, result.outputs
        record.job_seconds = result.job_seconds
        record.job_name = ctx.job_name()
        record.state, record.reason = "succeeded", result.summary  # what it did, in words
        record.outcome = result.outcome

    def _attempts(self, ctx: StepContext, record: StepRecord) -> StepResult:
        """Run the step, again after a failure its retry policies cover."""
        from botocore.exceptions import BotoCoreError, ClientError

        first = datetime.now(timezone.utc)
        while True:
            ctx.note(f"attempt {record.attempts} of {ctx.spec.type} step {ctx.spec.name}")
            try:
                return self._executor(ctx.spec)(ctx)
            except (ClientError, BotoCoreError) as error:
                failure = StepFailed(f"The sandbox refused a request: {error}", failure_kind(error))
            except StepFailed as error:
                failure = error
            delay = retry_delay(ctx.spec.retry_policies, failure.kind, record.attempts, first)
            if delay is None:
                raise failure
            ctx.note(f"{failure.kind}: {failure.reason}; retrying in {delay:g} s")
            if self.stopping.wait(delay):
                raise StepStopped
            shutil.rmtree(ctx.root, ignore_errors=True)  # a new attempt, a new container
            record.attempts += 1
            self._save_step(record)

    def _from_cache(self, step: StepSpec, record: StepRecord, key: str, log) -> bool:
        """Take an earlier run's result for the step when caching allows; False to run it."""
        if self._cache is None:
            self._cache = CacheIndex(self.runner.store, self.run.pipeline_name, self.id)
        for execution_id, earlier in self._cache.lookup(step, key, datetime.now(timezone.utc)):
            gone = [u for u in earlier.outputs.values() if not s3io.exists(self.runner.aws.s3, u)]
            if gone:
                log.write(f"[local run] run {execution_id}'s outputs are gone ({gone[0]})\n")
                continue
            record.properties, record.outputs = earlier.properties, earlier.outputs
            record.job_name, record.source_execution = earlier.job_name, execution_id
            record.state, record.attempts = "cached", 0
            record.reason = f"Cache hit: the results of run {execution_id} (ended {earlier.ended})."
            log.write(f"[local run] {record.reason}\n")
            return True
        return False

    def _executor(self, step: StepSpec) -> Any:
        if step.name not in self._executors:
            self._executors[step.name] = executor_of(step)
        return self._executors[step.name]

    def _models(self) -> dict[str, dict[str, Any]]:
        return {
            record.properties["ModelName"]: record.properties
            for record in list(self.run.steps.values())
            if record.state in DONE_OK and "ModelName" in record.properties
            and record.type in ("Model", "CreateModel")
        }  # fmt: skip

    def json_file(self, uri: str) -> Any:
        if uri not in self._json_files:
            self._json_files[uri] = s3io.read_json(self.runner.aws.s3, uri)
        return self._json_files[uri]


def executor_of(step: StepSpec) -> Any:
    """What runs `step`: a step type's own (its `local_run` hook claims the steps it compiles
    to), else the runner's for that kind of step; None when nothing here can run it."""
    from builders.registry import REGISTRY

    for step_type in REGISTRY:
        executor = step_type.local_executor(step)
        if executor is not None:
            return executor
    return EXECUTORS.get(step.type)


def _check_reusable(spec: PipelineSpec, source: RunRecord, selected: set[str]) -> None:
    """Every step a re-run reads from but does not run must have results in the source run."""
    for name in selected:
        for upstream in spec.steps[name].upstream - selected:
            earlier = source.steps.get(upstream)
            if earlier is None or earlier.state not in DONE_OK | {"skipped"}:
                state = earlier.state if earlier else "not in that run"
                raise LocalRunError(
                    f"Step {name} reads from {upstream}, which has no results in run "
                    f"{source.execution_id} ({state}). Re-run from {upstream} instead.",
                    node=upstream,
                )


def _check_local(endpoint_url: str) -> None:
    host = (urlparse(endpoint_url or "").hostname or "").lower()
    if not host or host.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        raise LocalRunError(
            f"The local runner needs the sandbox's endpoint URL, not '{endpoint_url}': it never "
            "runs against AWS."
        )


def _client(service: str, endpoint_url: str, region: str, credentials: dict[str, str]) -> Any:
    import boto3
    from botocore.config import Config

    # Checksums only where the API requires them: a checksum botocore adds makes it send
    # the body in signed chunks, which the sandbox cannot stream (deploying/sandbox_s3.py).
    checksums = {
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    config = Config(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=120,
        max_pool_connections=32,
        **{name: value for name, value in checksums.items() if name in Config.OPTION_DEFAULTS},
    )
    session = boto3.Session(region_name=region, **credentials)
    return session.client(service, endpoint_url=endpoint_url, config=config)


def _new_id() -> str:
    """A SageMaker-style execution id: 12 lowercase letters and digits."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
