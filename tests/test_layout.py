"""Canvas layout: the tidy layered layout and the spot of one new node, measured from node
boxes of the canvas's size and from the curves React Flow draws."""

from __future__ import annotations

import random

import pytest
from layout_support import overlapping_nodes

from builders.designs.design import Design, add_node, move_nodes, new_design, placed
from builders.graph.dag import PipelineDAG
from builders.graph.layout import (
    COLUMN_WIDTH,
    NODE_HEIGHT,
    NODE_WIDTH,
    curve_span,
    edge_points,
    hidden_edges,
    new_node_position,
    node_box,
    overlaps,
    tidy_positions,
)
from builders.registry import REGISTRY
from builders.starters import design_from_starter, starter_names


def blocks(count: int) -> PipelineDAG:
    """`count` copies of the xgboost starter's graph side by side, as large designs have."""
    starter = design_from_starter("xgboost_end_to_end", "x")
    dag = PipelineDAG()
    for block in range(count):
        for node in starter.node_names:
            dag.add_node(f"{node}-{block}")
        for source, target in starter.edges:
            dag.add_edge(f"{source}-{block}", f"{target}-{block}")
    return dag


def random_dag(seed: int, window: int = 8, inputs=(0, 1, 1, 1, 2)) -> PipelineDAG:
    """A seeded random DAG shaped like pipelines: each step reads from up to two of the few
    steps before it (a wider window and more inputs make long edges everywhere)."""
    rng = random.Random(seed)
    count = rng.randint(2, 60)
    dag = PipelineDAG([f"n{i}" for i in range(count)])
    for target in range(1, count):
        pool = range(max(0, target - window), target)
        for source in rng.sample(pool, k=min(len(pool), rng.choice(inputs))):
            dag.add_edge(f"n{source}", f"n{target}")
    return dag


def assert_tidy(dag: PipelineDAG, positions) -> None:
    assert set(positions) == set(dag.nodes)
    assert overlapping_nodes(positions) == []
    assert hidden_edges(positions, dag.edges) == []
    for source, target in dag.edges:
        assert positions[source][0] < positions[target][0], (source, target)
    assert min((y for _, y in positions.values()), default=0) == 0


@pytest.mark.parametrize("starter", starter_names())
def test_starters_are_tidy(starter):
    dag = design_from_starter(starter, "x").dag()
    assert_tidy(dag, tidy_positions(dag))


@pytest.mark.parametrize("count", [1, 5, 20])
def test_large_designs_are_tidy(count):
    dag = blocks(count)
    assert_tidy(dag, tidy_positions(dag))


@pytest.mark.parametrize("seed", range(60))
def test_random_pipelines_are_tidy(seed):
    dag = random_dag(seed, window=8 if seed % 2 else 60)
    assert_tidy(dag, tidy_positions(dag))


@pytest.mark.parametrize("seed", range(10))
def test_dense_graphs_have_no_overlaps(seed):
    """Many long edges: every node still has its own place, left to right."""
    dag = random_dag(seed, window=60, inputs=(1, 2, 3))
    positions = tidy_positions(dag)
    assert overlapping_nodes(positions) == []
    assert all(positions[s][0] < positions[t][0] for s, t in dag.edges)


def test_layers_go_left_to_right_and_a_source_sits_before_its_reader():
    positions = tidy_positions(design_from_starter("xgboost_end_to_end", "x").dag())
    column = {node: x / COLUMN_WIDTH for node, (x, _) in positions.items()}
    assert column["DataLoadingTraining"] == 0
    assert column["ModelRegistration"] == max(column.values())
    assert column["DataLoadingCalibration"] == column["BatchTransform"] - 1


def test_the_layout_is_the_same_every_time():
    assert tidy_positions(blocks(3)) == tidy_positions(blocks(3))


def test_an_empty_graph_and_a_cycle_are_laid_out_without_error():
    assert tidy_positions(PipelineDAG()) == {}
    cyclic = PipelineDAG(["a", "b", "c"], [("a", "b"), ("b", "a"), ("b", "c")])  # an import
    assert overlapping_nodes(tidy_positions(cyclic)) == []


def test_fewer_crossings_than_insertion_order():
    """Two chains inserted crosswise: the layout untangles them."""
    dag = PipelineDAG(["a1", "b1", "b2", "a2"], [("a1", "a2"), ("b1", "b2")])
    positions = tidy_positions(dag)
    assert (positions["a1"][1] < positions["b1"][1]) == (positions["a2"][1] < positions["b2"][1])


# -- the checks themselves ----------------------------------------------------------------
def test_an_edge_behind_a_node_is_found():
    positions = {"a": (0.0, 0.0), "b": (2 * COLUMN_WIDTH, 0.0), "c": (COLUMN_WIDTH, 0.0)}
    assert hidden_edges(positions, [("a", "b")]) == [("a", "b", "c")]
    positions["c"] = (COLUMN_WIDTH, NODE_HEIGHT + 1)
    assert hidden_edges(positions, [("a", "b")]) == []


@pytest.mark.parametrize("seed", range(5))
def test_the_span_of_a_curve_is_what_its_points_cover(seed):
    """curve_span (closed form) against densely sampled points of the same curve."""
    rng = random.Random(seed)
    for _ in range(200):
        source = (rng.uniform(0, 500), rng.uniform(-300, 300))
        target = (source[0] + rng.uniform(200, 900), rng.uniform(-300, 300))
        left = rng.uniform(source[0], target[0] + NODE_WIDTH)
        right = left + rng.uniform(10, 200)
        ys = [y for x, y in edge_points(source, target, 4000) if left < x < right]
        span = curve_span(source, target, left, right)
        if not ys:
            continue
        assert span is not None
        assert span[0] <= min(ys) + 1e-6 and max(ys) - 1e-6 <= span[1]
        assert span[1] - span[0] <= max(ys) - min(ys) + 2  # no wider than the points show


def test_edges_run_from_the_right_handle_to_the_left_handle():
    points = edge_points((0.0, 0.0), (400.0, 200.0))
    assert points[0] == (NODE_WIDTH, NODE_HEIGHT / 2)
    assert points[-1] == (400.0, 200.0 + NODE_HEIGHT / 2)


def test_overlapping_boxes():
    assert overlaps(node_box((0, 0)), node_box((NODE_WIDTH - 1, NODE_HEIGHT - 1)))
    assert not overlaps(node_box((0, 0)), node_box((NODE_WIDTH, 0)))
    assert overlaps(node_box((0, 0)), node_box((NODE_WIDTH + 5, 0)), margin=10)


# -- one new node ---------------------------------------------------------------------------
def positions_of(design: Design):
    return {n.name: (n.ui.x, n.ui.y) for n in design.nodes}


def test_a_new_node_goes_next_to_the_node_it_follows():
    design = design_from_starter("xgboost_end_to_end", "x")
    model = design.node("XGBoostModel").ui
    spot = new_node_position(placed(design), "BatchTransform", after="XGBoostModel")
    assert spot[0] == model.x + COLUMN_WIDTH
    assert spot[1] >= model.y  # its row, or the first free one below
    assert overlapping_nodes({**positions_of(design), "new": spot}) == []


def test_without_a_node_to_follow_it_goes_after_what_feeds_it_or_first():
    design = design_from_starter("xgboost_end_to_end", "x")
    columns = {n.name: n.ui.x for n in design.nodes}
    packaging = new_node_position(placed(design), "Packaging")
    assert packaging[0] == max(columns["XGBoostTraining"], columns["XGBoostModel"]) + COLUMN_WIDTH
    loading = new_node_position(placed(design), "DataLoading")
    assert loading[0] == min(columns.values())
    assert new_node_position(placed(new_design("empty")), "DataLoading") == (0.0, 0.0)


def test_new_nodes_never_land_on_another():
    """Random additions, after random nodes or none: no two boxes ever overlap."""
    rng = random.Random(7)
    design = design_from_starter("pytorch_model_registration", "x")
    for _ in range(60):
        step_type = rng.choice(REGISTRY.names())
        after = rng.choice([None, *design.node_names])
        spot = new_node_position(placed(design), step_type, after)
        design = add_node(design, step_type, position=spot)
        assert overlapping_nodes(positions_of(design)) == []


def test_a_node_added_to_a_tidied_design_keeps_it_tidy():
    design = design_from_starter("xgboost_end_to_end", "x")
    design = move_nodes(design, tidy_positions(design.dag()))
    spot = new_node_position(placed(design), "ModelRegistration", after="Payload")
    grown = add_node(design, "ModelRegistration", "Second", position=spot)
    grown = grown.model_copy(update={"edges": (*grown.edges, ("Payload", "Second"))})
    assert hidden_edges(positions_of(grown), grown.edges) == []
    assert overlapping_nodes(positions_of(grown)) == []
