"""The Design: everything a user has made, the designer's one source of truth.

A design holds raw values, valid or not: validation reports problems per node and field
instead of refusing to store them, so nothing typed is ever thrown away. Canvas positions
are kept apart from step values (like `ui_data` and `app_data` in Elyra's pipeline files).
Every edit is a function returning a new Design; the pages never change one in place.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from builders.configs.base import BasePipelineConfig
from builders.configs.fields import form_fields, same_raw, to_raw
from builders.configs.parameters import Binding, PipelineParameter, with_parameters
from builders.designs.config_io import merge_values, node_values, parameters_of
from builders.errors import ConfigFileError, ConfigValidationError, PipelineDesignError, Problem
from builders.graph.dag import PipelineDAG
from builders.graph.layout import ROW_HEIGHT, tidy_positions
from builders.graph.parameter_checks import check_with_parameters, parameter_problems
from builders.graph.validation import validate_config
from builders.graph.wiring import Wire, ends_run, may_follow
from builders.registry import REGISTRY, StepRegistry, StepType

DESIGN_FORMAT = "sagemaker-pipeline-design/1"
SHARED_FIELDS = BasePipelineConfig.SHARED_FIELDS


class Position(BaseModel):
    model_config = ConfigDict(frozen=True)
    x: float = 0.0
    y: float = 0.0


class DesignNode(BaseModel):
    """One step: its unique name, step type, the values entered so far, its canvas spot."""

    model_config = ConfigDict(frozen=True)
    name: str
    step_type: str
    values: dict[str, Any] = Field(default_factory=dict)
    ui: Position = Position()


class Design(BaseModel):
    model_config = ConfigDict(frozen=True)
    format: str = DESIGN_FORMAT
    name: str
    # Which design this is, whatever its name or pipeline name: its runs carry it. Given when
    # the design is created in the workspace, or first opened ('' before: see with_identity).
    id: str = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    nodes: tuple[DesignNode, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()
    parameters: tuple[PipelineParameter, ...] = ()  # see builders.configs.parameters

    # -- reading ---------------------------------------------------------------------------
    def node(self, name: str) -> DesignNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    @property
    def node_names(self) -> list[str]:
        return [node.name for node in self.nodes]

    def dag(self) -> PipelineDAG:
        """The DAG; edges naming missing nodes (never made by the edits here) are skipped."""
        dag = PipelineDAG(self.node_names)
        for source, target in self.edges:
            if source in dag and target in dag and source != target:
                dag.add_edge(source, target)
        return dag

    @property
    def revision(self) -> str:
        """A digest of the content: equal designs, equal revisions (for caches).

        Not a cached_property: model_copy copies the instance dict, cache included.
        """
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def step_type_of(node: DesignNode, registry: StepRegistry = REGISTRY) -> StepType:
    """The node's step type, with the ports its values declare (see StepType.bound)."""
    return registry.get(node.step_type, node=node.name).bound(node.values)


def effective_values(design: Design, node: DesignNode, registry=REGISTRY) -> dict[str, Any]:
    """The node's raw values (see node_values_of); a field bound to a pipeline parameter holds
    the parameter's default."""
    config_class = step_type_of(node, registry).config_class
    own = node_values_of(design, node, registry)
    return with_parameters(own, node.name, config_class, design.parameters)


def node_values_of(design: Design, node: DesignNode, registry=REGISTRY) -> dict[str, Any]:
    """The pipeline settings the node's Config has, then the node's own values."""
    config_class = step_type_of(node, registry).config_class
    inherited = {k: v for k, v in design.settings.items() if config_class.takes_shared(k)}
    return {**inherited, **node.values}


# -- edits --------------------------------------------------------------------------------
def setting_defaults() -> dict[str, Any]:
    """The pipeline settings that have a default (region, version, ...), as stored."""
    return {
        name: to_raw(info.get_default(call_default_factory=True))
        for name, info in BasePipelineConfig.model_fields.items()
        if not info.is_required()
    }


def complete_settings(design: Design) -> Design:
    """The design with every pipeline setting that has a default stored: what the settings
    form shows (region us-east-1, ...) is what the design holds and what deploy reads."""
    missing = {k: v for k, v in setting_defaults().items() if k not in design.settings}
    if not missing:
        return design
    return design.model_copy(update={"settings": {**design.settings, **missing}})


def with_identity(design: Design, *, fresh: bool = False) -> Design:
    """The design with an id of its own: kept if it has one (unless `fresh`, for a new
    design made from another), else a new random one."""
    if design.id and not fresh:
        return design
    return design.model_copy(update={"id": uuid.uuid4().hex[:16]})


def new_design(name: str, settings: dict[str, Any] | None = None) -> Design:
    return complete_settings(Design(name=name, settings=dict(settings or {})))


def unique_name(design: Design, base: str) -> str:
    taken = set(design.node_names)
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def add_node(
    design: Design,
    step_type: str,
    name: str | None = None,
    position: tuple[float, float] | None = None,
    registry: StepRegistry = REGISTRY,
) -> Design:
    registry.get(step_type)  # an unknown type is refused here, not on the canvas
    name = unique_name(design, name or step_type)
    x, y = position if position else _below_all(design)
    node = DesignNode(name=name, step_type=step_type, ui=Position(x=x, y=y))
    return design.model_copy(update={"nodes": (*design.nodes, node)})


def _below_all(design: Design) -> tuple[float, float]:
    """A free place for a new node: under every node, so that none is covered."""
    if not design.nodes:
        return 0.0, 0.0
    return min(n.ui.x for n in design.nodes), max(n.ui.y for n in design.nodes) + ROW_HEIGHT


def remove_nodes(design: Design, names: Iterable[str]) -> Design:
    gone = set(names)
    return design.model_copy(
        update={
            "nodes": tuple(n for n in design.nodes if n.name not in gone),
            "edges": tuple(e for e in design.edges if not gone.intersection(e)),
            "parameters": _rebound(design, lambda b: None if b.node in gone else b),
        }
    )


def _rebound(design: Design, change) -> tuple[PipelineParameter, ...]:
    """The parameters with each binding changed by `change` (None drops it)."""
    return tuple(
        p.model_copy(
            update={"bindings": tuple(b for b in map(change, p.bindings) if b is not None)}
        )
        for p in design.parameters
    )


def rename_node(design: Design, old: str, new: str) -> Design:
    """Rename a node everywhere; a name already taken or empty is refused."""
    new = new.strip()
    if not new:
        raise PipelineDesignError("A node needs a name.", node=old)
    if new != old and new in design.node_names:
        raise PipelineDesignError(f"There is already a node named '{new}'.", node=old)

    def renamed(name: str) -> str:
        return new if name == old else name

    return design.model_copy(
        update={
            "nodes": tuple(
                _branches_renamed(n, old, new).model_copy(update={"name": renamed(n.name)})
                for n in design.nodes
            ),
            "edges": tuple((renamed(s), renamed(t)) for s, t in design.edges),
            "parameters": _rebound(design, lambda b: Binding(node=renamed(b.node), field=b.field)),
        }
    )


def _branches_renamed(node: DesignNode, old: str, new: str) -> DesignNode:
    """A condition naming `old` on its "if" branch names `new` instead."""
    field = REGISTRY.get(node.step_type).branch_field if node.step_type in REGISTRY else None
    chosen = node.values.get(field) if field else None
    if not isinstance(chosen, list) or old not in chosen:
        return node
    values = {**node.values, field: [new if name == old else name for name in chosen]}
    return node.model_copy(update={"values": values})


def connection_problem(
    design: Design, source: str, target: str, registry: StepRegistry = REGISTRY
) -> str | None:
    """Why the edge source -> target must not exist, or None when it may."""
    if source == target:
        return f"'{source}' cannot be connected to itself."
    if design.dag().would_create_cycle(source, target):
        return (
            f"Connecting '{source}' to '{target}' would make a cycle: '{target}' already runs "
            f"before '{source}'."
        )
    producer = step_type_of(design.node(source), registry)
    consumer = step_type_of(design.node(target), registry)
    if producer.ends_run:
        return ends_run(source, producer.display_name)
    if not may_follow(producer, consumer):
        produced = ", ".join(p.kind.value for p in producer.outputs) or "nothing"
        accepted = ", ".join(p.kind.value for p in consumer.inputs) or "no inputs"
        return (
            f"'{target}' ({consumer.display_name}) cannot use anything '{source}' "
            f"({producer.display_name}) produces: it accepts {accepted}; '{source}' produces "
            f"{produced}."
        )
    return None


def connect(
    design: Design, source: str, target: str, registry=REGISTRY, branch: str | None = None
) -> Design:
    """Add the edge, or raise PipelineDesignError saying why it is refused. From a condition,
    `branch` ("if" or "else", the handle it leaves from) puts the target on that branch:
    the condition's branch field lists its "if" children (an existing edge changes branch)."""
    if (source, target) not in design.edges:
        problem = connection_problem(design, source, target, registry)
        if problem:
            raise PipelineDesignError(problem, node=target)
        design = design.model_copy(update={"edges": (*design.edges, (source, target))})
    field = step_type_of(design.node(source), registry).branch_field
    if field is None or branch not in ("if", "else"):
        return design
    chosen = design.node(source).values.get(field)
    chosen = [c for c in chosen if c != target] if isinstance(chosen, list) else []
    if branch == "if":
        chosen.append(target)
    values = {**design.node(source).values, field: chosen}
    return (
        design if values == design.node(source).values else set_node_values(design, source, values)
    )


def disconnect(design: Design, source: str, target: str) -> Design:
    return design.model_copy(
        update={"edges": tuple(e for e in design.edges if e != (source, target))}
    )


def set_node_values(design: Design, name: str, values: dict[str, Any]) -> Design:
    return _replace_node(design, name, values=dict(values))


def placed(design: Design) -> dict[str, tuple[str, tuple[float, float]]]:
    """Each node's step type and canvas position: what the layout places a new node among."""
    return {node.name: (node.step_type, (node.ui.x, node.ui.y)) for node in design.nodes}


def move_nodes(design: Design, positions: dict[str, tuple[float, float]]) -> Design:
    nodes = tuple(
        n.model_copy(update={"ui": Position(x=positions[n.name][0], y=positions[n.name][1])})
        if n.name in positions
        else n
        for n in design.nodes
    )
    return design.model_copy(update={"nodes": nodes})


def set_settings(design: Design, settings: dict[str, Any]) -> Design:
    return design.model_copy(update={"settings": dict(settings)})


def _replace_node(design: Design, name: str, **update: Any) -> Design:
    design.node(name)  # KeyError for a node that is not there
    nodes = tuple(n.model_copy(update=update) if n.name == name else n for n in design.nodes)
    return design.model_copy(update={"nodes": nodes})


# -- validation ---------------------------------------------------------------------------
class DesignReport(BaseModel):
    """Every problem of a design, by node; `valid` when there is none."""

    model_config = ConfigDict(frozen=True)
    problems: tuple[Problem, ...] = ()
    wires: tuple[Wire, ...] = ()

    @property
    def valid(self) -> bool:
        """Nothing stops the pipeline from being built (warnings may remain)."""
        return not any(not p.warning for p in self.problems)

    def for_node(self, name: str) -> list[Problem]:
        return [p for p in self.problems if p.node == name]


def validate_design(design: Design, registry: StepRegistry = REGISTRY) -> DesignReport:
    unknown = [n for n in design.nodes if n.step_type not in registry]
    problems = [
        Problem(f"Unknown step type '{n.step_type}'.", node=n.name, code="unknown_type")
        for n in unknown
    ]
    known = [n for n in design.nodes if n.step_type in registry]
    classes = {n.name: step_type_of(n, registry).config_class for n in known}
    values = {n.name: node_values_of(design, n, registry) for n in known}
    dag = design.dag()
    for name in [n.name for n in unknown]:
        dag.remove_node(name)
    if not design.nodes:
        problems.append(
            Problem("The design has no steps yet. Add one from the palette.", code="empty")
        )
    found, wires = check_with_parameters(dag, classes, values, design.parameters, registry)
    return DesignReport(problems=tuple(problems + found), wires=tuple(wires))


def build_configs(design: Design, registry: StepRegistry = REGISTRY) -> dict[str, Any]:
    """Config objects of every node; raises ConfigValidationError with every problem."""

    configs, problems = {}, []
    classes = {node.name: step_type_of(node, registry).config_class for node in design.nodes}
    values = {node.name: node_values_of(design, node, registry) for node in design.nodes}
    found = parameter_problems(design.parameters, classes, values)
    problems += [problem for problem in found if not problem.warning]
    for node in design.nodes:
        config, node_problems = validate_config(
            classes[node.name], effective_values(design, node, registry), node.name
        )
        problems += node_problems
        configs[node.name] = config
    if problems:
        raise ConfigValidationError(problems)
    return configs


# -- files --------------------------------------------------------------------------------
def config_document(design: Design, registry: StepRegistry = REGISTRY) -> dict[str, Any]:
    """The one-file config JSON of the design: valid nodes with defaults, others as typed."""
    entries = {}
    for node in design.nodes:
        config_class = step_type_of(node, registry).config_class
        raw = effective_values(design, node, registry)
        config, _ = validate_config(config_class, raw)
        values = config.model_dump(mode="json", exclude_computed_fields=True) if config else raw
        entries[node.name] = (config_class.__name__, values)
    return merge_values(entries, design.parameters)


def design_from_documents(
    name: str,
    config_doc: Any,
    dag_adjacency: Any = None,
    *,
    base_dir: Path | None = None,
    registry: StepRegistry = REGISTRY,
) -> Design:
    """A design from a one-file config JSON and, if given, a DAG in the adjacency form.

    Pipeline settings become the design's settings; the rest stays with each node. With
    `base_dir`, relative local paths are made absolute (they were relative to that folder).
    """
    classes, raw = node_values(config_doc, registry)
    dag = PipelineDAG.from_adjacency(dag_adjacency) if dag_adjacency is not None else None
    if dag is not None:
        missing = [n for n in dag.nodes if n not in classes]
        if missing:
            raise ConfigFileError(
                f"The DAG has nodes the config file lacks: {', '.join(missing)}. Use the config "
                "file written with this DAG.",
                node=missing[0],
            )
    settings = {**setting_defaults(), **_common_settings(raw, classes)}
    design = Design(name=name, settings=_absolute(settings, BasePipelineConfig, base_dir))
    for node, config_class in classes.items():
        step_type = registry.for_config(config_class, node=node)
        own = _own_values(config_class, raw[node], settings)
        design = add_node(design, step_type.name, name=node, registry=registry)
        design = set_node_values(design, node, _absolute(own, config_class, base_dir))
    if dag is not None:
        design = design.model_copy(update={"edges": tuple(dag.edges)})
    design = design.model_copy(update={"parameters": parameters_of(config_doc)})
    return move_nodes(design, tidy_positions(design.dag()))


def _own_values(config_class, values: dict[str, Any], settings: dict[str, Any]) -> dict:
    """What a node sets itself: not what it inherits, nor a default it would get anyway."""
    own = {}
    for field, value in values.items():
        if field in settings and config_class.takes_shared(field):
            if settings[field] != value:
                own[field] = value  # an override
            continue
        info = config_class.model_fields.get(field)
        if (
            info is None
            or info.is_required()
            or not same_raw(info.get_default(call_default_factory=True), value)
        ):
            own[field] = value
    return own


def _common_settings(raw: dict[str, dict[str, Any]], classes: dict[str, type]) -> dict[str, Any]:
    settings = {}
    for field in SHARED_FIELDS:
        takers = [node for node in raw if classes[node].takes_shared(field)]
        values = [raw[node][field] for node in takers if field in raw[node]]
        if values and all(same_raw(v, values[0]) for v in values):
            settings[field] = values[0]
    return settings


def _absolute(values: dict[str, Any], config_class: type, base_dir: Path | None) -> dict:
    """`values` with the relative paths in the config's LOCAL_PATH fields made absolute."""
    if base_dir is None:
        return values
    resolved = dict(values)
    for field in (spec.name for spec in form_fields(config_class) if spec.local_path):
        value = values.get(field)
        if isinstance(value, str) and value and not re.match(r"^[a-z0-9]+://", value):
            resolved[field] = str((base_dir / value).resolve())
    return resolved


def dag_document(design: Design) -> dict[str, list[str]]:
    return design.dag().to_adjacency()


def compile_design(design: Design, base_dir: Path | None = None, registry=REGISTRY):
    """The CompiledPipeline of a valid design (imports the SageMaker SDK on first use)."""
    from builders.compiling.compile import compile_pipeline

    return compile_pipeline(
        design.dag(),
        build_configs(design, registry),
        base_dir=base_dir,
        registry=registry,
        parameters=design.parameters,
    )


def overrides(design: Design) -> list[tuple[str, str, Any]]:
    """(node, field, value) for each pipeline setting a node replaces with its own value."""
    return [
        (node.name, field, node.values[field])
        for node in design.nodes
        for field in SHARED_FIELDS
        if field in node.values and field in design.settings
    ]
