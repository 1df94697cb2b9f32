"""ScriptProcessing's config: the script, its container, arguments, environment and ports."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from builders.configs.base import BasePipelineConfig
from builders.configs.containers import PYTORCH_PYTHON, framework_versions
from builders.configs.form_schema import form_modes
from builders.configs.types import (
    ADVANCED,
    CodeLocation,
    FieldRuleError,
    InstanceCount,
    ProcessingInstanceType,
    ProcessingMaxRuntime,
    ScriptName,
    VolumeSizeGB,
    matching,
)
from builders.ports import NOT_FILES, PortKind

PortName = Annotated[
    str,
    matching(r"[A-Za-z][A-Za-z0-9_-]{0,63}", "must be a letter, then letters, digits, - or _"),
]
EnvironmentName = Annotated[
    str, matching(r"[A-Za-z_][A-Za-z0-9_]{0,255}", "must be a valid environment variable name")
]
DEFAULT_INPUTS = {"data": PortKind.TABULAR_DATA.value}
DEFAULT_OUTPUTS = {"output": PortKind.PROCESSED_DATA.value}


def files_only(config: BasePipelineConfig, *fields: str) -> None:
    """A job reads and writes files: a declared port may not be of a kind that is none."""
    for field in fields:
        for port, kind in getattr(config, field).items():
            if kind in NOT_FILES:
                raise FieldRuleError(
                    field,
                    f"'{port}' is a {PortKind(kind).value}, not files: a job's ports are files "
                    "(choose a data kind)",
                )


class ScriptProcessingConfig(BasePipelineConfig):
    """Your script, run as a SageMaker processing job.

    Each input port is downloaded to /opt/ml/processing/input/<port>; whatever the script
    writes to /opt/ml/processing/output/<port> becomes that output port.
    """

    # A framework container takes a version, your image its URI: the form shows the one.
    model_config = ConfigDict(
        json_schema_extra=form_modes(
            container={
                **dict.fromkeys(("sklearn", "xgboost", "pytorch"), ("container_version",)),
                "image": ("image_uri",),
            }
        )
    )

    script_folder: Annotated[
        CodeLocation,
        Field(description="Folder with your script and what it imports: local or s3://."),
    ]
    script: Annotated[
        ScriptName, Field(description="The script to run, relative to the script folder.")
    ] = "process.py"
    container: Annotated[
        Literal["sklearn", "xgboost", "pytorch", "image"],
        Field(description="Container the script runs in: a SageMaker framework or your image."),
    ] = "sklearn"
    container_version: Annotated[
        str,
        Field(min_length=1, description="Version of the framework container (sklearn 1.2-1, "
              "XGBoost 1.7-1, PyTorch 2.1.0). Not used with your own image."),
    ] = "1.2-1"  # fmt: skip
    image_uri: Annotated[
        str | None,
        Field(
            max_length=255,
            pattern=r"^\S+$",
            description="Your own image's URI, when the container is 'image'.",
        ),
    ] = None
    arguments: Annotated[
        list[str], Field(description="Command-line arguments passed to the script.")
    ] = []
    environment: Annotated[
        dict[EnvironmentName, str], Field(description="Environment variables of the job.")
    ] = {}
    input_ports: Annotated[
        dict[PortName, PortKind],
        Field(
            max_length=10,
            description="Inputs the script reads: port name -> kind.",
            validate_default=True,  # the kinds as PortKind: serialized without a warning
        ),
    ] = DEFAULT_INPUTS
    output_ports: Annotated[
        dict[PortName, PortKind],
        Field(
            max_length=10,
            description="Outputs the script writes: port name -> kind.",
            validate_default=True,
        ),
    ] = DEFAULT_OUTPUTS
    instance_type: Annotated[
        ProcessingInstanceType, ADVANCED, Field(description="Instance type of the job.")
    ] = "ml.m5.xlarge"
    instance_count: Annotated[
        InstanceCount, ADVANCED, Field(description="Number of instances of the job.")
    ] = 1
    volume_size: Annotated[
        VolumeSizeGB, ADVANCED, Field(description="Disk size of each instance, in GB.")
    ] = 30
    max_runtime_seconds: Annotated[ProcessingMaxRuntime, ADVANCED] = None

    @model_validator(mode="after")
    def _check_container(self) -> ScriptProcessingConfig:
        files_only(self, "input_ports", "output_ports")
        if self.container == "image":
            if not self.image_uri:
                raise FieldRuleError("image_uri", "is required when the container is 'image'")
            return self
        versions = framework_versions().get(self.container, ())
        if self.container_version not in versions:
            raise FieldRuleError(
                "container_version",
                f"{self.container} containers come in versions {', '.join(versions)}",
            )
        return self

    @property
    def container_python(self) -> str:
        """The Python of the framework container (PyTorch pins one per version)."""
        return PYTORCH_PYTHON.get(self.container_version, "py3")
