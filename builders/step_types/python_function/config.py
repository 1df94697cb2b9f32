"""PythonFunction's config: the function, its code folder, requirements, arguments and ports."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from builders.configs.base import BasePipelineConfig
from builders.configs.code_source import (
    SourceProblem,
    find_function,
    local_folder,
    module_file,
)
from builders.configs.types import (
    ADVANCED,
    PARAMETER,
    CodeLocation,
    FieldRuleError,
    TrainingInstanceType,
    VolumeSizeGB,
    json_or_text,
    matching,
)
from builders.ports import PortKind
from builders.step_types.script_processing.config import (
    DEFAULT_INPUTS,
    DEFAULT_OUTPUTS,
    EnvironmentName,
    PortName,
    files_only,
)

FunctionEntry = Annotated[
    str,
    matching(
        r"(?:[A-Za-z_]\w*/)*[A-Za-z_]\w*\.py:[A-Za-z_]\w*",
        "must name a file of the code folder and a function in it, such as "
        "features.py:build_features",
    ),
    Field(examples=["features.py:build_features"]),
]
RequirementsFile = Annotated[
    str,
    matching(
        r"(?:[\w.\-]+/)*[\w.\-]+\.(?:txt|yml|yaml)",
        "must be a requirements.txt or a conda environment.yml in the code folder",
    ),
]
ArgumentName = Annotated[
    str, matching(r"[A-Za-z_]\w{0,63}", "must be a Python parameter name such as min_count")
]
# The job's own channels (the SDK's bootstrap scripts and dependencies): no port takes them.
RESERVED_CHANNELS = ("sagemaker_remote_function_bootstrap", "pre_exec_script_and_dependencies")
# SageMaker's base Python images (the SDK's default image of a function step) exist for these.
BASE_IMAGE_PYTHONS = ("3.8", "3.10")


class PythonFunctionConfig(BasePipelineConfig):
    """A function of your code folder, run as a SageMaker pipeline step (the SDK's @step).

    It is called with one keyword argument per port and per fixed argument: each input port
    is the local folder holding that input's files, each output port an empty folder whose
    files become that output. Its requirements are installed in the job before it runs.
    """

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # the SDK's function steps are not cached

    source_dir: Annotated[
        CodeLocation,
        Field(
            description="Code folder holding the function's file and what it imports (a "
            "local folder): packed with the step and unpacked as the job's working folder."
        ),
    ]
    function: Annotated[
        FunctionEntry,
        Field(description="File and function to run, such as features.py:build_features."),
    ]
    requirements: Annotated[
        RequirementsFile | None,
        Field(
            description="Requirements file in the code folder (requirements.txt, or a conda "
            "environment.yml) installed in the job before the function runs."
        ),
    ] = None
    arguments: Annotated[
        dict[ArgumentName, str],
        Field(
            description="Keyword arguments with fixed values, besides the ports: each is read "
            'as JSON when it is JSON (5, 0.5, true, [1, 2], "text"), else as text.'
        ),
    ] = {}
    input_ports: Annotated[
        dict[PortName, PortKind],
        Field(
            max_length=10,
            description="Inputs, one keyword argument each: the local folder of that input.",
            validate_default=True,  # the kinds as PortKind: serialized without a warning
        ),
    ] = DEFAULT_INPUTS
    output_ports: Annotated[
        dict[PortName, PortKind],
        Field(
            max_length=10,
            description="Outputs, one keyword argument each: a folder whose files become the "
            "output.",
            validate_default=True,
        ),
    ] = DEFAULT_OUTPUTS
    instance_type: Annotated[
        TrainingInstanceType, PARAMETER, Field(description="Instance type of the job.")
    ] = "ml.m5.xlarge"
    python_version: Annotated[
        Literal["3.8", "3.9", "3.10", "3.11", "3.12"],
        Field(
            description="Python of the job: SageMaker's base Python image of this version "
            "(3.8 or 3.10), or the Python of your image."
        ),
    ] = "3.10"
    image_uri: Annotated[
        str | None,
        ADVANCED,
        Field(
            max_length=255,
            pattern=r"^\S+$",
            description="Your own image, whose Python is the version above; empty for "
            "SageMaker's base Python image.",
        ),
    ] = None
    environment: Annotated[
        dict[EnvironmentName, str], ADVANCED, Field(description="Environment variables of the job.")
    ] = {}
    max_runtime_seconds: Annotated[
        int,
        ADVANCED,
        Field(ge=60, le=2419200, description="Stop the job after this many seconds."),
    ] = 86400
    volume_size: Annotated[
        VolumeSizeGB, ADVANCED, Field(description="Disk size of the instance, in GB.")
    ] = 30

    @property
    def argument_values(self) -> dict[str, Any]:
        """The arguments as the function gets them."""
        return {name: json_or_text(value) for name, value in self.arguments.items()}

    @property
    def module(self) -> str:
        """The function's module as Python imports it: pkg/features.py -> pkg.features."""
        return self.function.split(":", 1)[0].removesuffix(".py").replace("/", ".")

    @property
    def function_name(self) -> str:
        return self.function.split(":", 1)[1]

    @model_validator(mode="after")
    def _check(self) -> PythonFunctionConfig:
        if self.source_dir.startswith("s3://"):
            raise FieldRuleError(
                "source_dir",
                "must be a local folder: the function is read from it when the design is "
                "checked and packed with the step when it is compiled",
            )
        if not self.image_uri and self.python_version not in BASE_IMAGE_PYTHONS:
            raise FieldRuleError(
                "python_version",
                "has no SageMaker base Python image (they exist for Python 3.8 and 3.10): "
                "choose one of those, or give your image_uri",
            )
        self._check_names()
        self._check_function()
        return self

    def _check_names(self) -> None:
        files_only(self, "input_ports", "output_ports")
        for field in ("input_ports", "output_ports"):
            for port in getattr(self, field):
                if port in RESERVED_CHANNELS:
                    raise FieldRuleError(field, f"'{port}' is the name of the job's own input")
        both = sorted(set(self.input_ports) & set(self.output_ports))
        if both:
            raise FieldRuleError("output_ports", f"'{both[0]}' is an input port too")
        for name in self.arguments:
            if name in self.input_ports or name in self.output_ports:
                raise FieldRuleError(
                    "arguments", f"'{name}' is a port: the function gets the port's folder"
                )

    def _check_function(self) -> None:
        """What the SDK would refuse: a function that is not there, or whose parameters do
        not take the ports and arguments it is called with. Checked when the code folder is
        found here (a relative one from the current folder); compiling checks it again."""
        folder = local_folder(self.source_dir)
        if folder is None:
            return
        if self.requirements and not (folder / self.requirements).is_file():
            raise FieldRuleError(
                "requirements", f"{self.requirements} is not in the code folder {folder}"
            )
        path = module_file(folder, self.module)
        try:
            signature = find_function(path, self.function_name, "function")
        except SourceProblem as problem:
            raise FieldRuleError(problem.field, str(problem)) from None
        if signature.is_async:
            raise FieldRuleError(
                "function", f"{self.function_name} is async: the step calls it as a plain function"
            )
        if signature.positional_only_required:
            raise FieldRuleError(
                "function",
                f"{self.function_name}() takes '{signature.positional_only_required[0]}' by "
                "position only: the step passes every value by name",
            )
        given = {*self.arguments, *self.input_ports, *self.output_ports}
        refused = signature.binding_problem(given)
        if refused:
            name, why = refused
            raise FieldRuleError(_field_of(name, self), f"{why} (line {signature.line})")


def _field_of(name: str, config: PythonFunctionConfig) -> str:
    """The field that gives (or should give) `name`."""
    if name in config.input_ports:
        return "input_ports"
    if name in config.output_ports:
        return "output_ports"
    return "arguments"
