"""The sandbox runs a Lambda step's function: its handler, in a process of its own.

The function must be in the sandbox: deploy created it from the code folder and tagged it
with where its zip is. The runner asks the sandbox's Lambda for it (its handler, timeout,
memory and environment), unpacks the zip into the step's task folder and runs
`sandbox/lambda_invoke_local.py` with the step's event (its resolved arguments), bounded by
the function's timeout and memory. Each declared output is read from the answer, converted
to its type as SageMaker does, and is the step's `OutputParameters['<name>']`.
A step naming a function by ARN alone (one in your AWS account) cannot run here.
"""

from __future__ import annotations

import json
from typing import Any

from builders.localrun import s3io
from builders.localrun.context import StepContext, StepFailed, StepResult, unsupported
from builders.localrun.definition import StepSpec
from builders.localrun.expressions import to_text
from builders.localrun.unzip import UnsafeZipError, extract_zip
from builders.step_types.lambda_call.deployment import CODE_TAG

LAUNCHER = "sandbox/lambda_invoke_local.py"
MAX_ANSWER_BYTES = 6 * 1024 * 1024  # Lambda's limit on a synchronous call's answer
_CONVERT = {"Integer": int, "Float": float, "String": str}


def executor_for(step: StepSpec) -> Any:
    return run_lambda if step.type == "Lambda" else None


def run_lambda(ctx: StepContext) -> StepResult:
    from pathlib import Path

    arn = str(ctx.spec.details.get("FunctionArn", ""))
    configuration, code_uri = _function(ctx, arn)
    task = ctx.root / "var" / "task"
    archive = ctx.folder / "function.zip"
    s3io.download_file(ctx.aws.s3, code_uri, archive)
    try:
        extract_zip(archive, task, label=code_uri)
    except UnsafeZipError as error:
        raise StepFailed(str(error)) from None
    finally:
        archive.unlink(missing_ok=True)
    event, answer = ctx.root / "event.json", ctx.root / "answer.json"
    event.write_text(json.dumps(ctx.arguments))
    failure = ctx.local("/opt/ml/output/failure")
    failure.parent.mkdir(parents=True, exist_ok=True)
    timeout = configuration.get("Timeout", 3)
    env = ctx.job_env(
        {
            **((configuration.get("Environment") or {}).get("Variables") or {}),
            "AWS_LAMBDA_FUNCTION_NAME": configuration["FunctionName"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": configuration.get("MemorySize", 128),
            "AWS_LAMBDA_FUNCTION_VERSION": configuration.get("Version", "$LATEST"),
            "LAMBDA_TASK_ROOT": task,
            "_HANDLER": configuration["Handler"],
            "SM_LAMBDA_FUNCTION_ARN": arn,
            "SM_LAMBDA_TIMEOUT": timeout,
            "SM_LAMBDA_FAILURE_FILE": failure,
        }
    )
    launcher = Path(__file__).parent / LAUNCHER
    command = [ctx.python, str(launcher), str(task), configuration["Handler"], str(event)]
    result = ctx.run([*command, str(answer)], env, timeout)
    values = _outputs(_answer(answer), ctx.spec.details.get("OutputParameters") or [])
    properties = {"FunctionArn": arn, "OutputParameters": values}
    outputs = {name: to_text(value) for name, value in values.items()}
    return StepResult(properties, outputs, result.seconds)


def _function(ctx: StepContext, arn: str) -> tuple[dict[str, Any], str]:
    """(the function's configuration, its zip's S3 URI), from the sandbox's Lambda."""
    import boto3

    lambdas = boto3.Session(region_name=ctx.aws.region, **ctx.aws.credentials).client(
        "lambda", endpoint_url=ctx.aws.endpoint_url
    )
    name = arn.split(":function:", 1)[-1].split(":", 1)[0]
    try:
        described = lambdas.get_function(FunctionName=name)
    except lambdas.exceptions.ResourceNotFoundException:
        raise unsupported(
            f"the Lambda function {arn} is not in the sandbox (a function named by its ARN "
            "lives in your AWS account). To run the step here, clear its function ARN and give "
            "the handler in your code folder: deploy then creates the function, here and on AWS"
        ) from None
    configuration = described["Configuration"]
    code = (described.get("Tags") or {}).get(CODE_TAG)
    runtime = str(configuration.get("Runtime", ""))
    if not code or not runtime.startswith("python"):
        raise unsupported(
            f"the sandbox's Lambda function {name} was not deployed from a code folder by "
            "this designer, or is not a Python function"
        )
    return configuration, code


def _answer(path) -> Any:
    if not path.is_file():
        raise StepFailed("The function wrote no answer.")
    if path.stat().st_size > MAX_ANSWER_BYTES:
        raise StepFailed(f"The function's answer is over {MAX_ANSWER_BYTES // 2**20} MB.")
    try:
        return json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StepFailed(f"The function's answer is not JSON: {error}.") from None


def _outputs(answer: Any, declared: list[dict[str, Any]]) -> dict[str, Any]:
    """Each declared output's value in the answer, as its type."""
    values = {}
    for output in declared:
        name, kind = output["OutputName"], output.get("OutputType", "String")
        if not isinstance(answer, dict) or name not in answer:
            keys = ", ".join(sorted(answer)) if isinstance(answer, dict) else type(answer).__name__
            raise StepFailed(
                f"The function's answer has no '{name}' (it has: {keys or 'nothing'}). Return "
                "a dictionary with every output the step declares."
            )
        values[name] = _typed(name, answer[name], kind)
    return values


def _typed(name: str, value: Any, kind: str) -> Any:
    if kind == "Boolean":
        if isinstance(value, bool) or str(value).lower() in ("true", "false"):
            return value if isinstance(value, bool) else str(value).lower() == "true"
    else:
        try:
            if kind != "String" and isinstance(value, bool):
                raise ValueError
            return _CONVERT[kind](value)
        except (TypeError, ValueError):
            pass
    raise StepFailed(f"The function's answer gives '{name}' as {value!r}, not a {kind}.")
