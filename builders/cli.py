"""Command line: compile, validate and preview payloads without the designer.

    python -m builders compile  --dag dag.json --config config.json --out pipeline.json
    python -m builders validate --dag dag.json --config config.json
    python -m builders payload  --config config.json --node Payload --out payload.tar.gz
    python -m builders deploy   --dag dag.json --config config.json [--target sandbox|aws]
                                [--profile P] [--start] [--wait] [--timeout SECONDS] [--yes]
                                [--param NAME=VALUE ...]

Bad input ends with a readable message naming the node and field, and exit code 1. What the
command prints is its own: the SDK's and botocore's log lines are off while it runs.
`validate` runs every check: those of the designer's badges first, which need no SageMaker
SDK (a design that fails them is reported in a fraction of a second), then, as `compile` and
`deploy` do, it compiles the design and checks its steps against SageMaker's request shapes.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from builders.errors import ConfigValidationError, PipelineDesignError, Problem
from builders.fileio import write_failure

EXIT_PROBLEMS = 1
T = TypeVar("T")


def entry_point() -> int:
    """`python -m builders` and `sm-pipeline`: a process of its own, so GC tuning is allowed,
    and SDK 2.x's notice that it is deprecated, meant for those who call its API, is turned
    off by its own setting (the README says until when 2.x is supported)."""
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    return main(tune_gc=True)


def main(argv: Sequence[str] | None = None, *, tune_gc: bool = False) -> int:
    """Run one command; `tune_gc` only in a process that ends with it (see gc_tuning)."""
    args = _parser().parse_args(argv)
    args.tune_gc = tune_gc
    with _own_output():
        try:
            return args.run(args)
        except PipelineDesignError as error:
            return _report(error.problems)
        except KeyboardInterrupt:
            return 130


@contextmanager
def _own_output() -> Iterator[None]:
    """No library's log line on stdout or stderr while a command runs (restored after)."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builders", description="Build SageMaker pipelines from a DAG and configs."
    )
    commands = parser.add_subparsers(required=True, metavar="command")

    compile_ = commands.add_parser("compile", help="write the SageMaker pipeline definition")
    _design_arguments(compile_)
    compile_.add_argument(
        "--out", type=Path, required=True, help="pipeline definition to write (- for stdout)"
    )
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
    deploy.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a pipeline parameter's value for the started execution (repeatable)",
    )
    deploy.add_argument(
        "--timeout",
        type=_seconds,
        help="give up a deploy after this many seconds (default: three minutes)",
    )
    deploy.add_argument(
        "--yes",
        action="store_true",
        help="deploy changes to an existing pipeline without asking (they are printed)",
    )
    deploy.set_defaults(run=_deploy)
    return parser


def _design_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dag", type=Path, required=True, help='DAG JSON: {"STEP": ["PARENT", ...]}'
    )
    parser.add_argument("--config", type=Path, required=True, help="config JSON (one file)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 1 to 86400")
    return value


def _problems(args: argparse.Namespace) -> list[Problem]:
    """Every problem of --dag and --config; warnings are printed, not returned."""
    from builders.designs.config_io import WHAT, node_values, parameters_of
    from builders.fileio import read_json
    from builders.graph.checks import pipeline_name_errors
    from builders.graph.dag import load_dag
    from builders.graph.parameter_checks import check_with_parameters

    name = getattr(args, "name", None)
    problems = [p for e in pipeline_name_errors(name) for p in e.problems] if name else []
    document = read_json(args.config, WHAT)
    classes, values = node_values(document)
    found, _ = check_with_parameters(load_dag(args.dag), classes, values, parameters_of(document))
    for warning in (p for p in found if p.warning):
        print(f"Warning: {warning}", file=sys.stderr)
    return problems + [p for p in found if not p.warning]


def _validate(args: argparse.Namespace) -> int:
    problems = _problems(args)
    if problems:
        return _report(problems)
    _compiled(args, checked=True)  # SageMaker's request shapes: raises with every problem
    print(f"Valid: {args.config} and {args.dag} describe a complete pipeline.")
    return 0


def _start_values(args: argparse.Namespace) -> dict[str, str]:
    """--param NAME=VALUE, each checked against the parameter's type and bound fields."""
    from builders.designs.config_io import WHAT, node_values, parameters_of
    from builders.fileio import read_json
    from builders.graph.parameter_checks import start_values

    malformed = [item for item in args.param if "=" not in item or item.startswith("=")]
    if malformed:
        raise ConfigValidationError(
            [Problem(f"--param takes NAME=VALUE; got {item!r}.") for item in malformed]
        )
    pairs = [item.split("=", 1) for item in args.param]
    twice = sorted({name for name, _ in pairs if [n for n, _ in pairs].count(name) > 1})
    if twice:
        raise ConfigValidationError(
            [Problem(f"--param {name} is given twice; give each parameter once.") for name in twice]
        )
    given = dict(pairs)
    document = read_json(args.config, WHAT)
    classes, values = node_values(document)
    return start_values(parameters_of(document), given, classes, values)


def _compiled(args: argparse.Namespace, *, checked: bool = False):
    """(CompiledPipeline, configs) of --dag and --config; every problem raised at once
    (`checked`: the designer's checks passed already)."""
    from builders.compiling.compile import compile_pipeline
    from builders.designs.config_io import WHAT, configs_from_document, parameters_of
    from builders.fileio import read_json
    from builders.graph.dag import load_dag

    problems = [] if checked else _problems(args)
    if problems:
        raise ConfigValidationError(problems)
    document = read_json(args.config, WHAT)
    configs = configs_from_document(document)
    base_dir = args.config.resolve().parent  # local paths are relative to the config file
    _code_outside_noted(document, base_dir)
    with _tuned_gc(args.tune_gc):
        compiled = compile_pipeline(
            load_dag(args.dag),
            configs,
            name=getattr(args, "name", None),
            base_dir=base_dir,
            parameters=parameters_of(document),
        )
    return compiled, configs


def _code_outside_noted(document, base_dir: Path) -> None:
    """Say which code folders lie outside the config's folder, the workspace and the built-in
    starters, before anything is staged (an imported config may name any folder)."""
    from builders.designs.code_folders import outside
    from builders.designs.config_io import node_values
    from builders.fileio import default_root
    from builders.starters import FOLDER as STARTERS

    classes, values = node_values(document)
    roots = [base_dir, default_root()]
    nodes = {node: (classes[node], values[node]) for node in classes}
    for location in outside(nodes, base_dir, [*roots, STARTERS]):
        print(f"Note: {location.describe(roots)}", file=sys.stderr)


def _tuned_gc(tune: bool):
    """Collections paused while compiling, what is loaded frozen first (gc_tuning)."""
    if not tune:
        return nullcontext()
    from builders.compiling.gc_tuning import freeze_loaded, paused_gc
    from builders.compiling.sagemaker_env import sdk

    sdk()
    freeze_loaded(collect=False)  # the process exits after one compile
    return paused_gc()


def _write(path: Path, what: str, write: Callable[..., T], *args: object) -> T:
    """`write(*args)`; a failure to write `path` becomes a message saying why and what to do."""
    try:
        return write(*args)
    except OSError as error:
        reason = write_failure(error)
        if error.errno == errno.EPERM:  # a device such as /dev/full: stdout is the way
            reason += " (--out - writes to stdout)"
        raise ConfigValidationError(
            [Problem(f"Cannot write the {what} to '{path}': {reason}. Give another --out path.")]
        ) from None


def _compile(args: argparse.Namespace) -> int:
    from builders.fileio import write_json_atomic

    to_stdout = str(args.out) == "-"
    if not to_stdout:
        _not_an_input(args.out, {"--config": args.config, "--dag": args.dag})
    compiled, _ = _compiled(args)
    summary = (
        f"pipeline {compiled.name}, {len(compiled.step_names)} steps, "
        f"{len(compiled.staged_objects)} local files to upload at deploy."
    )
    if to_stdout:  # the definition alone on stdout, for a pipe; the summary on stderr
        sys.stdout.write(json.dumps(compiled.definition, indent=2, ensure_ascii=False) + "\n")
        print(f"Wrote the definition to stdout: {summary}", file=sys.stderr)
        return 0
    _write(args.out, "pipeline definition", write_json_atomic, args.out, compiled.definition)
    print(f"Wrote {args.out}: {summary}")
    return 0


def _not_an_input(out: Path, inputs: dict[str, Path]) -> None:
    """Refuse an --out that is one of the files read (the config would become a definition)."""
    for option, path in inputs.items():
        if _same_file(out, path):
            raise ConfigValidationError(
                [
                    Problem(
                        f"--out {out} is the {option} file: writing there would replace it. "
                        "Give another --out path."
                    )
                ]
            )


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet)
        return os.path.realpath(one) == os.path.realpath(other)


def _payload(args: argparse.Namespace) -> int:
    from builders.designs.config_io import load_configs
    from builders.step_types.payload.config import PayloadConfig
    from builders.step_types.payload.samples import preview_payloads, write_payload_archive

    configs = load_configs(args.config)
    config = configs.get(args.node)
    if not isinstance(config, PayloadConfig):
        payload_nodes = [n for n, c in configs.items() if isinstance(c, PayloadConfig)]
        what = "is not in the file" if config is None else f"is a {type(config).__name__} node"
        return _report(
            [Problem(f"'{args.node}' {what}; Payload nodes: {payload_nodes or 'none'}.")]
        )
    _not_an_input(args.out, {"--config": args.config})
    archive, manifest = _write(args.out, "payload archive", write_payload_archive, config, args.out)
    print(f"Wrote {archive} and, beside it, {manifest.name}. Samples:")
    for content_type, body in preview_payloads(config).items():
        if content_type in config.source_model_inference_content_types:
            print(f"  {content_type}: {body}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from builders.deploying.deadline import Deadline
    from builders.deploying.deploy import DEFAULT_TIMEOUT, Target, deploy, execution_status
    from builders.deploying.sandbox import stop_sandbox
    from builders.fileio import read_json

    if args.param and not (args.start or args.wait):
        raise ConfigValidationError(
            [Problem("--param sets values of a started execution: add --start.")]
        )
    parameters = _start_values(args)
    compiled, configs = _compiled(args)
    first = next(iter(configs.values()))
    target = Target.of(args.target, first.region, args.profile)  # the region compiled for
    local = target.kind == "sandbox"
    if local and args.start and not args.wait:
        print("The sandbox stops with this command: waiting for the run to end.")
    print(f"Deploying {compiled.name} to the {target.label}")
    deadline = Deadline(args.timeout or DEFAULT_TIMEOUT)  # reading the diff counts too
    try:
        if not _changes_confirmed(compiled, target, args.yes, deadline):
            return EXIT_PROBLEMS
        result = deploy(
            compiled,
            target,
            role_arn=first.role,
            description=first.pipeline_description,
            tags={"author": first.author, "design": args.config.stem},
            start=args.start or args.wait,
            parameters=parameters,
            progress=lambda stage, message: print(f"  [{stage}] {message}", flush=True),
            deadline=deadline,
            config_document=read_json(args.config, "config") if local else None,
        )
        print(f"Pipeline ARN: {result.pipeline_arn}")
        if result.console_url:
            print(f"Console: {result.console_url}")
        if result.execution_arn:
            print(f"Execution ARN: {result.execution_arn}")
        if local and result.execution_arn:
            return _wait_local(target, result.execution_arn)
        if args.wait and result.execution_arn:
            return _wait(target, result.execution_arn, execution_status)
        return 0
    finally:
        if local:
            stop_sandbox()


def _changes_confirmed(compiled, target, yes: bool, deadline) -> bool:
    """Print what the deploy changes in an existing pipeline; go on when the user agrees."""
    from builders.deploying.definition_diff import diff_definitions
    from builders.deploying.deploy import deployed_definition

    print(f"  [preflight] Reading the deployed pipeline from {target.endpoint}...", flush=True)
    deployed = deployed_definition(target, compiled.name, deadline=deadline)
    if deployed is None:
        return True  # a new pipeline
    diff = diff_definitions(deployed, compiled.definition_json)
    print(f"Changes to the deployed pipeline {compiled.name} ({target.label}):")
    for line in diff.lines():
        print(f"  {line}")
    if diff.empty or yes:
        return True
    if sys.stdin.isatty():
        with deadline.paused():  # the user's reading time is not the network's
            return input("Deploy these changes? [y/N] ").strip().lower() in ("y", "yes")
    print(
        f"Not deployed: this would change the pipeline {compiled.name}, and there is no "
        "terminal to confirm it. Check the changes above and run again with --yes.",
        file=sys.stderr,
    )
    return False


def _wait_local(target, execution_arn: str, interval: float = 0.5) -> int:
    """Follow a sandbox run to its end, a line per step state; 0 when it succeeded."""
    import time

    store = target.run_store()
    execution_id = execution_arn.rsplit("/", 1)[-1]
    shown: dict[str, str] = {}
    while True:
        run = store.load(execution_id)
        for name in run.step_order:
            step = run.steps[name]
            if step.state != shown.get(name, "waiting"):
                shown[name] = step.state
                took = f" in {step.duration:.1f} s" if step.duration is not None else ""
                print(f"  {name}: {step.state}{took}", flush=True)
        if run.finished:
            break
        time.sleep(interval)
    print(f"Execution {run.status}" + (f": {run.failure_reason}" if run.failure_reason else ""))
    for step in run.steps.values():
        if step.state == "failed":
            print(f"Step {step.name} failed: {step.reason}", file=sys.stderr)
    print(f"Runs, logs and job folders: {store.folder}")
    return 0 if run.status == "Succeeded" else EXIT_PROBLEMS


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
