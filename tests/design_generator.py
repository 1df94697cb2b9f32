"""Random designs, seeded and bounded, for the promise test (test_generated_designs.py).

A case starts from a starter design (its values fit the starter's sample data) and takes a
few random edits of the kinds a user makes: a gate's threshold, operator and branches; a
script step reading any kind a step produces and declaring its own ports, arguments and
environment; the test plug-in's step; a step of any registered type; connections added and
removed; nodes removed and renamed; any field of any node set to a value valid or not (out of
bounds, empty, long, many entries); fields promoted to pipeline parameters with good or bad
defaults; pipeline settings; a batch transform's formats and join.

Each edit says whether the design still fits its sample data (`runnable`): the checks cannot
know which column is the label or where the data is, so a case whose label, data locations,
code folders or time limits were changed is compiled and checked but not run.

    for case in cases(count=120, seed=17, folder=tmp_path): ...
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.configs.fields import form_fields
from builders.designs.design import (
    Design,
    add_node,
    effective_values,
    remove_nodes,
    rename_node,
    set_node_values,
    set_settings,
    step_type_of,
)
from builders.designs.parameter_edits import promote_field, set_parameter_default
from builders.errors import PipelineDesignError
from builders.localrun.sample_data import FRAUD_COLUMNS
from builders.ports import PortKind
from builders.registry import REGISTRY
from builders.starters import design_from_starter

STARTERS = (
    "xgboost_quality_gate",
    "xgboost_end_to_end",
    "pytorch_model_registration",
    "features_function_and_lambda",
    "xgboost_tuned_endpoint",
)
MAX_EDITS = 4
# Fields whose values must fit the sample data, the starter's code or the run's time: a case
# that changes one is checked and compiled, not run.
DATA_FIELDS = frozenset({
    "label_name", "hyperparameters", "data_sources", "data_format", "csv_has_header",
    "column_names", "job_type", "source_dir", "processing_source_dir", "training_source_dir",
    "inference_source_dir", "processing_entry_point", "training_entry_point",
    "inference_entry_point", "model_data", "keep_columns", "split", "problem_type",
    "framework", "framework_version", "processing_framework_version", "py_version",
    "source_model_inference_input_variable_list", "content_type", "input_filter",
    "output_filter", "split_type", "max_runtime_seconds", "processing_script_arguments",
    "script", "script_folder", "container", "container_version", "image_uri", "arguments",
    "default_numeric_value", "default_text_value", "train_ratio", "test_val_ratio",
    "drop_empty_rows", "max_payload_mb", "region", "multiclass_categories",
    # A function's or a Lambda's code and what it is given and answers; an ARN-only call
    # cannot run in the sandbox.
    "function", "requirements", "handler", "function_arn", "inputs", "outputs",
    "input_ports", "output_ports", "timeout_seconds", "compare",
})  # fmt: skip
SCRIPT = '''\
"""A generated case's script: lists what each input holds, writes a file to each output."""
import os
import pathlib

root = pathlib.Path(os.environ.get("SM_PIPELINE_CONTAINER_ROOT", "/")) / "opt/ml/processing"
seen = sorted(str(p.relative_to(root)) for p in (root / "input").rglob("*") if p.is_file())
for name in os.environ.get("OUTPUTS", "").split(","):
    if name:
        (root / "output" / name).mkdir(parents=True, exist_ok=True)
        (root / "output" / name / "listing.txt").write_text("\\n".join(seen))
print(len(seen), "input files")
'''
FUNCTION = '''\
"""A generated case's function: lists what its inputs hold into each output folder."""
import pathlib


def run(**given):
    """Ports are folders (absolute paths); anything else is a fixed argument."""
    folders = {n: pathlib.Path(v) for n, v in given.items() if str(v).startswith("/")}
    outputs = {n: f for n, f in folders.items() if "/function/output/" in f.as_posix()}
    seen = sorted(
        str(p) for n, f in folders.items() if n not in outputs for p in f.rglob("*") if p.is_file()
    )
    for folder in outputs.values():
        (folder / "listing.txt").write_text("\\n".join(seen))
    return {"inputs": len(seen)}
'''
HANDLER = '''\
"""A generated case's Lambda handler: numbers, and its S3 inputs passed on."""


def handle(event, context):
    passed = {k: v for k, v in event.items() if isinstance(v, str) and v.startswith("s3://")}
    return {"rows": len(event), "ratio": 0.25, "passed": True, **passed}
'''


@dataclass
class Case:
    index: int
    starter: str
    design: Design
    edits: list[str] = field(default_factory=list)
    runnable: bool = True

    @property
    def what(self) -> str:
        return f"case {self.index} ({self.starter}): " + "; ".join(self.edits)


def cases(count: int, seed: int, folder: Path) -> list[Case]:
    """`count` cases of `seed`; each case's own seed is (seed, index): any case can be made
    again alone. `folder` gets the scripts the script steps run."""
    script_folder = folder / "script"
    script_folder.mkdir(parents=True, exist_ok=True)
    (script_folder / "process.py").write_text(SCRIPT)
    (script_folder / "steps.py").write_text(FUNCTION)
    (script_folder / "handlers.py").write_text(HANDLER)
    return [case(seed, index, script_folder) for index in range(count)]


def case(seed: int, index: int, script_folder: Path) -> Case:
    rng = random.Random(f"{seed}:{index}")
    starter = STARTERS[index % len(STARTERS)]
    made = Case(index, starter, design_from_starter(starter, f"case-{index}"))
    for _ in range(rng.randint(1, MAX_EDITS)):
        name, edit = rng.choice(EDITS)
        try:
            design, said, runnable = edit(rng, made.design, script_folder)
        except (PipelineDesignError, NotApplicable):
            continue  # the edit does not apply to this design (a refused promotion, ...)
        made.design, made.runnable = design, made.runnable and runnable
        made.edits.append(f"{name}: {said}")
    return made


# -- edits: (rng, design, script folder) -> (design, what was done, still runnable) ----------
Edit = Callable[[random.Random, Design, Path], tuple[Design, str, bool]]


class NotApplicable(Exception):
    """The edit has nothing to work on in this design (no condition, no edge, ...)."""


def _pick(rng: random.Random, items: list) -> Any:
    if not items:
        raise NotApplicable
    return rng.choice(items)


def _nodes(design: Design, step_type: str | None = None) -> list[str]:
    return [n.name for n in design.nodes if step_type is None or n.step_type == step_type]


def gate(rng: random.Random, design: Design, _: Path):
    """A gate's threshold and operator: the run takes one branch or the other."""
    node = _pick(rng, _nodes(design, "Condition"))
    values = dict(design.node(node).values)
    values["threshold"] = round(rng.uniform(0.3, 1.0), 2)
    values["operator"] = rng.choice([">=", ">", "<=", "<", "==", "!="])
    values["metric"] = rng.choice(["auc", "auc", "accuracy", "f1", "rmse"])
    said = f"{node}: {values['metric']} {values['operator']} {values['threshold']}"
    return set_node_values(design, node, values), said, True


def branches(rng: random.Random, design: Design, _: Path):
    """Which of a condition's children are on its "if" branch, any subset."""
    node = _pick(rng, _nodes(design, "Condition"))
    children = design.dag().children(node)
    chosen = [c for c in children if rng.random() < 0.5]
    values = {**design.node(node).values, "if_steps": chosen}
    return set_node_values(design, node, values), f"{node}.if_steps = {chosen}", True


def script(rng: random.Random, design: Design, folder: Path):
    """A script step after a node, reading kinds it produces (or any kind), with ports,
    arguments and environment of random sizes."""
    producers: dict[str, list[str]] = {}
    for node in design.nodes:
        for port in step_type_of(node).outputs:
            producers.setdefault(port.kind.value, []).append(node.name)
    kind = _pick(rng, sorted(producers))  # each kind as likely, then one of its producers
    source = design.node(rng.choice(producers[kind]))
    kinds = [p.kind.value for p in step_type_of(source).outputs]
    every = [kind.value for kind in PortKind]
    count = rng.choice([0, 1, 1, 2, 3, 10])
    inputs = {f"in{i}": rng.choice(kinds if rng.random() < 0.8 else every) for i in range(count)}
    outputs = {f"out{i}": rng.choice(every) for i in range(rng.choice([0, 1, 2]))}
    environment = {"OUTPUTS": ",".join(outputs)}
    size = rng.choice([0, 0, 3, 101])
    environment.update({f"VAR_{i}": "x" * rng.choice([1, 1, 300]) for i in range(size)})
    values = {
        "script_folder": str(folder),
        "input_ports": inputs,
        "output_ports": outputs,
        "environment": environment,
        "arguments": rng.choice([[], ["--mode", "fast"], ["a" * 300]]),
        "container": "sklearn",
        "container_version": "1.2-1",
    }
    name = f"Script{len(design.nodes)}"
    design = set_node_values(add_node(design, "ScriptProcessing", name), name, values)
    design = _edge(design, source.name, name)
    return design, f"{name} after {source.name}: in {inputs}, out {outputs}", True


def _file_inputs(rng: random.Random, design: Design) -> tuple[str, dict[str, str]]:
    """A node and input ports reading kinds of files it produces (or any kind of file)."""
    producers: dict[str, list[str]] = {}
    for node in design.nodes:
        for port in step_type_of(node).outputs:
            if port.kind is not PortKind.VALUE:
                producers.setdefault(port.kind.value, []).append(node.name)
    kind = _pick(rng, sorted(producers))
    source = design.node(rng.choice(producers[kind]))
    kinds = [p.kind.value for p in step_type_of(source).outputs if p.kind is not PortKind.VALUE]
    every = [k.value for k in PortKind if k is not PortKind.VALUE]
    count = rng.choice([0, 1, 1, 2])
    return source.name, {
        f"in{i}": rng.choice(kinds if rng.random() < 0.8 else every) for i in range(count)
    }


def function(rng: random.Random, design: Design, folder: Path):
    """A Python function step after a node, with ports and fixed arguments."""
    source, inputs = _file_inputs(rng, design)
    every = [k.value for k in PortKind]  # a value port is refused on a job
    outputs = {f"out{i}": rng.choice(every) for i in range(rng.choice([0, 1, 2]))}
    values = {
        "source_dir": str(folder),
        "function": rng.choice(["steps.py:run", "steps.py:run", "steps.py:missing"]),
        "input_ports": inputs,
        "output_ports": outputs,
        "arguments": rng.choice([{}, {"limit": "3"}, {"data": "x"}]),
    }
    name = f"Function{len(design.nodes)}"
    design = set_node_values(add_node(design, "PythonFunction", name), name, values)
    design = _edge(design, source, name)
    return design, f"{name} after {source}: in {inputs}, out {outputs}", True


def lambda_call(rng: random.Random, design: Design, folder: Path):
    """A Lambda call after a node: deployed from the code folder (or by ARN alone, which
    cannot run in the sandbox), passing its inputs on; a gate on its ratio, or not."""
    source, inputs = _file_inputs(rng, design)
    by_arn = rng.random() < 0.2
    values = {
        "handler": "handlers.handle",
        "input_ports": inputs,
        "inputs": rng.choice([{}, {"min_rows": "10"}, {"in0": "1"}]),
        "outputs": rng.choice([{"rows": "Integer", "ratio": "Float"}, {"passed": "Boolean"}]),
        "output_ports": dict(inputs),
        **({"function_arn": "arn:aws:lambda:us-east-1:111122223333:function:theirs"} if by_arn
           else {"source_dir": str(folder)}),
    }  # fmt: skip
    name = f"Lambda{len(design.nodes)}"
    design = _edge(
        set_node_values(add_node(design, "LambdaCall", name), name, values), source, name
    )
    said = f"{name} after {source}{' by ARN' if by_arn else ''}: in {inputs}"
    if rng.random() < 0.5:
        gate, stop = f"RatioGate{len(design.nodes)}", f"Stop{len(design.nodes)}"
        design = add_node(add_node(design, "Condition", gate), "Fail", stop)
        gate_values = {
            "compare": rng.choice(["ratio", "ratio", "rows", "passed"]),
            "operator": rng.choice(["<=", ">"]),
            "threshold": 0.5,
        }
        design = _edge(_edge(set_node_values(design, gate, gate_values), name, gate), gate, stop)
        said += f"; {gate} on {gate_values['compare']} {gate_values['operator']} 0.5"
    return design, said, not by_arn


def plugin(rng: random.Random, design: Design, _: Path):
    """The test plug-in's step (FeatureFilter) after a data loading step."""
    if "FeatureFilter" not in REGISTRY:
        raise NotApplicable
    source = _pick(rng, _nodes(design, "DataLoading"))
    columns = rng.choice([list(FRAUD_COLUMNS), ["amount"], [], ["x" * 300]])
    name = f"Filter{len(design.nodes)}"
    design = add_node(design, "FeatureFilter", name)
    design = _edge(set_node_values(design, name, {"keep_columns": columns}), source, name)
    for child in design.dag().children(source):
        if child != name and rng.random() < 0.5:  # the filter feeds it instead
            design = _edge(_unedge(design, source, child), name, child)
    return design, f"{name} after {source}, keeping {columns}", False


def any_step(rng: random.Random, design: Design, _: Path):
    """A node of any registered step type after any node, with its defaults only."""
    step_type = rng.choice(REGISTRY.names())
    name = f"{step_type}{len(design.nodes)}"
    parent = _pick(rng, _nodes(design))
    design = _edge(add_node(design, step_type, name), parent, name)
    return design, f"{name} after {parent}", False


def connect_any(rng: random.Random, design: Design, _: Path):
    if len(design.nodes) < 2:
        raise NotApplicable
    source, target = rng.sample(_nodes(design), 2)
    if design.dag().would_create_cycle(source, target):
        raise NotApplicable
    return _edge(design, source, target), f"{source} -> {target}", True


def disconnect_any(rng: random.Random, design: Design, _: Path):
    source, target = _pick(rng, list(design.edges))
    return _unedge(design, source, target), f"removed {source} -> {target}", True


def remove_any(rng: random.Random, design: Design, _: Path):
    node = _pick(rng, _nodes(design))
    return remove_nodes(design, [node]), f"removed {node}", True


def rename_any(rng: random.Random, design: Design, _: Path):
    node = _pick(rng, _nodes(design))
    new = rng.choice(["Renamed", "with space", "x" * 60, f"{node}-2", "Ä-node"])
    return rename_node(design, node, new), f"renamed {node} to {new!r}", False


def field_value(rng: random.Random, design: Design, _: Path):
    """Any field of any node, to a value valid or not."""
    node = _pick(rng, list(design.nodes))
    specs = [s for s in form_fields(step_type_of(node).config_class) if s.kind != "json"]
    spec = rng.choice(specs)
    current = effective_values(design, node).get(spec.name, spec.default)
    value = random_value(rng, spec, current)
    design = set_node_values(design, node.name, {**node.values, spec.name: value})
    return design, f"{node.name}.{spec.name} = {_short(value)}", spec.name not in DATA_FIELDS


def parameter(rng: random.Random, design: Design, _: Path):
    """A field that a run may set, promoted to a parameter; its default changed or not."""
    node = _pick(rng, list(design.nodes))
    specs = [s for s in form_fields(step_type_of(node).config_class) if s.parameter]
    spec = _pick(rng, specs)
    name = rng.choice(["Param", "InstanceType", "Count", "bad name"])
    design = promote_field(design, node.name, spec.name, name)
    said = f"{node.name}.{spec.name} promoted to {name}"
    if rng.random() < 0.4:
        default = random_value(rng, spec, None)
        design = set_parameter_default(design, name, default)
        said += f", default {_short(default)}"
    return design, said, spec.name not in DATA_FIELDS


def settings(rng: random.Random, design: Design, _: Path):
    """A pipeline setting, to a value valid or not."""
    from builders.configs.base import BasePipelineConfig

    spec = rng.choice([s for s in form_fields(BasePipelineConfig) if s.kind != "json"])
    value = random_value(rng, spec, design.settings.get(spec.name))
    design = set_settings(design, {**design.settings, spec.name: value})
    return design, f"settings.{spec.name} = {_short(value)}", spec.name not in DATA_FIELDS


def transform_join(rng: random.Random, design: Design, _: Path):
    """A batch transform's Accept and whether it joins its input: SageMaker takes every
    combination with CSV input."""
    node = _pick(rng, _nodes(design, "BatchTransform"))
    values = dict(design.node(node).values)
    values["accept"] = rng.choice(["text/csv", "application/json"])
    values["join_source"] = rng.choice(["Input", "None"])
    said = f"{node}: accept {values['accept']}, join {values['join_source']}"
    return set_node_values(design, node, values), said, True


EDITS: list[tuple[str, Edit]] = [  # (name, edit), weighted by repetition
    *[("gate", gate)] * 3,
    *[("branches", branches)] * 2,
    *[("script", script)] * 3,
    *[("function", function)] * 2,
    *[("lambda", lambda_call)] * 2,
    *[("transform", transform_join)] * 2,
    *[("parameter", parameter)] * 2,
    *[("field", field_value)] * 3,
    ("settings", settings),
    ("plugin", plugin),
    ("step", any_step),
    ("connect", connect_any),
    ("disconnect", disconnect_any),
    ("remove", remove_any),
    ("rename", rename_any),
]


# -- values ----------------------------------------------------------------------------------
def random_value(rng: random.Random, spec: Any, current: Any) -> Any:
    """A value for a field: mostly one it may hold, else one of the wrong kind, empty, out
    of bounds, long, or with many entries."""
    kind = spec.kind
    if spec.optional and rng.random() < 0.1:
        return None
    if kind == "int":
        low = int(spec.ge if spec.ge is not None else (spec.gt + 1 if spec.gt is not None else 0))
        high = int(spec.le if spec.le is not None else (spec.lt - 1 if spec.lt is not None else 50))
        return rng.choice(
            [low, high, rng.randint(low, max(low, high)), low - 1, high + 1, 2**40, "ten"]
        )
    if kind == "float":
        low = spec.ge if spec.ge is not None else (spec.gt if spec.gt is not None else 0.0)
        high = spec.le if spec.le is not None else (spec.lt if spec.lt is not None else 1.0)
        return rng.choice([low, high, (low + high) / 2, low - 0.5, high + 0.5, "x"])
    if kind == "bool":
        return rng.choice([True, False, "maybe"])
    if kind == "choice":
        return rng.choice([*spec.options, *spec.options, "bogus"])
    if kind == "multichoice":
        options = list(spec.options)
        return rng.choice([rng.sample(options, k=min(len(options), 2)), [], ["bogus"]])
    if kind == "list":
        return rng.choice(
            [current, [], ["item"], ["a" * 300], [f"w{i}" for i in range(60)], "not a list"]
        )
    if kind == "dict":
        return rng.choice(
            [current, {}, {"KEY": "v"}, {f"K_{i}": "v" for i in range(101)},
             {"KEY": "v" * 300}, {"bad key!": "v"}]
        )  # fmt: skip
    if kind == "model":
        return current  # a group: its fields are set through its own edits
    return rng.choice(
        [current, "", "x", "a" * 300, "with space", "ok-name-123", "s3://my-ml-bucket/other/"]
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 48 else f"{text[:40]}... ({len(text)} chars)"


def _edge(design: Design, source: str, target: str) -> Design:
    if (source, target) in design.edges:
        return design
    return design.model_copy(update={"edges": (*design.edges, (source, target))})


def _unedge(design: Design, source: str, target: str) -> Design:
    return design.model_copy(
        update={"edges": tuple(e for e in design.edges if e != (source, target))}
    )
