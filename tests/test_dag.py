"""PipelineDAG: building, reading, ordering, cycles and the adjacency-list file form."""

from __future__ import annotations

import itertools
import json

import pytest
from support import STARTERS, load_starter

from builders.errors import (
    ConfigFileError,
    CycleError,
    DuplicateNodeError,
    PipelineDesignError,
    UnknownNodeError,
)
from builders.graph.dag import PipelineDAG, load_dag


def chain(*names: str) -> PipelineDAG:
    """a -> b -> c ..."""
    return PipelineDAG(names, itertools.pairwise(names))


def follows_edges(dag: PipelineDAG, cycle: list[str]) -> bool:
    return all((a, b) in dag.edges for a, b in itertools.pairwise(cycle))


@pytest.fixture
def triangle() -> PipelineDAG:
    """Load -> Train -> Evaluate -> Load, plus Report hanging off Evaluate."""
    dag = chain("Load", "Train", "Evaluate")
    dag.add_node("Report")
    dag.add_edge("Evaluate", "Report")
    dag.add_edge("Evaluate", "Load")
    return dag


# -- building ----------------------------------------------------------------------------------
def test_an_empty_dag():
    dag = PipelineDAG()
    assert (dag.nodes, dag.edges, len(dag)) == ([], [], 0)
    assert dag.topological_order() == []
    assert dag.find_cycle() is None
    assert dag.to_adjacency() == {}


def test_nodes_keep_the_order_they_were_added():
    dag = PipelineDAG()
    for name in ("Train", "Load", "Register"):
        dag.add_node(name)
    assert dag.nodes == ["Train", "Load", "Register"]
    assert len(dag) == 3
    assert "Load" in dag and "Deploy" not in dag


def test_constructor_takes_nodes_and_edges():
    dag = PipelineDAG(["Load", "Train"], [("Load", "Train")])
    assert dag.edges == [("Load", "Train")]


def test_a_duplicate_node_is_refused():
    dag = PipelineDAG(["Load"])
    with pytest.raises(DuplicateNodeError) as caught:
        dag.add_node("Load")
    assert caught.value.node == "Load"
    assert "'Load'" in caught.value.message
    assert dag.nodes == ["Load"]


def test_duplicate_nodes_in_the_constructor_are_refused():
    with pytest.raises(DuplicateNodeError):
        PipelineDAG(["Load", "Load"])


@pytest.mark.parametrize("name", ["", None, 3])
def test_a_node_name_must_be_a_non_empty_string(name):
    with pytest.raises(PipelineDesignError, match="non-empty string"):
        PipelineDAG().add_node(name)


@pytest.mark.parametrize(("source", "target"), [("Load", "Ghost"), ("Ghost", "Load")])
def test_an_edge_to_or_from_an_unknown_node_is_refused(source, target):
    dag = PipelineDAG(["Load"])
    with pytest.raises(UnknownNodeError) as caught:
        dag.add_edge(source, target)
    assert caught.value.node == "Ghost"
    assert f"{source} -> {target}" in caught.value.message
    assert dag.edges == []


def test_a_self_loop_is_a_cycle():
    dag = PipelineDAG(["Train"])
    with pytest.raises(CycleError) as caught:
        dag.add_edge("Train", "Train")
    assert caught.value.cycle == ["Train", "Train"]
    assert caught.value.node == "Train"
    assert dag.edges == []


def test_adding_an_edge_again_changes_nothing():
    dag = chain("Load", "Train")
    dag.add_edge("Load", "Train")
    assert dag.edges == [("Load", "Train")]
    assert dag.parents("Train") == ["Load"]


def test_parents_and_children():
    dag = PipelineDAG(["Load", "Calibrate", "Model", "Transform"])
    dag.add_edge("Calibrate", "Transform")
    dag.add_edge("Model", "Transform")
    dag.add_edge("Load", "Model")
    assert dag.parents("Transform") == ["Calibrate", "Model"]
    assert dag.parents("Load") == []
    assert dag.children("Load") == ["Model"]
    assert dag.children("Model") == ["Transform"]
    assert dag.children("Transform") == []


def test_parents_are_in_the_order_the_edges_were_added():
    dag = PipelineDAG(["A", "B", "C"])
    dag.add_edge("B", "C")
    dag.add_edge("A", "C")
    assert dag.parents("C") == ["B", "A"]


@pytest.mark.parametrize("method", ["parents", "children", "remove_node"])
def test_asking_about_an_unknown_node_is_an_error(method):
    with pytest.raises(UnknownNodeError) as caught:
        getattr(chain("Load", "Train"), method)("Ghost")
    assert caught.value.node == "Ghost"


def test_returned_lists_are_copies():
    dag = chain("Load", "Train")
    dag.parents("Train").append("Intruder")
    dag.nodes.append("Intruder")
    dag.to_adjacency()["Train"].append("Intruder")
    assert dag.to_adjacency() == {"Load": [], "Train": ["Load"]}


def test_remove_node_removes_its_edges():
    dag = chain("Load", "Train", "Register")
    dag.remove_node("Train")
    assert dag.nodes == ["Load", "Register"]
    assert dag.edges == []
    assert dag.children("Load") == []


def test_a_removed_node_can_be_added_again():
    dag = chain("Load", "Train")
    dag.remove_node("Load")
    dag.add_node("Load")
    assert dag.nodes == ["Train", "Load"]
    assert dag.parents("Train") == []


def test_equality_compares_nodes_and_edges():
    assert chain("A", "B") == chain("A", "B")
    assert chain("A", "B") != chain("B", "A")
    assert chain("A", "B") != PipelineDAG(["A", "B"])
    assert chain("A", "B") != {"A": [], "B": ["A"]}


def test_repr_shows_nodes_and_edges():
    assert repr(chain("A", "B")) == "PipelineDAG(nodes=['A', 'B'], edges=[('A', 'B')])"


# -- topological order ------------------------------------------------------------------------
def assert_parents_first(dag: PipelineDAG, order: list[str]) -> None:
    assert sorted(order) == sorted(dag.nodes)
    position = {name: index for index, name in enumerate(order)}
    for parent, child in dag.edges:
        assert position[parent] < position[child], f"{parent} must come before {child}"


def test_a_chain_is_ordered_parents_first():
    dag = PipelineDAG(["Register", "Train", "Load"])
    dag.add_edge("Load", "Train")
    dag.add_edge("Train", "Register")
    assert dag.topological_order() == ["Load", "Train", "Register"]


def test_independent_nodes_keep_the_order_they_were_added():
    assert PipelineDAG(["C", "A", "B"]).topological_order() == ["C", "A", "B"]


def test_a_diamond_is_ordered_parents_first_with_ties_in_insertion_order():
    dag = PipelineDAG(["Load", "Right", "Left", "Join"])
    for source, target in [
        ("Load", "Left"),
        ("Load", "Right"),
        ("Left", "Join"),
        ("Right", "Join"),
    ]:
        dag.add_edge(source, target)
    assert dag.topological_order() == ["Load", "Right", "Left", "Join"]


def test_ties_are_broken_by_insertion_order_among_all_ready_nodes():
    dag = PipelineDAG(["Load", "Train", "Report"], [("Load", "Train")])
    # after Load, both Train (added 2nd) and Report (added 3rd) are ready: Train goes first
    assert dag.topological_order() == ["Load", "Train", "Report"]


def test_a_design_added_parents_first_keeps_its_order():
    dag, _, _ = load_starter("xgboost_end_to_end")
    assert dag.topological_order() == dag.nodes


@pytest.mark.parametrize("name", ["xgboost_end_to_end", "pytorch_model_registration"])
def test_starter_dags_are_ordered_parents_first(name):
    dag, _, _ = load_starter(name)
    assert_parents_first(dag, dag.topological_order())


def test_topological_order_is_repeatable():
    dag, _, _ = load_starter("xgboost_end_to_end")
    assert dag.topological_order() == dag.topological_order()
    assert (
        dag.topological_order()
        == PipelineDAG.from_adjacency(dag.to_adjacency()).topological_order()
    )


def test_topological_order_of_a_cycle_raises_cycle_error(triangle):
    with pytest.raises(CycleError) as caught:
        triangle.topological_order()
    cycle = caught.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"Load", "Train", "Evaluate"}
    assert " -> ".join(cycle) in caught.value.message
    assert "Remove one of these connections" in caught.value.message
    assert caught.value.node == cycle[0]


# -- cycles ------------------------------------------------------------------------------------
def test_find_cycle_of_an_acyclic_dag_is_none():
    dag, _, _ = load_starter("xgboost_end_to_end")
    assert dag.find_cycle() is None


def test_find_cycle_lists_only_the_nodes_on_the_cycle_closed(triangle):
    cycle = triangle.find_cycle()
    assert cycle[0] == cycle[-1]
    assert len(cycle) == 4
    assert set(cycle) == {"Load", "Train", "Evaluate"}


def test_find_cycle_of_two_nodes():
    dag = chain("Train", "Evaluate")
    dag.add_edge("Evaluate", "Train")
    cycle = dag.find_cycle()
    assert cycle in (["Train", "Evaluate", "Train"], ["Evaluate", "Train", "Evaluate"])


def test_find_cycle_follows_the_edge_direction(triangle):
    cycle = triangle.find_cycle()
    assert follows_edges(triangle, cycle), cycle


@pytest.mark.parametrize(
    "adjacency",
    [
        {"A": ["C"], "B": ["A"], "C": ["B"]},
        {"A": ["B"], "B": ["C"], "C": ["A"]},
        {"Start": [], "A": ["Start", "D"], "B": ["A"], "C": ["B"], "D": ["C"], "End": ["D"]},
        {"A": [], "B": ["A", "C"], "C": ["B"]},
    ],
)
def test_find_cycle_follows_the_edges_whatever_the_insertion_order(adjacency):
    dag = PipelineDAG.from_adjacency(adjacency)
    cycle = dag.find_cycle()
    assert cycle[0] == cycle[-1]
    assert follows_edges(dag, cycle), cycle
    assert "Start" not in cycle and "End" not in cycle


def test_cycle_error_of_topological_order_follows_the_edge_direction(triangle):
    with pytest.raises(CycleError) as caught:
        triangle.topological_order()
    assert follows_edges(triangle, caught.value.cycle), caught.value.cycle


def test_cycle_error_message_names_the_nodes():
    error = CycleError(["A", "B", "C", "A"])
    assert error.cycle == ["A", "B", "C", "A"]
    assert "A -> B -> C -> A" in str(error)
    assert error.node == "A"


def test_would_create_cycle():
    dag = chain("Load", "Train", "Register")
    dag.add_node("Report")
    assert dag.would_create_cycle("Register", "Load")
    assert dag.would_create_cycle("Train", "Load")
    assert dag.would_create_cycle("Train", "Train")
    assert not dag.would_create_cycle("Load", "Register")
    assert not dag.would_create_cycle("Report", "Load")
    assert not dag.would_create_cycle("Register", "Report")
    assert dag.edges == [("Load", "Train"), ("Train", "Register")]


def test_would_create_cycle_through_a_join():
    dag = PipelineDAG(["Model", "Data", "Transform", "Report"])
    dag.add_edge("Model", "Transform")
    dag.add_edge("Data", "Transform")
    dag.add_edge("Transform", "Report")
    assert dag.would_create_cycle("Report", "Data")
    assert not dag.would_create_cycle("Data", "Model")


def test_would_create_cycle_agrees_with_add_edge():
    dag, _, _ = load_starter("xgboost_end_to_end")
    for source in dag.nodes:
        for target in dag.nodes:
            trial = PipelineDAG.from_adjacency(dag.to_adjacency())
            if source == target:
                assert trial.would_create_cycle(source, target)
                continue
            trial.add_edge(source, target)
            assert dag.would_create_cycle(source, target) == (trial.find_cycle() is not None)


# -- adjacency-list form and files ------------------------------------------------------------
def test_to_adjacency_lists_each_nodes_parents():
    dag = PipelineDAG(["Load", "Model", "Transform"])
    dag.add_edge("Model", "Transform")
    dag.add_edge("Load", "Transform")
    assert dag.to_adjacency() == {"Load": [], "Model": [], "Transform": ["Model", "Load"]}


def test_from_adjacency_builds_the_dag():
    dag = PipelineDAG.from_adjacency({"Train": ["Load"], "Load": [], "Register": ["Train"]})
    assert dag.nodes == ["Train", "Load", "Register"]
    assert dag.edges == [("Load", "Train"), ("Train", "Register")]
    assert dag.topological_order() == ["Load", "Train", "Register"]


def test_adjacency_round_trip():
    dag, _, _ = load_starter("xgboost_end_to_end")
    assert PipelineDAG.from_adjacency(dag.to_adjacency()) == dag
    assert list(PipelineDAG.from_adjacency(dag.to_adjacency()).nodes) == dag.nodes


def test_from_adjacency_accepts_a_tuple_of_parents():
    assert PipelineDAG.from_adjacency({"A": (), "B": ("A",)}).edges == [("A", "B")]


def test_a_parent_that_is_not_a_key_is_refused():
    with pytest.raises(UnknownNodeError) as caught:
        PipelineDAG.from_adjacency({"Train": ["Load"]})
    assert caught.value.node == "Train"
    assert "'Load'" in caught.value.message
    assert '"Load": []' in caught.value.message


@pytest.mark.parametrize("parents", ["Load", 3, None, True])
def test_parents_that_are_not_a_list_are_refused(parents):
    with pytest.raises(ConfigFileError) as caught:
        PipelineDAG.from_adjacency({"Load": [], "Train": parents})
    assert caught.value.node == "Train"
    assert "must be a list of node names" in caught.value.message


def test_parents_given_as_an_object_are_refused():
    with pytest.raises(ConfigFileError):
        PipelineDAG.from_adjacency({"Load": [], "Train": {"Load": True}})


@pytest.mark.parametrize("adjacency", [["Load", "Train"], "Load", 3, None])
def test_an_adjacency_that_is_not_an_object_is_refused(adjacency):
    with pytest.raises(ConfigFileError, match="must be a JSON object"):
        PipelineDAG.from_adjacency(adjacency)


def test_from_adjacency_with_a_self_parent_is_a_cycle():
    with pytest.raises(CycleError):
        PipelineDAG.from_adjacency({"Train": ["Train"]})


def test_from_adjacency_reads_a_cycle_that_topological_order_reports():
    dag = PipelineDAG.from_adjacency({"A": ["B"], "B": ["A"]})
    with pytest.raises(CycleError):
        dag.topological_order()


def test_load_dag(tmp_path):
    dag, _, _ = load_starter("pytorch_model_registration")
    path = tmp_path / "dag.json"
    path.write_text(json.dumps(dag.to_adjacency()), encoding="utf-8")
    assert load_dag(path) == dag
    assert load_dag(str(path)).nodes == dag.nodes


@pytest.mark.parametrize("name", ["xgboost_end_to_end", "pytorch_model_registration"])
def test_starter_dag_files_round_trip(name):
    shipped = json.loads((STARTERS / name / "dag.json").read_text(encoding="utf-8"))
    dag = load_dag(STARTERS / name / "dag.json")
    assert dag.to_adjacency() == shipped


def test_load_dag_of_a_list_file(tmp_path):
    path = tmp_path / "dag.json"
    path.write_text('[["Load", "Train"]]', encoding="utf-8")
    with pytest.raises(ConfigFileError, match="must be a JSON object"):
        load_dag(path)


def test_load_dag_of_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "dag.json"
    path.write_text('{\n  "Load": [],\n  "Train": ["Load"\n}\n', encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        load_dag(path)
    assert "DAG file" in str(caught.value)
    assert "line 4, column 1" in str(caught.value)


def test_load_dag_of_a_missing_file(tmp_path):
    with pytest.raises(ConfigFileError, match="does not exist"):
        load_dag(tmp_path / "dag.json")


def test_load_dag_with_an_unknown_parent(tmp_path):
    path = tmp_path / "dag.json"
    path.write_text('{"Train": ["Load"]}', encoding="utf-8")
    with pytest.raises(UnknownNodeError) as caught:
        load_dag(path)
    assert caught.value.node == "Train"
