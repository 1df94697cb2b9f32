"""Training jobs whose container runs the command of the definition (SDK 3's ModelTrainer).

SDK 3's ModelTrainer ships its container drivers as the `sm_drivers` input channel and makes
the container run `/bin/bash -c "chmod +x .../sm_drivers/sm_train.sh && .../sm_train.sh"`:
the script writes the SM_* environment from /opt/ml/input/config, unpacks the `code` channel
and runs the entry script through the drivers. Here the container's /opt/ml is the job's
folder, so the runner maps the /opt/ml paths of the command and of the drivers' files (its
own copy of the channel), as it maps a processing job's command. A job folder whose path a
shell would split (a space, a quote) is reached through a link whose path it would not.
"""

from __future__ import annotations

import re
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from builders.localrun.context import StepContext, StepFailed
from builders.scripts.archives import UnsafeArchiveError, extract_all

SDK_DRIVERS = "sm_drivers"  # the channel SDK 3 puts its container drivers in
SDK_CODE = "code"  # ... and the code, here an archive its drivers unpack
_CONTAINER_ROOT = re.compile(r"(?<![\w./-])/opt/ml(?![\w.-])")
_SHELL_SAFE = re.compile(r"[\w./-]+")
_DRIVER_TEXT = (".sh", ".py", ".json")


@contextmanager
def entry_point_command(
    ctx: StepContext, args: dict[str, Any], job_name: str
) -> Iterator[tuple[list[str], dict[str, str]]]:
    """(command, environment) of the container's own entry point, for the job's duration."""
    algorithm = args["AlgorithmSpecification"]
    _check_code(ctx, args)
    with _opt_ml(ctx) as opt_ml:
        drivers = ctx.local(f"/opt/ml/input/data/{SDK_DRIVERS}")
        if drivers.is_dir():
            _map_files(drivers, opt_ml)
        words = [*algorithm["ContainerEntrypoint"], *(algorithm.get("ContainerArguments") or [])]
        command = [_CONTAINER_ROOT.sub(opt_ml, word) for word in ctx.command(words)]
        environment = {**(args.get("Environment") or {}), "TRAINING_JOB_NAME": job_name}
        yield command, ctx.job_env(environment)


def _check_code(ctx: StepContext, args: dict[str, Any]) -> None:
    """The drivers unpack the `code` channel's archive with the container's `tar`. The runner
    unpacks it first with its checked extraction (a member that would land outside the folder,
    or is not plain data, fails the step, naming the archive and the member) and leaves in its
    place an archive of what passed, which `tar` then unpacks alike."""
    for channel in args.get("InputDataConfig") or []:
        source = (channel.get("DataSource") or {}).get("S3DataSource") or {}
        uri = str(source.get("S3Uri", ""))
        if channel.get("ChannelName") != SDK_CODE or not uri.endswith(".tar.gz"):
            continue
        folder = ctx.local(f"/opt/ml/input/data/{SDK_CODE}")
        archive = folder / uri.rsplit("/", 1)[-1]
        received = ctx.folder / f"received-{archive.name}"
        shutil.move(archive, received)
        try:
            extract_all(received, folder, label=uri)
        except UnsafeArchiveError as error:
            raise StepFailed(str(error)) from None
        finally:
            received.unlink(missing_ok=True)
        _pack(folder, archive)


def _pack(folder: Path, archive: Path) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path != archive:
                tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)


@contextmanager
def _opt_ml(ctx: StepContext) -> Iterator[str]:
    """Where the job's /opt/ml is, as a path a shell reads as one word."""
    real = ctx.root / "opt" / "ml"
    real.mkdir(parents=True, exist_ok=True)
    if _SHELL_SAFE.fullmatch(str(real)):
        yield str(real)
        return
    folder = Path(tempfile.mkdtemp(prefix="sm-job-"))
    try:
        (folder / "ml").symlink_to(real, target_is_directory=True)
        yield str(folder / "ml")
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the link, not what it points to


def _map_files(folder: Path, opt_ml: str) -> None:
    """/opt/ml in the drivers' scripts and settings becomes the job's folder."""
    for path in sorted(folder.rglob("*")):
        if path.suffix in _DRIVER_TEXT and path.is_file() and not path.is_symlink():
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            mapped = _CONTAINER_ROOT.sub(opt_ml, text)
            if mapped != text:
                path.write_text(mapped, encoding="utf-8", errors="surrogateescape")
