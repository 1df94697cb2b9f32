"""What the tests hold a layout to, written apart from builders/graph/layout.py."""

from __future__ import annotations

from collections.abc import Mapping

from builders.graph.layout import NODE_HEIGHT, NODE_WIDTH


def overlapping_nodes(positions: Mapping[str, tuple[float, float]]) -> list[tuple[str, str]]:
    """Pairs of nodes whose boxes (NODE_WIDTH x NODE_HEIGHT from their top-left corner)
    overlap: closer than a box's width side by side and its height one above the other."""
    names = list(positions)
    return [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if abs(positions[a][0] - positions[b][0]) < NODE_WIDTH
        and abs(positions[a][1] - positions[b][1]) < NODE_HEIGHT
    ]
