"""LambdaCall's config: the function (an ARN, or a handler of the code folder), the event it
gets and the outputs it declares."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, model_validator

from builders.configs.api_rules import string_problem
from builders.configs.base import BasePipelineConfig
from builders.configs.code_source import (
    Signature,
    SourceProblem,
    find_function,
    local_folder,
    module_file,
)
from builders.configs.types import ADVANCED, CodeLocation, FieldRuleError, json_or_text, matching
from builders.ports import PortKind
from builders.step_types.script_processing.config import PortName


def _lambda_rule(shape: str) -> AfterValidator:
    """Accepts strings that fit the Lambda API shape's length and pattern (botocore's)."""

    def check(value: str) -> str:
        problem = string_problem(shape, value, service="lambda")
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


FunctionArn = Annotated[
    str,
    _lambda_rule("FunctionArn"),
    Field(examples=["arn:aws:lambda:us-east-1:123456789012:function:check-data"]),
]
# module.function, the module a file of the code folder (pkg/checks.handler is pkg/checks.py).
Handler = Annotated[
    str,
    matching(
        r"(?:[A-Za-z_]\w*[/.])*[A-Za-z_]\w*\.[A-Za-z_]\w*",
        "must be file.function, such as handler.lambda_handler for lambda_handler in handler.py",
    ),
    Field(max_length=128, examples=["handler.lambda_handler"]),
]
FunctionName = Annotated[
    str,
    matching(r"[A-Za-z0-9_-]{1,64}", "must be 1 to 64 letters, digits, hyphens or underscores"),
]
LambdaEnvironmentName = Annotated[
    str, _lambda_rule("EnvironmentVariableName"), Field(examples=["LOG_LEVEL"])
]
OutputName = Annotated[
    str, matching(r"[A-Za-z][A-Za-z0-9_-]{0,63}", "must be a letter, then letters, digits, - or _")
]
# The types of a Lambda step's outputs (sagemaker.workflow.lambda_step.LambdaOutputTypeEnum).
OutputType = Literal["String", "Integer", "Float", "Boolean"]
NUMBERS = ("Integer", "Float")  # outputs a condition can compare: value ports
# Python runtimes Lambda offers (a test checks botocore's Lambda model lists them).
Runtime = Literal["python3.10", "python3.11", "python3.12", "python3.13"]


class LambdaCallConfig(BasePipelineConfig):
    """Calls a Lambda function with an event; its answer's declared keys are the outputs.

    The function is one you name by ARN, or a handler of the code folder that deploy creates
    (or updates) as a function of its own. The event holds the fixed `inputs` and, under each
    input port's name, the S3 URI of what the parent step made; SageMaker reads each declared
    output from the dictionary the handler returns.
    """

    CACHED_BY_SAGEMAKER: ClassVar[bool] = False  # caching a call would skip its side effects

    function_arn: Annotated[
        FunctionArn | None,
        Field(
            description="ARN of an existing Lambda function to call. Leave empty to deploy the "
            "handler below from the code folder."
        ),
    ] = None
    source_dir: Annotated[
        CodeLocation | None,
        Field(
            description="Code folder holding the handler's file (a local folder), zipped and "
            "deployed as a Lambda function at deploy."
        ),
    ] = None
    handler: Annotated[
        Handler,
        Field(description="The handler in the code folder: file.function."),
    ] = "handler.lambda_handler"
    inputs: Annotated[
        dict[OutputName, str],
        Field(
            description="Fixed values of the event the function gets, by key: each is read as "
            'JSON when it is JSON (5, 0.5, true, [1, 2], "text"), else as text.'
        ),
    ] = {}
    input_ports: Annotated[
        dict[PortName, PortKind],
        Field(
            max_length=10,
            description="Inputs from parent steps: the event gets each one's S3 URI (or value) "
            "under the port's name.",
        ),
    ] = {}
    outputs: Annotated[
        dict[OutputName, OutputType],
        Field(
            max_length=20,
            description="Keys of the function's answer that later steps read: name -> type. "
            "A number is a value a condition can compare.",
        ),
    ] = {}
    output_ports: Annotated[
        dict[OutputName, PortKind],
        Field(
            max_length=10,
            description="Keys of the answer holding the S3 URI of data later steps read: "
            "name -> kind (String outputs).",
        ),
    ] = {}
    function_name: Annotated[
        FunctionName | None,
        ADVANCED,
        Field(description="Name of the deployed function; empty: <pipeline name>-<node>."),
    ] = None
    runtime: Annotated[
        Runtime, ADVANCED, Field(description="Python runtime of the deployed function.")
    ] = "python3.12"
    timeout_seconds: Annotated[
        int,
        ADVANCED,
        Field(ge=1, le=900, description="Seconds the deployed function may run."),
    ] = 60
    memory_mb: Annotated[
        int,
        ADVANCED,
        Field(ge=128, le=10240, description="Memory of the deployed function, in MB."),
    ] = 256
    environment: Annotated[
        dict[LambdaEnvironmentName, str],
        ADVANCED,
        Field(description="Environment variables of the deployed function."),
    ] = {}

    @property
    def deploys(self) -> bool:
        """Whether deploy creates the function from the code folder."""
        return not self.function_arn

    @property
    def answer_types(self) -> dict[str, str]:
        """Every output SageMaker reads from the answer: declared ones and the ports'."""
        return {**self.outputs, **dict.fromkeys(self.output_ports, "String")}

    @property
    def event_values(self) -> dict[str, Any]:
        """The fixed inputs as the event holds them."""
        return {key: json_or_text(value) for key, value in self.inputs.items()}

    @property
    def handler_module(self) -> str:
        return self.handler.rsplit(".", 1)[0].replace("/", ".")

    @property
    def handler_function(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    @model_validator(mode="after")
    def _check(self) -> LambdaCallConfig:
        if self.deploys:
            if not self.source_dir:
                raise FieldRuleError(
                    "function_arn",
                    "is required, unless the pipeline's code folder (source_dir) holds the "
                    "handler to deploy",
                )
            if self.source_dir.startswith("s3://"):
                raise FieldRuleError(
                    "source_dir", "must be a local folder: deploy zips the handler's folder"
                )
            _check_handler(self)
        for key in self.input_ports:
            if key in self.inputs:
                raise FieldRuleError("inputs", f"'{key}' is an input port too")
        both = sorted(set(self.outputs) & set(self.output_ports))
        if both:
            raise FieldRuleError("output_ports", f"'{both[0]}' is an output too")
        for name, kind in self.output_ports.items():
            if kind == PortKind.VALUE:
                raise FieldRuleError(
                    "output_ports", f"'{name}' is a value: declare it in outputs, as a number"
                )
        return self


def _check_handler(config: LambdaCallConfig) -> None:
    """The handler is a function of the code folder taking (event, context), as Lambda calls
    it. Checked when the folder is found here; compiling checks it again."""
    folder = local_folder(config.source_dir)
    if folder is None:
        return
    path = module_file(folder, config.handler_module)
    try:
        signature = find_function(path, config.handler_function, "handler")
    except SourceProblem as problem:
        raise FieldRuleError("handler", str(problem)) from None
    problem = handler_problem(signature)
    if problem:
        raise FieldRuleError("handler", problem)


def handler_problem(signature: Signature) -> str | None:
    """Why Lambda could not call this function as handler(event, context), or None."""
    if signature.is_async:
        return f"{signature.name} is async: Lambda's Python runtime calls a plain function"
    if len(signature.positional) < 2 and not signature.any_positional:
        return (
            f"{signature.name}() must take two arguments, (event, context): Lambda calls it "
            f"with both (line {signature.line})"
        )
    required = [*signature.positional_only_required, *signature.required]
    extra = [n for n in required if n not in signature.positional[:2]]
    if extra:
        return f"{signature.name}() needs '{extra[0]}', which Lambda never gives"
    return None
