"""What a step type declares of the kinds of step it compiles to ("Type" in the definition).

The compiler's and the sandbox's own tables know the kinds the step bases of
`compiling/steps/` build (Processing, Training, Transform, models). A step type that compiles
to another kind (a Tuning) declares it in its folder
(`StepType(kinds=...)`), and the registry hands the declarations to the tables' readers: the
request shapes a compiled step is checked against (`compiling.api_requests`), the cache key
the sandbox and the deploy diff compute (`localrun.cache`, `deploying.definition_diff`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepKind:
    """A kind of pipeline step: `name` as the definition's "Type" says it."""

    name: str
    # The request SageMaker makes from the step's arguments (a botocore operation of
    # SageMaker's), checked when compiling; None: not checked.
    request: str | None = None
    # Required members of that request the pipeline fills in when it runs (the job's name).
    named_by_pipeline: tuple[str, ...] = ()
    # The arguments SageMaker's step caching compares (its defaults for the kind; a dotted
    # name is a member of an argument); empty: SageMaker never caches this kind.
    cache_key: tuple[str, ...] = ()
