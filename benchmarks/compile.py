"""Compile and config-JSON speed for generated designs of 10, 50 and 200 nodes.

    python benchmarks/compile.py [--repeat 7]

Prints median times (after imports and one warm-up compile) and the 200/10 ratio.
Targets: 10 nodes compile under 0.5 s; 200 nodes under 20x the 10-node time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

started = time.perf_counter()
from builders.compile import compile_pipeline  # noqa: E402
from builders.config_io import load_configs, merge_and_save_configs  # noqa: E402
from builders.dag import PipelineDAG, load_dag  # noqa: E402
from builders.sagemaker_env import sdk  # noqa: E402

sdk()
IMPORT_SECONDS = time.perf_counter() - started
STARTER = REPO / "builders" / "starters" / "xgboost_end_to_end"


def generated_design(size: int) -> tuple[PipelineDAG, dict]:
    """Copies of the 9-node xgboost starter, topped up with DataLoading nodes, to `size`."""
    template_dag = load_dag(STARTER / "dag.json")
    template_configs = load_configs(STARTER / "config.json")
    dag, configs = PipelineDAG(), {}
    copy = 0
    while len(dag) + len(template_dag) <= size:
        for node in template_dag.nodes:
            dag.add_node(f"{node}-{copy}")
            configs[f"{node}-{copy}"] = template_configs[node]
        for source, target in template_dag.edges:
            dag.add_edge(f"{source}-{copy}", f"{target}-{copy}")
        copy += 1
    while len(dag) < size:
        name = f"ExtraDataLoading-{len(dag)}"
        dag.add_node(name)
        configs[name] = template_configs["DataLoadingCalibration"]
    return dag, configs


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: int, path: Path, repeat: int) -> tuple[float, float]:
    """(median compile seconds, median config JSON save+load seconds) for `size` nodes."""
    dag, configs = generated_design(size)
    compile_pipeline(dag, configs, base_dir=STARTER)  # warm-up: sessions, image URIs
    compile_time = median_seconds(lambda: compile_pipeline(dag, configs, base_dir=STARTER), repeat)
    json_time = median_seconds(
        lambda: (merge_and_save_configs(configs, path), load_configs(path)), repeat
    )
    return compile_time, json_time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"imports (SageMaker SDK included): {IMPORT_SECONDS:.2f} s")
    folder = Path(tempfile.mkdtemp())
    results = {}
    for size in (10, 50, 200):
        results[size] = measure(size, folder / f"config-{size}.json", args.repeat)
        compile_time, json_time = results[size]
        print(
            f"{size:>4} nodes: compile {compile_time * 1000:8.1f} ms   "
            f"config JSON save+load {json_time * 1000:7.1f} ms   (median of {args.repeat})"
        )
    for column, label in ((0, "compile"), (1, "config JSON")):
        ratio = results[200][column] / results[10][column]
        print(f"200/10 ratio, {label}: {ratio:.1f}x (linear would be 20x)")
    verdict = results[10][0] < 0.5 and results[200][0] < 20 * results[10][0]
    print(f"targets (10 nodes < 0.5 s, 200 nodes < 20x 10 nodes): {'met' if verdict else 'MISSED'}")


if __name__ == "__main__":
    main()
