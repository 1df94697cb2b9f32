"""Errors of the local runner: a definition it cannot read, a run it cannot find."""

from __future__ import annotations

from builders.errors import PipelineDesignError


class LocalRunError(PipelineDesignError):
    """Base of the local runner's errors; `node` is the step the error is about, if any."""


class DefinitionError(LocalRunError):
    """The definition cannot be run as written: a cycle, a bad reference or expression."""


class ParameterError(LocalRunError):
    """A parameter value that the definition does not declare or that has the wrong type."""


class RunNotFoundError(LocalRunError):
    """No run with that execution id in the run store."""


class RunInProgressError(LocalRunError):
    """The run is still going: it cannot be deleted or re-run from yet."""
