"""Compile and config-JSON speed for generated designs of 10, 50 and 200 nodes, and the cost
of one 5,000-node compile.

    python benchmarks/compile.py [--repeat 7] [--large 5000]

Prints median times (after imports and one warm-up compile) and the 200/10 ratio, then the
time, CPU and peak memory of one compile of `--large` nodes (0 to skip it).
Targets: 10 nodes compile under 0.5 s; 200 nodes under 20x the 10-node time; the large
compile's time per node within 2x the 200-node one (linear).
This process tunes the garbage collector as the CLI does (builders.compiling.gc_tuning, opt-in).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

started = time.perf_counter()
from builders.compiling.compile import compile_pipeline  # noqa: E402
from builders.compiling.gc_tuning import freeze_loaded, paused_gc  # noqa: E402
from builders.compiling.sagemaker_env import sdk  # noqa: E402
from builders.designs.config_io import load_configs, merge_and_save_configs  # noqa: E402
from builders.graph.dag import PipelineDAG, load_dag  # noqa: E402

sdk()
IMPORT_SECONDS = time.perf_counter() - started
freeze_loaded()  # a process of its own, as the CLI: see builders/compiling/gc_tuning.py
STARTER = REPO / "builders" / "starters" / "xgboost_end_to_end"
SIZES = (10, 50, 200)


def generated_design(size: int) -> tuple[PipelineDAG, dict]:
    """size/10 blocks of 10 nodes: the 9-node xgboost starter plus one DataLoading node.

    Every size has the same mix of step types, so the times compare node for node.
    """
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


def compile_seconds(dag: PipelineDAG, configs: dict) -> float:
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
    seconds = compile_seconds(dag, configs)
    cpu = time.process_time() - cpu
    per_node = seconds / size
    print(
        f"{size:>4} nodes: compile {seconds:6.2f} s, CPU {cpu:6.2f} s, peak RSS "
        f"{peak_rss_mb():.0f} MB (was {before_rss:.0f} MB); per node {per_node * 1000:.2f} ms, "
        f"{per_node / per_node_200:.1f}x the 200-node figure (linear would be 1x)"
    )


def config_json_seconds(configs: dict, path: Path) -> float:
    start = time.perf_counter()
    merge_and_save_configs(configs, path)
    load_configs(path)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--large", type=int, default=5000, help="nodes of the one large compile")
    args = parser.parse_args()
    print(f"imports (SageMaker SDK included): {IMPORT_SECONDS:.2f} s")
    folder = Path(tempfile.mkdtemp())
    designs = {size: generated_design(size) for size in SIZES}
    for dag, configs in designs.values():
        compile_pipeline(dag, configs, base_dir=STARTER)  # warm-up: sessions, image URIs
    times = {size: ([], []) for size in SIZES}
    # Sizes take turns, so that the machine's drift does not favour one of them.
    for _ in range(args.repeat):
        for size, (dag, configs) in designs.items():
            times[size][0].append(compile_seconds(dag, configs))
            times[size][1].append(config_json_seconds(configs, folder / f"config-{size}.json"))
    medians = {size: tuple(statistics.median(t) for t in times[size]) for size in SIZES}
    for size, (compile_time, json_time) in medians.items():
        print(
            f"{size:>4} nodes: compile {compile_time * 1000:8.1f} ms   "
            f"config JSON save+load {json_time * 1000:7.1f} ms   (median of {args.repeat})"
        )
    for column, label in ((0, "compile"), (1, "config JSON")):
        ratio = medians[200][column] / medians[10][column]
        print(f"200/10 ratio, {label}: {ratio:.1f}x (linear would be 20x)")
    met = medians[10][0] < 0.5 and medians[200][0] < 20 * medians[10][0]
    print(f"targets (10 nodes < 0.5 s, 200 nodes < 20x 10 nodes): {'met' if met else 'MISSED'}")
    if args.large:
        large_compile(args.large // 10 * 10, medians[200][0] / 200)


if __name__ == "__main__":
    main()
