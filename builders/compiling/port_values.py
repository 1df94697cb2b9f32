"""What flows between builders along a wire: an S3 location, or a value that names one.

Most outputs are an S3 location (a URI, or the pipeline expression of one), which a job
downloads as a ProcessingInput. Some are more than that: an evaluation's output is the step
and property file a condition reads; a model's is the name a transform job uses. Such a value
also says which files a job reads when a step (a script) takes it as an input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Located:
    """A port value that is more than an S3 location; `s3_location` names its files."""

    @property
    def s3_location(self) -> Any:
        raise NotImplementedError


def s3_location(value: Any) -> Any:
    """The S3 location of a port's value (the value itself when it is one)."""
    return value.s3_location if isinstance(value, Located) else value


@dataclass(frozen=True)
class ModelOutput(Located):
    """What a model step's `model` port carries: the model's name (for a transform job) and,
    as files, the model.tar.gz it serves."""

    name: Any  # a pipeline expression: the step's ModelName
    model_data: Any  # a pipeline expression: its PrimaryContainer.ModelDataUrl

    @property
    def s3_location(self) -> Any:
        return self.model_data


def model_name(value: Any) -> Any:
    """The model name a `model` port's value gives (a plain name given to a builder as is)."""
    return value.name if isinstance(value, ModelOutput) else value
