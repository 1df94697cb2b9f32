"""Run a compiled pipeline definition on this machine, against the local sandbox.

The runner reads only the definition and what deploy staged in the sandbox's S3: it resolves
parameters, property references, Std:Join, execution variables, property files and
conditions, and runs each step the way SageMaker would (jobs in subprocesses with the
container's folder layout). Runs, their step states, logs and outputs are kept in a run store
that survives restarts. See docs/local-run.md.
"""

from builders.localrun.definition import PipelineSpec, StepSpec, parse_definition
from builders.localrun.errors import (
    DefinitionError,
    LocalRunError,
    ParameterError,
    RunInProgressError,
    RunNotFoundError,
)
from builders.localrun.runner import DEFAULT_PARALLEL, Execution, LocalRunner, Selective
from builders.localrun.sample_data import seed_sample_data
from builders.localrun.store import STEP_STATES, RunRecord, RunStore, StepRecord

__all__ = [
    "DEFAULT_PARALLEL",
    "STEP_STATES",
    "DefinitionError",
    "Execution",
    "LocalRunError",
    "LocalRunner",
    "ParameterError",
    "PipelineSpec",
    "RunInProgressError",
    "RunNotFoundError",
    "RunRecord",
    "RunStore",
    "Selective",
    "StepRecord",
    "StepSpec",
    "parse_definition",
    "seed_sample_data",
]
