"""Command line: compile, validate and preview payloads without the designer.

    python -m builders compile  --dag dag.json --config config.json --out pipeline.json
    python -m builders validate --dag dag.json --config config.json
    python -m builders payload  --config config.json --node Payload --out payload.tar.gz
    python -m builders deploy   --dag dag.json --config config.json [--target sandbox|aws]
                                [--profile P] [--start] [--wait]

Bad input ends with a readable message naming the node and field, and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from builders.errors import PipelineDesignError, Problem

EXIT_PROBLEMS = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except PipelineDesignError as error:
        return _report(error.problems)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builders", description="Build SageMaker pipelines from a DAG and configs."
    )
    commands = parser.add_subparsers(required=True, metavar="command")

    compile_ = commands.add_parser("compile", help="write the SageMaker pipeline definition")
    _design_arguments(compile_)
    compile_.add_argument("--out", type=Path, required=True, help="pipeline definition to write")
    compile_.add_argument("--name", help="pipeline name (default: derived from the configs)")
    compile_.set_defaults(run=_compile)

    validate = commands.add_parser("validate", help="report every problem, node by node")
    _design_arguments(validate)
    validate.set_defaults(run=_validate)

    payload = commands.add_parser("payload", help="write a Payload node's sample archive")
    payload.add_argument("--config", type=Path, required=True, help="config JSON file")
    payload.add_argument("--node", required=True, help="name of the Payload node")
    payload.add_argument("--out", type=Path, required=True, help="archive to write (.tar.gz)")
    payload.set_defaults(run=_payload)

    deploy = commands.add_parser("deploy", help="stage code, create or update the pipeline")
    _design_arguments(deploy)
    deploy.add_argument(
        "--target",
        choices=["sandbox", "aws"],
        help="where to deploy (default: aws when credentials are found, else the sandbox)",
    )
    deploy.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    deploy.add_argument("--name", help="pipeline name (default: derived from the configs)")
    deploy.add_argument("--start", action="store_true", help="start an execution")
    deploy.add_argument("--wait", action="store_true", help="wait for the execution to end")
    deploy.set_defaults(run=_deploy)
    return parser


def _design_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dag", type=Path, required=True, help='DAG JSON: {"STEP": ["PARENT", ...]}'
    )
    parser.add_argument("--config", type=Path, required=True, help="config JSON (one file)")


def _problems(args: argparse.Namespace) -> list[Problem]:
    from builders.checks import check_pipeline
    from builders.config_io import WHAT, node_values
    from builders.dag import load_dag
    from builders.fileio import read_json

    classes, values = node_values(read_json(args.config, WHAT))
    return check_pipeline(load_dag(args.dag), classes, values)


def _validate(args: argparse.Namespace) -> int:
    problems = _problems(args)
    if problems:
        return _report(problems)
    print(f"Valid: {args.config} and {args.dag} describe a complete pipeline.")
    return 0


def _compiled(args: argparse.Namespace):
    """(CompiledPipeline, configs) of --dag and --config; every problem raised at once."""
    from builders.compile import compile_pipeline
    from builders.config_io import load_configs
    from builders.dag import load_dag
    from builders.errors import ConfigValidationError

    problems = _problems(args)
    if problems:
        raise ConfigValidationError(problems)
    configs = load_configs(args.config)
    base_dir = args.config.resolve().parent  # local paths are relative to the config file
    return compile_pipeline(load_dag(args.dag), configs, name=args.name, base_dir=base_dir), configs


def _compile(args: argparse.Namespace) -> int:
    from builders.fileio import write_json_atomic

    compiled, _ = _compiled(args)
    write_json_atomic(args.out, compiled.definition)
    print(
        f"Wrote {args.out}: pipeline {compiled.name}, {len(compiled.step_names)} steps, "
        f"{len(compiled.staged_objects)} local files to upload at deploy."
    )
    return 0


def _payload(args: argparse.Namespace) -> int:
    from builders.config_io import load_configs
    from builders.configs.payload import PayloadConfig
    from builders.payload import preview_payloads, write_payload_archive

    configs = load_configs(args.config)
    config = configs.get(args.node)
    if not isinstance(config, PayloadConfig):
        payload_nodes = [n for n, c in configs.items() if isinstance(c, PayloadConfig)]
        what = "is not in the file" if config is None else f"is a {type(config).__name__} node"
        return _report(
            [Problem(f"'{args.node}' {what}; Payload nodes: {payload_nodes or 'none'}.")]
        )
    path = write_payload_archive(config, args.out)
    print(f"Wrote {path} ({config.payload_s3_uri} once the pipeline runs). Samples:")
    for content_type, body in preview_payloads(config).items():
        if content_type in config.source_model_inference_content_types:
            print(f"  {content_type}: {body}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from builders.deploy import Target, deploy, execution_status
    from builders.sandbox import stop_sandbox

    compiled, configs = _compiled(args)
    first = next(iter(configs.values()))
    target = Target.of(args.target, first.region, args.profile)  # the region compiled for
    print(f"Deploying {compiled.name} to the {target.label}")
    try:
        result = deploy(
            compiled,
            target,
            role_arn=first.role,
            description=first.pipeline_description,
            tags={"author": first.author, "design": args.config.stem},
            start=args.start or args.wait,
            progress=lambda stage, message: print(f"  [{stage}] {message}"),
        )
        print(f"Pipeline ARN: {result.pipeline_arn}")
        if result.console_url:
            print(f"Console: {result.console_url}")
        if result.execution_arn:
            print(f"Execution ARN: {result.execution_arn}")
        if args.wait and result.execution_arn:
            return _wait(target, result.execution_arn, execution_status)
        return 0
    finally:
        if target.kind == "sandbox":
            print("The sandbox recorded the pipeline but runs no jobs; it stops with this command.")
            stop_sandbox()


def _wait(target, execution_arn: str, execution_status, interval: float = 10.0) -> int:
    import time

    while True:
        status = execution_status(target, execution_arn)
        if status.finished:
            break
        print(f"  execution {status.status}...")
        time.sleep(interval)
    print(
        f"Execution {status.status}"
        + (f": {status.failure_reason}" if status.failure_reason else "")
    )
    return 0 if status.status == "Succeeded" else EXIT_PROBLEMS


def _report(problems: list[Problem]) -> int:
    print(f"{len(problems)} problem(s):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_PROBLEMS
