"""Steps land where the user looks: a new step beside the step it follows, connected to it
when the choice is plain; copies of steps with their values, pasted where the user points.

Every function here is an edit (Design -> Design, with the names it made): the designer
commits its result once, so one undo takes a step back together with its connection.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from builders.designs.design import (
    Design,
    DesignNode,
    Position,
    add_node,
    connect,
    placed,
    step_type_of,
    unique_name,
)
from builders.graph.layout import NODE_GAP, ROW_HEIGHT, new_node_position, node_box, overlaps
from builders.graph.wiring import accepted_ports
from builders.registry import REGISTRY, StepRegistry


def feeder(
    design: Design, step_type: str, selected: str | None, registry: StepRegistry = REGISTRY
) -> str | None:
    """The step a new `step_type` step follows: the selected step when there is one, else
    the last (right-most) step producing something it takes, when exactly one is last.
    None when that step cannot feed it (a Fail step follows a condition: that counts)."""
    new = registry.get(step_type)

    def feeds(name: str) -> bool:
        producer = step_type_of(design.node(name), registry)
        if producer.branch_field is not None:  # a condition's child: what takes nothing
            return not new.inputs
        return bool(accepted_ports(producer, new))

    if selected is not None:
        return selected if selected in design.node_names and feeds(selected) else None
    producers = [n for n in design.nodes if n.step_type in registry and feeds(n.name)]
    if not producers:
        return None
    right = max(n.ui.x for n in producers)
    last = [n.name for n in producers if n.ui.x == right]
    return last[0] if len(last) == 1 else None


def add_step(
    design: Design,
    step_type: str,
    *,
    selected: str | None = None,
    position: tuple[float, float] | None = None,
    registry: StepRegistry = REGISTRY,
) -> tuple[Design, str]:
    """The design with a new `step_type` step, and its name. It goes to `position` (a drop)
    or beside the step it follows (see `feeder`; else the first free place), and is
    connected from that step when it can be."""
    after = feeder(design, step_type, selected, registry)
    if position is None:
        position = new_node_position(placed(design), step_type, after=after or selected)
    design = add_node(design, step_type, position=position, registry=registry)
    name = design.nodes[-1].name
    if after is not None:
        design = connect(design, after, name, registry=registry)
    return design, name


def clip(design: Design, names: Iterable[str]) -> Design:
    """What Copy keeps: a design holding the named steps, their values and the connections
    among them (no pipeline settings or parameters: a paste takes the target's)."""
    chosen = set(names)
    return Design(
        name=design.name,
        nodes=tuple(n for n in design.nodes if n.name in chosen),
        edges=tuple(e for e in design.edges if set(e) <= chosen),
    )


def paste(
    design: Design,
    copied: Design,
    position: tuple[float, float] | None = None,
    registry: StepRegistry = REGISTRY,
) -> tuple[Design, list[str]]:
    """The design with copies of `copied`'s steps (free names, the same values) and the
    connections among them, and the copies' names. The copies keep their arrangement, with
    the first copied step's corner at `position` (where the user points), else right below
    the originals, as far down as it takes for no copy to cover a step.
    A copied condition's branch names the copies of its children; children not copied
    drop out of it."""
    if not copied.nodes:
        return design, []
    first = copied.nodes[0].ui
    dx, dy = (position[0] - first.x, position[1] - first.y) if position else _below(design, copied)
    renamed: dict[str, str] = {}
    taken = design
    for node in copied.nodes:  # free names first: a branch may name a child listed later
        renamed[node.name] = unique_name(taken, _base_name(node.name))
        placeholder = DesignNode(name=renamed[node.name], step_type=node.step_type)
        taken = taken.model_copy(update={"nodes": (*taken.nodes, placeholder)})
    copies = tuple(
        DesignNode(
            name=renamed[node.name],
            step_type=node.step_type,
            values=_branch_renamed(node, renamed, copied, registry),
            ui=Position(x=node.ui.x + dx, y=node.ui.y + dy),
        )
        for node in copied.nodes
    )
    edges = tuple((renamed[s], renamed[t]) for s, t in copied.edges)
    pasted = design.model_copy(
        update={"nodes": (*design.nodes, *copies), "edges": (*design.edges, *edges)}
    )
    return pasted, list(renamed.values())


def _below(design: Design, copied: Design) -> tuple[float, float]:
    """The shift that puts the copies under the originals without covering any step."""
    boxes = [node_box((n.ui.x, n.ui.y)) for n in design.nodes]
    dy = ROW_HEIGHT
    while any(
        overlaps(node_box((n.ui.x, n.ui.y + dy)), box, NODE_GAP / 2)
        for n in copied.nodes
        for box in boxes
    ):
        dy += ROW_HEIGHT / 4
    return 0.0, dy


def _base_name(name: str) -> str:
    """A copy of "Train-2" is "Train-3" (the next free number), not "Train-2-2"."""
    stem, _, number = name.rpartition("-")
    return stem if stem and number.isdigit() else name


def _branch_renamed(
    node: DesignNode, renamed: dict[str, str], copied: Design, registry: StepRegistry
) -> dict:
    values = copy.deepcopy(node.values)  # the copy's own: nothing shared with the original
    if node.step_type not in registry:
        return values
    field = registry.get(node.step_type).branch_field
    chosen = values.get(field) if field else None
    if isinstance(chosen, list):
        children = {t for s, t in copied.edges if s == node.name}
        values[field] = [renamed[c] for c in chosen if c in children and c in renamed]
    return values
