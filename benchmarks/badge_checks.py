"""What the live badge costs: every check the designer runs on each edit (`validate_design`)
for each starter, against a floor measured in the same run: the nodes' own validation alone
(each node's Config, no graph). The ratio is what the graph's checks (wiring, branches, a Fail
step's place, port facts, cross-node checks) add, and stays comparable on a noisy machine.

    python benchmarks/badge_checks.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builders.designs.design import (
    effective_values,
    step_type_of,
    validate_design,
)
from builders.graph.validation import validate_config
from builders.starters import design_from_starter, starter_names


def median_ms(action, repeat: int) -> float:
    action()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    repeat = parser.parse_args().repeat
    for starter in starter_names():
        design = design_from_starter(starter, starter)
        nodes = [(step_type_of(n).config_class, effective_values(design, n)) for n in design.nodes]

        def floor(nodes=nodes) -> None:
            for config_class, values in nodes:
                validate_config(config_class, values)

        badge = median_ms(lambda design=design: validate_design(design), repeat)
        own = median_ms(floor, repeat)
        print(
            f"{starter:30} {len(design.nodes):2} nodes: badge {badge:6.2f} ms, "
            f"nodes alone {own:6.2f} ms, ratio {badge / own:4.1f}x"
        )


if __name__ == "__main__":
    main()
