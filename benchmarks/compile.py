"""Compile speed, where users feel it, under every installed SageMaker SDK.

    python benchmarks/compile.py [--runs 5] [--repeat 15] [--large 5000] [--no-scaling]

1. Whole process, per SDK environment found (.venv: SDK 3.x, .venv-sdk2: SDK 2.x), in the
   same run, environments and commands taking turns: `python -m builders compile` of each
   starter against the floor, a fresh `python -c "import <the SDK modules compiling uses>"`.
   Median seconds and the ratio to the floor (target: at most 1.1x).
2. In process, per SDK environment: each starter's compile after a warm-up (median; target:
   no slower than 2.x's 20 ms for the 9-node starter), and the import cost of sagemaker-mlops
   and whether its heavy dependencies (pyiceberg, s3fs, mlflow) were imported.
3. In this interpreter: compile and config-JSON time for generated designs of 10, 50 and 200
   nodes (linear: 200 nodes under 20x 10 nodes), and one compile of `--large` nodes.

Every process runs as the CLI does: the garbage collector tuned (builders.compiling.gc_tuning),
AWS_DEFAULT_REGION set (SDK 3's import needs a region), the EC2 metadata service off, and
bytecode caches written (PYTHONDONTWRITEBYTECODE unset).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
STARTERS = REPO / "builders" / "starters"
STARTER = STARTERS / "xgboost_end_to_end"
ENVIRONMENTS = {"SDK 3.x": REPO / ".venv", "SDK 2.x": REPO / ".venv-sdk2"}
ENV = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
# As on a user's machine, the warm-up writes the bytecode caches every later run reads (pip
# compiles an installed package's); without them each run compiles ~150 modules again.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
SIZES = (10, 50, 200)

# Run in each environment's Python: what the floor imports, and the in-process figures.
IN_PROCESS = """
import importlib, json, statistics, sys, time
from builders.compiling.sagemaker_env import installed_major
from builders.compiling.sdk.v2 import SdkV2
from builders.compiling.sdk.v3 import SdkV3
backend = SdkV3 if installed_major() >= 3 else SdkV2
if sys.argv[1] == "imports":
    print(json.dumps(list(backend.IMPORTS)))
    sys.exit()
started = time.perf_counter()
from builders.compiling.compile import compile_pipeline
from builders.compiling.gc_tuning import freeze_loaded, paused_gc
from builders.compiling.sagemaker_env import sdk
from builders.designs.config_io import load_configs
from builders.graph.dag import load_dag
sdk()
imported = time.perf_counter() - started
freeze_loaded()
result = {"import": imported, "modules": {
    name: name in sys.modules for name in ("pyiceberg", "s3fs", "mlflow", "pyarrow")
}, "starters": {}}
for folder in sys.argv[2:]:
    dag, configs = load_dag(folder + "/dag.json"), load_configs(folder + "/config.json")
    compile_pipeline(dag, configs, base_dir=folder)  # warm-up: sessions, image URIs
    times = []
    for _ in range(int(sys.argv[1])):
        start = time.perf_counter()
        with paused_gc():
            compile_pipeline(dag, configs, base_dir=folder)
        times.append(time.perf_counter() - start)
    result["starters"][folder.rsplit("/", 1)[-1]] = statistics.median(times)
print(json.dumps(result))
"""


def starters() -> list[Path]:
    return sorted(p for p in STARTERS.iterdir() if (p / "dag.json").is_file())


def environments() -> dict[str, Path]:
    found = {name: venv / "bin" / "python" for name, venv in ENVIRONMENTS.items()}
    return {name: python for name, python in found.items() if python.is_file()}


def seconds(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh process running `command`. CPU time (user and system)
    varies far less than wall time on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=ENV, cwd=REPO, check=True, capture_output=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_process(runs: int) -> None:
    """Median wall time of each starter's CLI compile and of the SDK-import floor."""
    pythons = environments()
    out = Path(tempfile.mkdtemp()) / "pipeline.json"
    commands: dict[tuple[str, str], list[str]] = {}
    for name, python in pythons.items():
        imports = subprocess.run(
            [str(python), "-c", IN_PROCESS, "imports"],
            env=ENV,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        floor = "import " + ", ".join(json.loads(imports))
        commands[name, "floor"] = [str(python), "-c", floor]
        for folder in starters():
            commands[name, folder.name] = [
                str(python), "-m", "builders", "compile", "--dag", str(folder / "dag.json"),
                "--config", str(folder / "config.json"), "--out", str(out),
            ]  # fmt: skip
    times: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in commands}
    for command in commands.values():
        seconds(command)  # warm the disk cache
    for _ in range(runs):  # environments and commands take turns: drift favours none
        for key, command in commands.items():
            times[key].append(seconds(command))
    print(f"Whole-process CLI compile, median of {runs} (floor: a fresh `python -c import ...`)")
    print(f"  {'':<10}{'what':<30}{'wall s':>8}{'x floor':>9}{'CPU s':>8}{'x floor':>9}")
    for name in pythons:
        floor = [statistics.median(t[i] for t in times[name, "floor"]) for i in (0, 1)]
        what = "SDK import (floor)"
        print(f"  {name:<10}{what:<30}{floor[0]:>8.2f}{1:>9.2f}{floor[1]:>8.2f}{1:>9.2f}")
        for folder in starters():
            wall, cpu = (statistics.median(t[i] for t in times[name, folder.name]) for i in (0, 1))
            print(
                f"  {'':<10}{folder.name:<30}{wall:>8.2f}{wall / floor[0]:>9.2f}"
                f"{cpu:>8.2f}{cpu / floor[1]:>9.2f}"
            )


def in_process(repeat: int) -> None:
    """Each starter's in-process compile (median) and the SDK import, per environment."""
    print(f"In-process compile of each starter, median of {repeat} after a warm-up")
    for name, python in environments().items():
        folders = [str(folder) for folder in starters()]
        run = subprocess.run(
            [str(python), "-c", IN_PROCESS, str(repeat), *folders],
            env=ENV, cwd=REPO, check=True, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        result = json.loads(run.stdout.splitlines()[-1])
        heavy = ", ".join(f"{m} {'yes' if v else 'no'}" for m, v in result["modules"].items())
        print(f"  {name}: SDK import {result['import']:.2f} s (imported: {heavy})")
        for starter, median in result["starters"].items():
            print(f"  {'':<9}{starter:<30}{median * 1000:>8.1f} ms")


# -- generated designs, in this interpreter ---------------------------------------------
def generated_design(size: int):
    """size/10 blocks of 10 nodes: the 9-node xgboost starter plus one DataLoading node.

    Every size has the same mix of step types, so the times compare node for node.
    """
    from builders.designs.config_io import load_configs
    from builders.graph.dag import PipelineDAG, load_dag

    template_dag = load_dag(STARTER / "dag.json")
    template_configs = load_configs(STARTER / "config.json")
    dag, configs = PipelineDAG(), {}
    for block in range(size // 10):
        for node in [*template_dag.nodes, "ExtraDataLoading"]:
            dag.add_node(f"{node}-{block}")
            configs[f"{node}-{block}"] = template_configs.get(
                node, template_configs["DataLoadingCalibration"]
            )
        for source, target in template_dag.edges:
            dag.add_edge(f"{source}-{block}", f"{target}-{block}")
    return dag, configs


def compile_seconds(dag, configs) -> float:
    from builders.compiling.compile import compile_pipeline
    from builders.compiling.gc_tuning import paused_gc

    start = time.perf_counter()
    with paused_gc():
        compile_pipeline(dag, configs, base_dir=STARTER)
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def large_compile(size: int, per_node_200: float) -> None:
    """One compile of `size` nodes: wall time, CPU time and the process's peak memory."""
    dag, configs = generated_design(size)
    before_rss, cpu = peak_rss_mb(), time.process_time()
    took = compile_seconds(dag, configs)
    cpu = time.process_time() - cpu
    per_node = took / size
    print(
        f"{size:>4} nodes: compile {took:6.2f} s, CPU {cpu:6.2f} s, peak RSS "
        f"{peak_rss_mb():.0f} MB (was {before_rss:.0f} MB); per node {per_node * 1000:.2f} ms, "
        f"{per_node / per_node_200:.1f}x the 200-node figure (linear would be 1x)"
    )


def config_json_seconds(configs: dict, path: Path) -> float:
    from builders.designs.config_io import load_configs, merge_and_save_configs

    start = time.perf_counter()
    merge_and_save_configs(configs, path)
    load_configs(path)
    return time.perf_counter() - start


def scaling(repeat: int, large: int) -> None:
    from builders.compiling.compile import compile_pipeline
    from builders.compiling.gc_tuning import freeze_loaded
    from builders.compiling.sagemaker_env import installed_major, sdk

    started = time.perf_counter()
    sdk()
    print(f"Generated designs, SDK {installed_major()}.x (this interpreter); imports "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    freeze_loaded()  # a process of its own, as the CLI: see builders/compiling/gc_tuning.py
    folder = Path(tempfile.mkdtemp())
    designs = {size: generated_design(size) for size in SIZES}
    for dag, configs in designs.values():
        compile_pipeline(dag, configs, base_dir=STARTER)  # warm-up: sessions, image URIs
    times = {size: ([], []) for size in SIZES}
    # Sizes take turns, so that the machine's drift does not favour one of them.
    for _ in range(repeat):
        for size, (dag, configs) in designs.items():
            times[size][0].append(compile_seconds(dag, configs))
            times[size][1].append(config_json_seconds(configs, folder / f"config-{size}.json"))
    medians = {size: tuple(statistics.median(t) for t in times[size]) for size in SIZES}
    for size, (compile_time, json_time) in medians.items():
        print(
            f"{size:>4} nodes: compile {compile_time * 1000:8.1f} ms   "
            f"config JSON save+load {json_time * 1000:7.1f} ms   (median of {repeat})"
        )
    for column, label in ((0, "compile"), (1, "config JSON")):
        ratio = medians[200][column] / medians[10][column]
        print(f"200/10 ratio, {label}: {ratio:.1f}x (linear would be 20x)")
    met = medians[10][0] < 0.5 and medians[200][0] < 20 * medians[10][0]
    print(f"targets (10 nodes < 0.5 s, 200 nodes < 20x 10 nodes): {'met' if met else 'MISSED'}")
    if large:
        large_compile(large // 10 * 10, medians[200][0] / 200)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs per command")
    parser.add_argument("--repeat", type=int, default=15, help="in-process compiles per design")
    parser.add_argument("--large", type=int, default=5000, help="nodes of the one large compile")
    parser.add_argument("--no-scaling", action="store_true", help="skip the generated designs")
    args = parser.parse_args()
    whole_process(args.runs)
    in_process(args.repeat)
    if not args.no_scaling:
        scaling(args.repeat, args.large)


if __name__ == "__main__":
    main()
