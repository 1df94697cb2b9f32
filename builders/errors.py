"""Named errors of the pipeline library.

Every error says which node (and, where it applies, which field or port) it is about and what
to do, so the CLI and the pages can show it as a message instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

# What kind of problem it is, for programs (the canvas badge, the CLI's --json): a required
# value not given, a value that breaks a rule, a required input no parent feeds, two parents
# feeding one input, a connection that carries nothing, a cycle, a node or step type that does
# not exist, two nodes with one name, nodes that disagree, a step the SDK cannot build, a file
# that cannot be read, a deploy stage that failed, an empty design; and a warning: something
# declared that nothing uses (a pipeline parameter bound to no field).
ProblemCode = Literal[
    "missing", "invalid", "unconnected", "ambiguous", "incompatible", "cycle", "unknown_node",
    "unknown_type", "duplicate", "conflict", "build", "file", "deploy", "empty", "unused",
]  # fmt: skip
WARNING_CODES = frozenset({"unused"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a design: where it is, what to do about it, and its kind."""

    message: str
    node: str | None = None
    field: str | None = None
    code: ProblemCode = "invalid"

    @property
    def warning(self) -> bool:
        """Worth telling, but nothing stops the pipeline from being built."""
        return self.code in WARNING_CODES

    @property
    def location(self) -> str:
        """`node.field`, `node`, `field` or '' for a design-wide problem."""
        return ".".join(part for part in (self.node, self.field) if part)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class PipelineDesignError(Exception):
    """Base of every error the library raises about a user's design or files."""

    code: ClassVar[ProblemCode] = "invalid"  # the code of the problem it reports

    def __init__(self, message: str, *, node: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.node = node
        self.field = field

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.message, self.node, self.field, self.code)]

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class CycleError(PipelineDesignError):
    """The DAG has a cycle; `cycle` lists the nodes on it, first node repeated at the end."""

    code = "cycle"

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        path = " -> ".join(cycle)
        super().__init__(
            f"The connections form a cycle ({path}). Remove one of these connections.",
            node=cycle[0] if cycle else None,
        )


class UnknownNodeError(PipelineDesignError):
    """An edge, a config or a command names a node that is not in the DAG."""

    code = "unknown_node"


class DuplicateNodeError(PipelineDesignError):
    """Two nodes share one name; steps are keyed by node name."""

    code = "duplicate"


class UnknownStepTypeError(PipelineDesignError):
    """A step type or config class that the registry does not know."""

    code = "unknown_type"


class MissingConfigError(PipelineDesignError):
    """A DAG node has no config."""

    code = "missing"


class ConfigValidationError(PipelineDesignError):
    """One or more config values are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self._problems = list(problems)
        first = self._problems[0] if self._problems else Problem("invalid configuration")
        super().__init__(first.message, node=first.node, field=first.field)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)


class ConfigFileError(PipelineDesignError):
    """A config, DAG or design file that cannot be read: malformed, foreign or incomplete."""

    code = "file"


class UnresolvedInputError(PipelineDesignError):
    """A required input port of a node has no producer among its parents."""

    code = "unconnected"

    def __init__(self, message: str, *, node: str, port: str):
        super().__init__(message, node=node, field=port)
        self.port = port


class AmbiguousInputError(PipelineDesignError):
    """Two parents offer equally good outputs for one input port."""

    code = "ambiguous"

    def __init__(self, message: str, *, node: str, port: str, producers: list[str]):
        super().__init__(message, node=node, field=port)
        self.port = port
        self.producers = producers


class IncompatibleEdgeError(PipelineDesignError):
    """An edge whose target accepts nothing its source produces."""

    code = "incompatible"


class StepBuildError(PipelineDesignError):
    """The SageMaker SDK refused to build a node's step (an unsupported region/version, ...)."""

    code = "build"


class DeployError(PipelineDesignError):
    """A deploy stage failed; `stage` names it (preflight, stage code, upsert, start, ...)."""

    code = "deploy"

    def __init__(self, message: str, *, stage: str, node: str | None = None):
        super().__init__(message, node=node)
        self.stage = stage

    @property
    def problems(self) -> list[Problem]:
        return [Problem(f"{self.stage}: {self.message}", self.node, code=self.code)]
