"""Where nodes go on the canvas: a tidy layered layout, and a free spot for one new node.

Coordinates are the canvas's: a node's (x, y) is its top-left corner in pixels at zoom 1.
Boxes are NODE_WIDTH x NODE_HEIGHT, the size the canvas draws them (components/flow_canvas:
a name and a run chip on two lines each, the type and the status fit). Boxes and gaps are
compact so that a real pipeline fits a laptop's window at a readable zoom: an 8-layer design
is 1508 px wide, which a 1366 px window shows at zoom 0.86 (node text 11 px and more). Edges
between layers carry no port labels (hover and the connection's panel tell them); the
layer gap leaves room for a short branch label ("if", "else").

React Flow draws an edge as a cubic Bezier curve from the source's right handle to the
target's left handle with both control points at the horizontal middle; `edge_points`
follows that shape, so "no edge runs behind a node" can be checked here, not only seen.

The tidy layout is the classic layered (Sugiyama) one: layers by longest path, long edges
split by placeholders that keep a lane free in every layer they cross, orders within layers
by barycentre sweeps (fewer crossings), then y by least-squares alignment with neighbours
under the no-overlap constraint (pool-adjacent-violators), and a last pass that moves nodes
off the few curves that still cross them. Where a steep curve (a long edge between far apart
rows) still runs behind a node, the gaps beside that node's layer grow, which flattens the
curve there: pipelines keep the compact gaps, dense graphs of long edges get wider ones.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

from builders.errors import PipelineDesignError
from builders.graph.dag import PipelineDAG

NODE_WIDTH = 150.0
NODE_HEIGHT = 124.0
LAYER_GAP = 44.0  # room for a branch label between two layers
NODE_GAP = 40.0
LANE = 30.0  # the height a long edge reserves where it crosses a layer
COLUMN_WIDTH = NODE_WIDTH + LAYER_GAP
ROW_HEIGHT = NODE_HEIGHT + NODE_GAP
_SWEEPS = 8
_REPAIRS = 50
_WIDENINGS = 4  # times the gaps beside a layer grow when an edge still runs behind a node

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x, y, width, height


# -- geometry ---------------------------------------------------------------------------------
def node_box(position: Point) -> Box:
    return position[0], position[1], NODE_WIDTH, NODE_HEIGHT


def overlaps(a: Box, b: Box, margin: float = 0.0) -> bool:
    """Whether two boxes overlap, or come closer than `margin`."""
    return (
        a[0] < b[0] + b[2] + margin
        and b[0] < a[0] + a[2] + margin
        and a[1] < b[1] + b[3] + margin
        and b[1] < a[1] + a[3] + margin
    )


def edge_points(source: Point, target: Point, samples: int = 48) -> list[Point]:
    """Points along the edge from the node at `source` to the node at `target`, as drawn."""
    sx, sy = source[0] + NODE_WIDTH, source[1] + NODE_HEIGHT / 2
    tx, ty = target[0], target[1] + NODE_HEIGHT / 2
    mx = (sx + tx) / 2
    points = []
    for step in range(samples + 1):
        t = step / samples
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        points.append((a * sx + (b + c) * mx + d * tx, (a + b) * sy + (c + d) * ty))
    return points


def curve_span(
    source: Point, target: Point, left: float, right: float
) -> tuple[float, float] | None:
    """The y range the edge from the node at `source` to the node at `target` covers
    between x = left and x = right, as drawn (None: it does not get there).

    With ends (sx, sy) and (tx, ty) and both control points at the middle x, the curve is
    x = sx + (tx - sx) g(t), y = sy + (ty - sy) h(t) with g(t) = t^3 - 1.5 t^2 + 1.5 t and
    h(t) = 3 t^2 - 2 t^3, both increasing: the range is given by the t at `left` and `right`.
    """
    sx, sy = source[0] + NODE_WIDTH, source[1] + NODE_HEIGHT / 2
    tx, ty = target[0], target[1] + NODE_HEIGHT / 2
    if tx == sx:
        return (min(sy, ty), max(sy, ty)) if left < sx < right else None
    low, high = sorted(((left - sx) / (tx - sx), (right - sx) / (tx - sx)))
    if high <= 0 or low >= 1:
        return None
    ys = [sy + (ty - sy) * _h(_g_inverse(min(max(u, 0.0), 1.0))) for u in (low, high)]
    return min(ys), max(ys)


def _h(t: float) -> float:
    return 3 * t**2 - 2 * t**3


def _g_inverse(u: float) -> float:
    """t with g(t) = u (Newton's method: g' >= 0.75 everywhere)."""
    t = u
    for _ in range(8):
        t -= (t**3 - 1.5 * t**2 + 1.5 * t - u) / (3 * t**2 - 3 * t + 1.5)
    return t


def hidden_edges(
    positions: Mapping[str, Point], edges: Iterable[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """(source, target, node) for each edge that runs behind a node other than its own ends."""
    found = []
    for source, target in edges:
        (sx, sy), (tx, ty) = positions[source], positions[target]
        low, high = min(sy, ty), max(sy, ty) + NODE_HEIGHT
        near = [
            (name, node_box(p))
            for name, p in positions.items()
            if name not in (source, target)
            and sx + NODE_WIDTH < p[0] + NODE_WIDTH
            and p[0] < tx
            and low < p[1] + NODE_HEIGHT
            and p[1] < high
        ]  # the curve stays within its ends' x and y ranges
        for name, (x, y, w, h) in near:
            span = curve_span(positions[source], positions[target], x, x + w)
            if span is not None and span[0] < y + h and y < span[1]:
                found.append((source, target, name))
    return found


# -- the tidy layout --------------------------------------------------------------------------
def tidy_positions(dag: PipelineDAG) -> dict[str, Point]:
    """(x, y) per node: left to right by layer, no overlaps, no edge behind a node."""
    layer = _layers(dag)
    lanes, chains = _split_long_edges(dag, layer)
    order = _order(dag, layer, lanes)
    heights = {item: NODE_HEIGHT if item in layer else LANE for column in order for item in column}
    y = _align(order, chains, heights)
    gaps = [LAYER_GAP] * max(len(order) - 1, 0)
    best: tuple[int, dict[str, Point]] | None = None
    for _ in range(_WIDENINGS):
        lefts = [index * NODE_WIDTH + sum(gaps[:index]) for index in range(len(order))]
        positions = {node: (lefts[layer[node]], y[node]) for node in dag.nodes}
        positions = _clear_edges(positions, dag, order, layer, lefts)
        hidden = hidden_edges(positions, dag.edges)
        if best is not None and len(hidden) >= best[0]:
            break  # widening does not help (a dense graph of long edges): the best so far
        best = len(hidden), positions
        if not hidden:
            break
        for index in {layer[node] for _, _, node in hidden}:  # flatter curves through it
            for gap in (index - 1, index):
                if 0 <= gap < len(gaps):
                    gaps[gap] += LAYER_GAP
    positions = best[1] if best is not None else {}
    top = min((p[1] for p in positions.values()), default=0.0)
    return {node: (x, round(y - top, 1)) for node, (x, y) in positions.items()}


def _layers(dag: PipelineDAG) -> dict[str, int]:
    """Longest path from a source; a source then moves right next to its first child, so a
    data loading step sits just before the step that reads it. A cycle: insertion order."""
    try:
        order = dag.topological_order()
    except PipelineDesignError:
        return {node: 0 for node in dag.nodes}
    layer: dict[str, int] = {}
    for node in order:
        layer[node] = max((layer[p] + 1 for p in dag.parents(node)), default=0)
    for node in reversed(order):
        children = dag.children(node)
        if not dag.parents(node) and children:
            layer[node] = min(layer[c] for c in children) - 1
    return layer


def _split_long_edges(dag: PipelineDAG, layer: dict[str, int]):
    """A lane (placeholder) per layer crossed by a long edge; chains: every edge as the
    list of items it passes through, end nodes included."""
    lanes: dict[int, list[tuple]] = {}
    chains = []
    for source, target in dag.edges:
        chain: list = [source]
        for crossed in range(layer[source] + 1, layer[target]):
            lane = ("lane", source, target, crossed)
            lanes.setdefault(crossed, []).append(lane)
            chain.append(lane)
        chains.append([*chain, target])
    return lanes, chains


def _order(dag: PipelineDAG, layer: dict[str, int], lanes) -> list[list]:
    """Items per layer, ordered to reduce crossings: barycentre sweeps, best kept."""
    count = max(layer.values(), default=-1) + 1
    order: list[list] = [[] for _ in range(count)]
    for node in dag.nodes:
        order[layer[node]].append(node)
    for index, items in lanes.items():
        order[index] += items
    ups, downs = _neighbours(dag, layer)
    best, best_crossings = [list(c) for c in order], _crossings(order, downs)
    for sweep in range(_SWEEPS):
        columns = range(1, count) if sweep % 2 == 0 else range(count - 2, -1, -1)
        for index in columns:
            side = ups if sweep % 2 == 0 else downs
            near = order[index - 1] if sweep % 2 == 0 else order[index + 1]
            rank = {item: i for i, item in enumerate(near)}
            current = {item: i for i, item in enumerate(order[index])}

            def barycentre(item, side=side, rank=rank, current=current) -> float:
                linked = [rank[n] for n in side.get(item, ()) if n in rank]
                return sum(linked) / len(linked) if linked else current[item]

            order[index].sort(key=barycentre)
        crossings = _crossings(order, downs)
        if crossings < best_crossings:
            best, best_crossings = [list(c) for c in order], crossings
    return best


def _neighbours(dag: PipelineDAG, layer: dict[str, int]):
    """Items one layer up and one layer down of each item, lanes included."""
    ups: dict = {}
    downs: dict = {}
    for source, target in dag.edges:
        chain = [
            source,
            *[("lane", source, target, i) for i in range(layer[source] + 1, layer[target])],
            target,
        ]
        for a, b in itertools.pairwise(chain):
            downs.setdefault(a, []).append(b)
            ups.setdefault(b, []).append(a)
    return ups, downs


def _crossings(order: list[list], downs: dict) -> int:
    total = 0
    for upper, lower in itertools.pairwise(order):
        rank = {item: i for i, item in enumerate(lower)}
        segments = [
            (i, rank[b]) for i, a in enumerate(upper) for b in downs.get(a, ()) if b in rank
        ]
        total += sum(
            1
            for k, (a1, b1) in enumerate(segments)
            for a2, b2 in segments[k + 1 :]
            if (a1 - a2) * (b1 - b2) < 0
        )
    return total


def _align(order: list[list], chains: list[list], heights: dict) -> dict:
    """Centres as close as possible to their neighbours' (least squares), in order and
    without overlap: alternating sweeps of isotonic regression per layer."""
    neighbours: dict = {}
    for chain in chains:
        for a, b in itertools.pairwise(chain):
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
    centre: dict = {}
    for column in order:  # first guess: stacked from the top
        top = 0.0
        for item in column:
            centre[item] = top + heights[item] / 2
            top += heights[item] + NODE_GAP
    for sweep in range(_SWEEPS):
        columns = order if sweep % 2 == 0 else order[::-1]
        for column in columns:
            wanted = []
            for item in column:
                linked = [centre[n] for n in neighbours.get(item, ())]
                wanted.append(sum(linked) / len(linked) if linked else centre[item])
            for item, value in zip(column, _no_overlap(column, wanted, heights), strict=True):
                centre[item] = value
    return {item: centre[item] - heights[item] / 2 for item in centre}


def _no_overlap(
    column: list, wanted: list[float], heights: dict, weights: list[float] | None = None
) -> list[float]:
    """The centres closest to `wanted` (weighted least squares) that keep the order and the
    gaps: with offsets o_i, z_i = c_i - o_i must not decrease (isotonic regression, solved by
    pooling adjacent violators)."""
    offsets, total = [], 0.0
    for index, item in enumerate(column):
        if index:
            total += (heights[column[index - 1]] + heights[item]) / 2 + NODE_GAP
        offsets.append(total)
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value, offset, weight in zip(wanted, offsets, weights or [1.0] * len(column), strict=True):
        blocks.append([value - offset, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight_, count = blocks.pop()
            last = blocks[-1]
            last[0] = (last[0] * last[1] + mean * weight_) / (last[1] + weight_)
            last[1] += weight_
            last[2] += count
    z = [mean for mean, _, count in blocks for _ in range(count)]
    return [value + offset for value, offset in zip(z, offsets, strict=True)]


def _clear_edges(positions, dag, order, layer, lefts) -> dict[str, Point]:
    """Move nodes down, in order, out of the bands that edges' curves really sweep through
    their layers, until no edge runs behind a node (moving a node bends its own edges, hence
    the repeats). Pipelines (few inputs per step, mostly from recent steps) settle in a few
    passes; a dense graph of long edges may keep a few after _REPAIRS passes."""
    positions = dict(positions)
    known: dict = {}  # a band depends only on its edge's ends: most stay put between passes
    for _ in range(_REPAIRS):
        if not hidden_edges(positions, dag.edges):
            break
        for column in order:
            bands = sorted(
                _band(positions, lane, lefts, known) for lane in column if lane not in layer
            )
            cursor = -math.inf
            for node in (item for item in column if item in layer) if bands else ():
                x, y = positions[node]
                y = max(y, cursor)
                y = _off_bands(y, cursor, bands)
                positions[node] = (x, y)
                cursor = y + NODE_HEIGHT + NODE_GAP
    return positions


def _off_bands(y: float, cursor: float, bands: list[tuple[float, float]]) -> float:
    """The nearest top at or below `cursor` where a node keeps NODE_GAP from every band."""
    for low, high in bands:
        if y < high + NODE_GAP and low - NODE_GAP < y + NODE_HEIGHT:
            above = low - NODE_GAP - NODE_HEIGHT
            clear = above >= cursor and not any(
                above < top + NODE_GAP and bottom - NODE_GAP < above + NODE_HEIGHT
                for bottom, top in bands
            )
            y = above if clear and y - above < high + NODE_GAP - y else high + NODE_GAP
    return y


def _band(positions, lane, lefts, known: dict) -> tuple[float, float]:
    """The y range the curve of a lane's edge covers in the lane's layer (gaps included)."""
    _, source, target, index = lane
    left = lefts[index] - NODE_GAP
    ends = positions[source], positions[target], left
    if ends not in known:
        known[ends] = curve_span(ends[0], ends[1], left, left + NODE_WIDTH + 2 * NODE_GAP)
    return known[ends]


# -- one new node -----------------------------------------------------------------------------
def free_spot(positions: Mapping[str, Point], x: float, y: float) -> Point:
    """The first place at column x, from y downwards a row at a time, where a new node's box
    keeps NODE_GAP from every node."""
    boxes = [node_box(p) for p in positions.values()]
    while any(overlaps(node_box((x, y)), box, NODE_GAP / 2) for box in boxes):
        y += ROW_HEIGHT / 4
    return x, y


def new_node_position(
    placed: Mapping[str, tuple[str, Point]], step_type: str, after: str | None = None
) -> Point:
    """Where a new node of `step_type` goes among the `placed` nodes (name -> its step type
    and position): next to `after` (the node it will follow, in the next layer), else after
    the right-most node producing something it accepts, else in the first layer; in the first
    free slot there, never on top of another node."""
    from builders.graph.wiring import accepted_ports
    from builders.registry import REGISTRY

    positions = {name: position for name, (_, position) in placed.items()}
    if not positions:
        return 0.0, 0.0
    if after is None:
        new = REGISTRY.get(step_type)
        producers = [
            name
            for name, (kind, _) in placed.items()
            if kind in REGISTRY and accepted_ports(REGISTRY.get(kind), new)
        ]
        after = max(producers, key=lambda n: (positions[n][0], -positions[n][1]), default=None)
    if after is not None:
        x, y = positions[after]
        return free_spot(positions, x + COLUMN_WIDTH, y)
    left = min(x for x, _ in positions.values())
    return free_spot(positions, left, min(y for _, y in positions.values()))
