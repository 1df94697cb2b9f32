"""Three-way merge of designs: two edits of one base, combined where they touch different things.

Two browser tabs (or two people) editing one design each start from the revision they read
(`base`). When one saves over a file the other changed meanwhile, `merge_designs(base, mine,
theirs)` keeps both sides' changes, item by item: pipeline settings by key, nodes by name,
node values by field, canvas positions by node, connections one by one. Renames are followed
(a renamed node keeps the other side's edits). Where both sides changed one item differently,
the item is a `Conflict`: `prefer` says which side's version the merged design holds, and
the conflict names both values so that nothing either side made is dropped unsaid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from builders.configs.fields import same_raw, text_of
from builders.configs.parameters import PipelineParameter
from builders.designs.design import (
    Design,
    DesignNode,
    connection_problem,
    move_nodes,
    rename_node,
    unique_name,
)
from builders.graph.layout import ROW_HEIGHT

Side = Literal["mine", "theirs"]
_ABSENT = object()  # a key one side does not have (None is a value)


@dataclass(frozen=True)
class Conflict:
    """One item both sides changed differently; `message` says what and both values."""

    message: str
    node: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Merge:
    design: Design
    conflicts: tuple[Conflict, ...] = ()


def merge_designs(base: Design, mine: Design, theirs: Design, *, prefer: Side = "theirs") -> Merge:
    """`theirs` with `mine`'s changes since `base`; on a conflict the `prefer` side wins."""
    if mine.revision == base.revision:  # revisions: 1 and 1.0 are equal in Python, not here
        return Merge(theirs)
    if theirs.revision == base.revision:
        return Merge(mine)
    conflicts: list[Conflict] = []
    mine = _rename_added_twins(base, mine, theirs)
    base, mine, theirs, mine_renamed, their_renamed = _follow_renames(
        base, mine, theirs, prefer, conflicts
    )
    settings = _merge_mapping(
        base.settings, mine.settings, theirs.settings, prefer, conflicts, "pipeline setting"
    )
    nodes = _merge_nodes(base, mine, theirs, prefer, conflicts, mine_renamed, their_renamed)
    parameters = _merge_parameters(base, mine, theirs, prefer, conflicts, nodes)
    merged = theirs.model_copy(
        update={"settings": settings, "nodes": nodes, "edges": (), "parameters": parameters}
    )
    edges = _merge_edges(base, mine, theirs, merged, conflicts)
    return Merge(merged.model_copy(update={"edges": edges}), tuple(conflicts))


def _merge_parameters(base, mine, theirs, prefer, conflicts, nodes) -> tuple:
    """Pipeline parameters by name (type, default and bindings as one item); bindings of
    nodes the merge does not keep are dropped."""

    def by_name(design: Design) -> dict[str, Any]:
        return {p.name: p.model_dump(mode="json") for p in design.parameters}

    merged = _merge_mapping(
        by_name(base), by_name(mine), by_name(theirs), prefer, conflicts, "pipeline parameter"
    )
    kept = {node.name for node in nodes}
    return tuple(
        PipelineParameter(
            **{**data, "bindings": [b for b in data["bindings"] if b["node"] in kept]}
        )
        for data in merged.values()
    )


# -- renames ------------------------------------------------------------------------------
def renames(base: Design, side: Design) -> dict[str, str]:
    """{old: new} for nodes `side` renamed: gone under the old name, present under a new one
    with the same step type, values and position (a rename changes nothing else)."""
    added = [n for n in side.nodes if n.name not in base.node_names]
    found: dict[str, str] = {}
    for old in (n for n in base.nodes if n.name not in side.node_names):
        twin = next(
            (n.name for n in added if _same_but_name(old, n) and n.name not in found.values()),
            None,
        )
        if twin is not None:
            found[old.name] = twin
    return found


def _same_but_name(a: DesignNode, b: DesignNode) -> bool:
    return (a.step_type, a.values, a.ui) == (b.step_type, b.values, b.ui)


def _rename_added_twins(base: Design, mine: Design, theirs: Design) -> Design:
    """Nodes both sides added under one name are two nodes (two tabs each added a step):
    mine gets a free name, and a free place if it would cover theirs."""
    for node in mine.nodes:
        if node.name in base.node_names or node.name not in theirs.node_names:
            continue
        taken = Design(name="", nodes=(*theirs.nodes, *mine.nodes))
        stem = re.sub(r"-\d+$", "", node.name)  # Payload-2 -> Payload-3, not Payload-2-2
        new = unique_name(taken, stem)
        mine = rename_node(mine, node.name, new)
        if theirs.node(node.name).ui == node.ui:
            lowest = max(n.ui.y for n in taken.nodes)
            mine = move_nodes(mine, {new: (node.ui.x, lowest + ROW_HEIGHT)})
    return mine


def _follow_renames(base, mine, theirs, prefer: Side, conflicts: list[Conflict]):
    """Rename nodes in the base and on each side as the other side renamed them, so that
    every node is compared under one name. Returns the designs and the renamed names."""
    mine_renames, their_renames = renames(base, mine), renames(base, theirs)
    for old in set(mine_renames) & set(their_renames):
        ours, other = mine_renames[old], their_renames[old]
        if ours == other:
            base = _renamed(base, old, ours)
            del mine_renames[old], their_renames[old]
            continue
        conflicts.append(
            Conflict(f"'{old}' was renamed '{ours}' here and '{other}' in the other tab.", old)
        )
        if prefer == "theirs":  # undo the losing rename; the winning one is followed below
            mine = _renamed(mine, mine_renames.pop(old), old)
        else:
            theirs = _renamed(theirs, their_renames.pop(old), old)
    for old, new in mine_renames.items():
        base, theirs = _renamed(base, old, new), _renamed(theirs, old, new)
    for old, new in their_renames.items():
        base, mine = _renamed(base, old, new), _renamed(mine, old, new)
    return base, mine, theirs, set(mine_renames.values()), set(their_renames.values())


def _renamed(design: Design, old: str, new: str) -> Design:
    """The design with `old` renamed `new`, if it has `old` and `new` is free."""
    if old not in design.node_names or new in design.node_names:
        return design
    return rename_node(design, old, new)


# -- values -------------------------------------------------------------------------------
def _merge_mapping(
    base: Mapping, mine: Mapping, theirs: Mapping, prefer: Side, conflicts, what: str, node=None
) -> dict[str, Any]:
    """Key by key: the side that changed a key wins; both changed it differently: conflict."""
    merged: dict[str, Any] = {}
    for key in [*theirs, *(k for k in mine if k not in theirs), *(k for k in base)]:
        if key in merged:
            continue
        b, m, t = (side.get(key, _ABSENT) for side in (base, mine, theirs))
        value = _merge_value(b, m, t)
        if value is _CONFLICT:
            conflicts.append(_value_conflict(what, node, key, m, t))
            value = t if prefer == "theirs" else m
        if value is not _ABSENT:
            merged[key] = value
    return {key: merged[key] for key in _ordered(theirs, mine, merged)}


_CONFLICT = object()


def _merge_value(base: Any, mine: Any, theirs: Any) -> Any:
    if _equal(mine, base):
        return theirs
    if _equal(theirs, base) or _equal(mine, theirs):
        return mine
    return _CONFLICT


def _equal(a: Any, b: Any) -> bool:
    """Equal as stored (1, 1.0 and True differ in JSON, so they differ here)."""
    return a is b or (a is not _ABSENT and b is not _ABSENT and same_raw(a, b))


def _ordered(theirs: Mapping, mine: Mapping, merged: Mapping) -> list[str]:
    """Their key order, then keys only mine has, in mine's order."""
    keys = [k for k in theirs if k in merged] + [k for k in mine if k in merged]
    return list(dict.fromkeys(keys))


def _shown(value: Any) -> str:
    if value is _ABSENT:
        return "not set"
    return "empty" if value is None else repr(text_of(value))


def _value_conflict(what: str, node: str | None, key: str, mine: Any, theirs: Any) -> Conflict:
    where = f"{what} '{key}'" + (f" of '{node}'" if node else "")
    return Conflict(
        f"{where[0].upper()}{where[1:]}: {_shown(mine)} here, {_shown(theirs)} in the other tab.",
        node=node,
        field=key,
    )


# -- nodes --------------------------------------------------------------------------------
def _merge_nodes(base, mine, theirs, prefer: Side, conflicts, mine_renamed, their_renamed):
    merged: dict[str, DesignNode] = {}
    touched_by_theirs = _touched(base, theirs) | their_renamed
    touched_by_mine = _touched(base, mine) | mine_renamed
    for name in [*theirs.node_names, *mine.node_names, *base.node_names]:
        if name in merged:
            continue
        b, m, t = (_get(side, name) for side in (base, mine, theirs))
        if b is None:  # added by one side, or the same node by both
            merged[name] = t or m
        elif m is None and t is None:
            continue  # deleted by both
        elif m is None:  # I deleted it
            if name in touched_by_theirs:
                conflicts.append(_delete_conflict(name, deleted_here=True))
                if prefer == "theirs":
                    merged[name] = t
        elif t is None:  # they deleted it
            if name in touched_by_mine:
                conflicts.append(_delete_conflict(name, deleted_here=False))
                if prefer == "mine":
                    merged[name] = m
        else:
            merged[name] = _merge_node(b, m, t, prefer, conflicts)
    return tuple(merged[name] for name in _ordered_names(theirs, mine, merged))


def _get(design: Design, name: str) -> DesignNode | None:
    return next((n for n in design.nodes if n.name == name), None)


def _touched(base: Design, side: Design) -> set[str]:
    """Nodes `side` changed: values, position, or a connection added or removed."""
    touched = {n.name for n in side.nodes if n.name in base.node_names and base.node(n.name) != n}
    for edge in set(side.edges) ^ set(base.edges):
        touched.update(edge)
    return touched


def _delete_conflict(name: str, *, deleted_here: bool) -> Conflict:
    where = ("here", "in the other tab") if deleted_here else ("in the other tab", "here")
    return Conflict(f"'{name}' was deleted {where[0]} and changed {where[1]}.", node=name)


def _merge_node(base: DesignNode, mine: DesignNode, theirs: DesignNode, prefer, conflicts):
    values = _merge_mapping(
        base.values, mine.values, theirs.values, prefer, conflicts, "field", node=base.name
    )
    ui = _merge_value(base.ui, mine.ui, theirs.ui)
    if ui is _CONFLICT:
        conflicts.append(
            Conflict(f"'{base.name}' was moved both here and in the other tab.", node=base.name)
        )
        ui = theirs.ui if prefer == "theirs" else mine.ui
    return theirs.model_copy(update={"values": values, "ui": ui})


def _ordered_names(theirs: Design, mine: Design, merged: Mapping) -> list[str]:
    names = [n for n in theirs.node_names if n in merged] + [
        n for n in mine.node_names if n in merged
    ]
    return list(dict.fromkeys(names))


# -- connections ----------------------------------------------------------------------------
def _merge_edges(base, mine, theirs, merged: Design, conflicts):
    """Their connections, less those I removed, plus those I added. Connections to a node
    that is gone go with it (the node's conflict says so); one I added that would close a
    cycle with theirs, or that its nodes no longer accept, is reported and left out."""
    removed_by_me = set(base.edges) - set(mine.edges)
    names = set(merged.node_names)
    kept = tuple(e for e in theirs.edges if e not in removed_by_me and set(e) <= names)
    design = merged.model_copy(update={"edges": kept})
    for source, target in mine.edges:
        if (source, target) in base.edges or (source, target) in kept:
            continue
        if not {source, target} <= names:
            continue
        problem = connection_problem(design, source, target)
        if problem:
            conflicts.append(
                Conflict(
                    f"Connection {source} → {target} made here is left out: {problem}",
                    node=target,
                )
            )
            continue
        design = design.model_copy(update={"edges": (*design.edges, (source, target))})
    return design.edges
