"""A layered layout: each node in the column of its longest path from a source."""

from __future__ import annotations

from builders.dag import PipelineDAG
from builders.errors import PipelineDesignError

COLUMN_WIDTH = 240.0
ROW_HEIGHT = 110.0


def layered_positions(dag: PipelineDAG) -> dict[str, tuple[float, float]]:
    """(x, y) per node, left to right along the edges; a cycle puts nodes in column 0."""
    try:
        order = dag.topological_order()
    except PipelineDesignError:
        order = dag.nodes
    layer: dict[str, int] = {}
    for node in order:
        parents = [layer[p] for p in dag.parents(node) if p in layer]
        layer[node] = max(parents) + 1 if parents else 0
    rows: dict[int, int] = {}
    positions = {}
    for node in order:
        column = layer[node]
        positions[node] = (column * COLUMN_WIDTH, rows.get(column, 0) * ROW_HEIGHT)
        rows[column] = rows.get(column, 0) + 1
    return positions
