"""Offline assistant timings: planning a goal, and listing the questions of a design.

    python benchmarks/assistant.py [--repeat 20]

Prints the median time of the offline planner for a few goals (including the check of its
proposal) and of `design_questions` for generated designs of 10, 50 and 200 nodes with every
value missing. The page runs both on each rerun where they apply, so both should stay well
under the designer's 150 ms rerun budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from builders.assistant.planner import plan  # noqa: E402
from builders.assistant.questions import design_questions  # noqa: E402
from builders.designs.design import add_node, new_design  # noqa: E402
from builders.registry import REGISTRY  # noqa: E402

GOALS = (
    "Train an XGBoost model on my S3 data and register it with sample payloads",
    "Package my existing PyTorch model and register it",
    "Train a PyTorch model and run a batch transform on new data",
)


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def empty_design(size: int):
    design = new_design(f"d{size}")
    names = REGISTRY.names()
    for index in range(size):
        design = add_node(design, names[index % len(names)])
    return design


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    for goal in GOALS:
        print(f"plan offline  {median_ms(lambda g=goal: plan(g), repeat):7.1f} ms  {goal!r}")
    for size in (10, 50, 200):
        design = empty_design(size)
        count = len(design_questions(design))
        took = median_ms(lambda d=design: design_questions(d), repeat)
        print(f"questions     {took:7.1f} ms  {size} nodes ({count} questions)")


if __name__ == "__main__":
    main()
