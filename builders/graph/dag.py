"""PipelineDAG: named nodes and the edges between them, in the order they were added."""

from __future__ import annotations

import graphlib
import heapq
import os
from collections.abc import Iterable, Mapping

from builders.errors import ConfigFileError, CycleError, DuplicateNodeError, UnknownNodeError
from builders.fileio import read_json


class PipelineDAG:
    """A directed graph of step names. Edges point from a producer to its consumer."""

    def __init__(self, nodes: Iterable[str] = (), edges: Iterable[tuple[str, str]] = ()):
        self._parents: dict[str, list[str]] = {}
        for node in nodes:
            self.add_node(node)
        for source, target in edges:
            self.add_edge(source, target)

    # -- building -------------------------------------------------------------------------
    def add_node(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise UnknownNodeError(f"A node name must be a non-empty string, not {name!r}.")
        if name in self._parents:
            raise DuplicateNodeError(
                f"There is already a node named '{name}'. Give each node its own name.",
                node=name,
            )
        self._parents[name] = []

    def add_edge(self, source: str, target: str) -> None:
        """Connect `source` to `target`; adding an existing edge again changes nothing."""
        for name in (source, target):
            if name not in self._parents:
                raise UnknownNodeError(
                    f"The connection {source} -> {target} names '{name}', which is not a node.",
                    node=name,
                )
        if source == target:
            raise CycleError([source, source])
        if source not in self._parents[target]:
            self._parents[target].append(source)

    def remove_node(self, name: str) -> None:
        self._require(name)
        del self._parents[name]
        for parents in self._parents.values():
            if name in parents:
                parents.remove(name)

    # -- reading --------------------------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        return list(self._parents)

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(parent, node) for node, parents in self._parents.items() for parent in parents]

    def parents(self, name: str) -> list[str]:
        self._require(name)
        return list(self._parents[name])

    def children(self, name: str) -> list[str]:
        self._require(name)
        return [node for node, parents in self._parents.items() if name in parents]

    def __contains__(self, name: object) -> bool:
        return name in self._parents

    def __len__(self) -> int:
        return len(self._parents)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PipelineDAG):
            return NotImplemented
        return self.to_adjacency() == other.to_adjacency()

    def __repr__(self) -> str:
        return f"PipelineDAG(nodes={self.nodes}, edges={self.edges})"

    def find_cycle(self) -> list[str] | None:
        """A cycle as [a, b, ..., a] following the edges, or None."""
        try:
            graphlib.TopologicalSorter(self._parents).prepare()
        except graphlib.CycleError as error:
            return list(error.args[1])  # each node is followed by one of its children
        return None

    def topological_order(self) -> list[str]:
        """Every node after its parents; of the nodes ready, the earliest added comes first."""
        rank = {name: index for index, name in enumerate(self._parents)}
        waiting = {node: len(parents) for node, parents in self._parents.items()}
        children: dict[str, list[str]] = {node: [] for node in self._parents}
        for parent, child in self.edges:
            children[parent].append(child)
        ready = [rank[node] for node, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[str] = []
        names = list(self._parents)
        while ready:
            node = names[heapq.heappop(ready)]
            order.append(node)
            for child in children[node]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, rank[child])
        if len(order) < len(names):  # the nodes left wait on each other: a cycle
            raise CycleError(self.find_cycle() or [])
        return order

    def would_create_cycle(self, source: str, target: str) -> bool:
        """True when the edge source -> target would close a cycle."""
        if source == target:
            return True
        seen, stack = set(), [source]
        while stack:  # walk up from source: a cycle exists when target is an ancestor
            node = stack.pop()
            if node == target:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(self._parents.get(node, ()))
        return False

    # -- the adjacency-list form {"STEP": ["PARENT", ...]} --------------------------------
    def to_adjacency(self) -> dict[str, list[str]]:
        return {node: list(parents) for node, parents in self._parents.items()}

    @classmethod
    def from_adjacency(cls, adjacency: Mapping[str, Iterable[str]]) -> PipelineDAG:
        """Build a DAG from {"STEP": ["PARENT", ...]}; every parent must be a key too."""
        if not isinstance(adjacency, Mapping):
            raise ConfigFileError(
                'A DAG must be a JSON object such as {"Train": ["Load"], "Load": []}.'
            )
        dag = cls(nodes=adjacency)
        for node, parents in adjacency.items():
            if not isinstance(parents, list | tuple):
                raise ConfigFileError(
                    f"The parents of '{node}' must be a list of node names.", node=node
                )
            for parent in parents:
                if not isinstance(parent, str):
                    raise ConfigFileError(
                        f"The parents of '{node}' must be node names; one of them is "
                        f"{_json_kind(parent)}. Write them as a list of names, such as "
                        '["Load"].',
                        node=node,
                    )
                if parent not in dag:
                    raise UnknownNodeError(
                        f"'{node}' lists parent '{parent}', which is not a node of the DAG. "
                        f'Add "{parent}": [] to the DAG or remove it from the parents.',
                        node=node,
                    )
                dag.add_edge(parent, node)
        return dag

    def _require(self, name: str) -> None:
        if name not in self._parents:
            raise UnknownNodeError(f"There is no node named '{name}'.", node=name)


def _json_kind(value: object) -> str:
    kinds = {dict: "a JSON object", list: "a list", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")


def load_dag(path: str | os.PathLike) -> PipelineDAG:
    """Read a DAG file in the adjacency-list form."""
    return PipelineDAG.from_adjacency(read_json(path, "DAG file"))
