"""Model-based test of editing: seeded random sequences of user actions through AppTest, the
design file checked after every action against an independent model (tests/editing_model.py).

Actions: add a step, connect (allowed or refused), disconnect (click, Remove connection),
move, type a field (valid or not; shared fields of a node go to the pipeline settings),
override and un-override a shared setting, promote a field to a pipeline parameter (new, shared
or refused), unbind it, type a parameter's default, rename (free or taken name), delete, import (a
starter's files, a taken name, a malformed file), undo and redo (the model keeps its own
history of files: every action that changed the file can be undone). After each action: the
saved file equals the model; the undo and redo buttons are enabled as it says; the canvas
shows the model's nodes and connections; its summary counts them and the ready badges; each
badge agrees with the validation of the model's design, and a node whose values its Config
refuses is never ready. Then two tabs (sessions) edit one design, interleaved: each one's
changes merge into the file, and one clash is offered back.

CI runs a fixed seed and 300 actions in all. Run longer by hand (N actions per start, N/4
in two tabs; the seed picks the sequence):

    .venv/bin/pytest tests/test_editing_model.py --actions 3000 --seed 7 -s
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from app_support import (
    add_step,
    app,
    button,
    canvas_edit,
    create_from_starter,
    design_of,
    open_sections,
    panel,
    panel_edit,
    panel_field,
    panel_message,
    shown,
    texts,
)
from editing_model import (
    INTS,
    TEXTS,
    Model,
    bindable,
    editable,
    is_setting,
    spec_named,
    value_for,
)
from streamlit.testing.v1 import AppTest
from support import STARTERS

from builders.designs.config_io import load_configs
from builders.designs.design import Design, validate_design
from builders.registry import REGISTRY

pytestmark = pytest.mark.actions(240)  # CI: 120 actions from each start, 60 in two tabs
DESIGNER, EXPORT = "pages/designer.py", "pages/export.py"
# The widget the node panel draws for a field of each kind, when its value fits it.
WIDGETS = {"text": "text", "int": "number", "float": "number", "choice": "select",
           "bool": "switch"}  # fmt: skip
MAX_NODES = 14


class Tab:
    """One browser tab: an AppTest session on the designer, and the file it edits."""

    def __init__(self, at: AppTest, space):
        self.at, self.space = at, space

    def canvas(self, **edit) -> None:
        """The user's actions on the canvas, sent as the component sends them."""
        canvas_edit(self.at, **edit)

    @property
    def design(self):
        return design_of(self.at)

    def select(self, node: str) -> None:
        if self.at.session_state["selected_node"] != node:
            self.canvas(selected=node)
        assert self.at.session_state["selected_node"] == node
        open_sections(self.at)

    def widget(self, node: str, spec):
        """The field's own widget in the node's panel, or None when the value is shown as
        typed text (it does not fit the field's widget) or the field is not drawn."""
        assert panel(self.at)["node"] == node
        found = panel_field(self.at, spec.name)
        return found if found is not None and found.widget == WIDGETS[spec.kind] else None

    def saved(self) -> dict:
        return json.loads(self.space.path(self.design.name).read_text())


# -- actions ---------------------------------------------------------------------------------
def add(tab: Tab, model: Model, rng: random.Random, view: set[str] | None = None) -> str:
    step_type = rng.choice(REGISTRY.names())
    # It follows a step of the design as this tab shows it (another tab's saves since are
    # taken up when the run ends).
    shown_before = Model(tab.design.model_dump(mode="json"))
    after = shown_before.feeder(step_type, tab.at.session_state["selected_node"])
    add_step(tab.at, step_type)
    taken = set(model.names) | (view or set())
    first = Model.free_name(step_type, view if view is not None else set(model.names))
    name = first if first not in model.names else Model.free_name(step_type, taken | {first})
    ui = next(n["ui"] for n in tab.saved()["nodes"] if n["name"] == name)
    model.add(name, step_type, ui, after)
    return f"add {step_type} as {name}"


def connect(tab: Tab, model: Model, rng: random.Random) -> str:
    pairs = [(s, t) for s in model.names for t in model.names if model.connectable(s, t)]
    if pairs and rng.random() < 0.7:
        source, target = rng.choice(pairs)
    else:
        source, target = rng.choice(model.names), rng.choice(model.names)
    if (source, target) in model.edges:
        return "skip"
    tab.canvas(add_edges=[(source, target)])
    allowed = model.connect(source, target)
    if not allowed:
        assert "refused:" in texts(tab.at) or source == target, texts(tab.at)
    return f"connect {source} → {target}" + ("" if allowed else " (refused)")


def disconnect(tab: Tab, model: Model, rng: random.Random) -> str:
    source, target = rng.choice(model.edges)
    tab.canvas(selected=f"{source}->{target}")
    button(tab.at, "Remove connection").click().run()
    model.disconnect(source, target)
    return f"disconnect {source} → {target}"


def move(tab: Tab, model: Model, rng: random.Random) -> str:
    name = rng.choice(model.names)
    x, y = float(rng.randrange(-400, 1200, 10)), float(rng.randrange(0, 1500, 10))
    tab.canvas(moves={name: (x, y)})
    model.move(name, x, y)
    return f"move {name}"


def edit(tab: Tab, model: Model, rng: random.Random) -> str:
    name = rng.choice(model.names)
    spec = rng.choice(editable(model.node(name)["step_type"]))
    tab.select(name)
    widget = tab.widget(name, spec)
    if widget is None:
        return "skip"
    typed = value_for(rng, spec, model.shown(name, spec))
    widget.set_value(typed).run()
    where = "settings" if model.target_of(name, spec) is model.file["settings"] else name
    model.type_value(name, spec, typed)
    return f"type {typed!r} into {name}.{spec.name} ({where})"


def override(tab: Tab, model: Model, rng: random.Random) -> str:
    name = rng.choice(model.names)
    step_type = model.node(name)["step_type"]
    shared = [s for s in editable(step_type) if is_setting(step_type, s)]
    overridden = [s for s in shared if model.overridden(name, s)]
    spec = rng.choice(overridden if overridden and rng.random() < 0.5 else shared)
    tab.select(name)
    on = not model.overridden(name, spec)
    shown_field = panel_field(tab.at, spec.name)  # drawn as a pipeline setting, with its switch
    assert shown_field.options["shared"] and shown_field.options["overridden"] != on
    panel_edit(tab.at, "override", field=spec.name, on=on)
    model.set_override(name, spec, on)
    return f"{'override' if on else 'un-override'} {name}.{spec.name}"


def rename(tab: Tab, model: Model, rng: random.Random) -> str:
    name = rng.choice(model.names)
    new = rng.choice([f" n{rng.randrange(100)} ", rng.choice(model.names), ""])
    tab.select(name)
    panel_edit(tab.at, "rename", name=new)
    renamed = model.rename(name, new)
    if not renamed and new.strip() != name:
        message = panel_message(tab.at, "rename")
        assert "already a node named" in message or "needs a name" in message
    return f"rename {name} to {new!r}" + ("" if renamed else " (refused)")


def delete(tab: Tab, model: Model, rng: random.Random) -> str:
    name = rng.choice(model.names)
    tab.select(name)
    panel_edit(tab.at, "delete")
    model.delete(name)
    return f"delete {name}"


def import_files(tab: Tab, model: Model, rng: random.Random) -> tuple[str, Model]:
    """Import a starter's files as a new design (it opens), or fail to with a taken name or
    a malformed file (nothing changes)."""
    starter = rng.choice(["xgboost_end_to_end", "pytorch_model_registration"])
    config = (STARTERS / starter / "config.json").read_bytes()
    case = rng.choice(["new", "new", "taken", "malformed"])
    name = {"new": f"imported {rng.randrange(10**6)}", "taken": f" {tab.design.name} "}.get(
        case, "broken"
    )
    at = tab.at.switch_page(EXPORT).run()
    at.file_uploader(key="import_config").set_value(
        ("config.json", b'{"metadata": ' if case == "malformed" else config, "application/json")
    )
    dag = (STARTERS / starter / "dag.json").read_bytes()
    at.file_uploader(key="import_dag").set_value(("dag.json", dag, "application/json"))
    at.text_input(key="import_name").input(name)
    button(at, "Import as a new design").click().run()
    if case != "new":
        assert "Nothing was imported" in texts(at)
        at.switch_page(DESIGNER).run()
        return f"import refused ({case})", model
    at.switch_page(DESIGNER).run()
    saved = tab.saved()
    imported = Model(saved)
    configs = load_configs(STARTERS / starter / "config.json")
    for node, config in configs.items():
        built = type(config).model_validate(imported.effective(node))
        assert built.model_dump(exclude={"source_dir"}) == config.model_dump(
            exclude={"source_dir"}
        ), node  # relative code folders stay as written: no folder to resolve them against
    dag_edges = {(p, n) for n, parents in json.loads(dag).items() for p in parents}
    assert set(imported.edges) == dag_edges and saved["name"] == name
    return f"import {starter} as {name!r}", imported


def promote(tab: Tab, model: Model, rng: random.Random) -> str:
    """Promote a free field to a new parameter or to an existing one (refused when the
    types differ)."""
    free = [
        (name, spec)
        for name in model.names
        for spec in bindable(model.node(name)["step_type"])
        if (name, spec.name) not in model.bound()
    ]
    if not free:
        return "skip"
    name, spec = rng.choice(free)
    parameter = rng.choice(["Count", "InstanceType", "Data", "Approval", "Other"])
    tab.select(name)
    offered = [free["field"] for free in panel(tab.at)["parameters"]["free"]]
    assert spec.name in offered, offered  # the panel offers the field for promotion
    panel_edit(tab.at, "promote", field=spec.name, parameter=parameter)
    promoted = model.promote(name, spec, parameter)
    if not promoted:
        assert "this field takes" in panel_message(tab.at, "promote"), panel(tab.at)
    return f"promote {name}.{spec.name} to {parameter}" + ("" if promoted else " (refused)")


def unbind(tab: Tab, model: Model, rng: random.Random) -> str:
    if not model.bound():
        return "skip"
    name, field = rng.choice(model.bound())
    tab.select(name)
    assert field in [bound["field"] for bound in panel(tab.at)["parameters"]["bound"]]
    assert panel_field(tab.at, field) is None  # a bound field leaves the form
    panel_edit(tab.at, "unbind", field=field)
    model.unbind(name, spec_named(model.node(name)["step_type"], field))
    return f"unbind {name}.{field}"


def set_default(tab: Tab, model: Model, rng: random.Random) -> str:
    if not model.bound():
        return "skip"
    name, field = rng.choice(model.bound())
    parameter = model.parameter_of(name, field)
    typed = rng.choice([*TEXTS, *map(str, INTS), "true", "ml.m5.2xlarge", "Approved"])
    tab.select(name)
    (bound,) = [b for b in panel(tab.at)["parameters"]["bound"] if b["field"] == field]
    assert bound["parameter"] == parameter["name"]
    if typed != bound["default"]:  # the box sends only a changed text
        panel_edit(tab.at, "default", field=field, parameter=bound["parameter"], text=typed)
    model.set_default(name, field, typed)
    return f"default of {parameter['name']} := {typed!r} (via {name}.{field})"


def undo(tab: Tab, model: Model, rng: random.Random) -> str:
    return _history_button(tab, "undo", model.undo)


def redo(tab: Tab, model: Model, rng: random.Random) -> str:
    return _history_button(tab, "redo", model.redo)


def _history_button(tab: Tab, key: str, step) -> str:
    """Undo or redo with the toolbar's button: disabled when the model has nothing to take."""
    if tab.at.button(key=key).disabled:
        assert not step(), f"{key} is disabled, but the model has something to {key}"
        return "skip"
    assert step(), f"{key} is enabled, but the model has nothing to {key}"
    tab.at.button(key=key).click().run()
    return key


ACTIONS = {add: 3, connect: 5, disconnect: 2, move: 1, edit: 8, override: 3, rename: 1,
           delete: 1, import_files: 0.2, undo: 2, redo: 1, promote: 1.5, unbind: 0.7,
           set_default: 1}  # fmt: skip


def choose(rng: random.Random, model: Model):
    weights = dict(ACTIONS)
    if len(model.names) >= MAX_NODES:
        weights[add] = 0
    if len(model.names) < 3:
        weights.update({add: 10, delete: 0})
    if not model.names:
        weights = {add: 1}
    if not model.edges:
        weights[disconnect] = 0
    actions, chances = zip(*weights.items(), strict=True)
    return rng.choices(actions, chances)[0]


# -- checks ----------------------------------------------------------------------------------
def check(tab: Tab, model: Model, step: str, history: bool = False) -> None:
    """The file, the canvas, its summary and the badges agree with the model; with
    `history` (one tab: the model's history is this tab's), the undo and redo buttons too."""
    assert not tab.at.exception, (step, tab.at.exception)
    assert tab.saved() == model.expected(), step
    if history:
        assert tab.at.button(key="undo").disabled == (not model.past), step
        assert tab.at.button(key="redo").disabled == (not model.future), step
    canvas = shown(tab.at)
    assert [n["id"] for n in canvas["nodes"]] == model.names, step
    drawn = sorted((e["source"], e["target"]) for e in canvas["edges"])
    assert drawn == sorted(model.edges), step
    ready = {n["id"] for n in canvas["nodes"] if n["status"] == "● ready"}
    steps, edges = len(model.names), len(model.edges)
    summary = (
        f"{len(ready)} of {steps} step{'s' * (steps != 1)} ready · "
        f"{edges} connection{'s' * (edges != 1)}"
    )
    assert summary in texts(tab.at), (step, summary)
    report = validate_design(Design.model_validate(model.expected()))
    for name in model.names:
        assert (name in ready) == (not report.for_node(name)), (step, name)
        config_class = REGISTRY.get(model.node(name)["step_type"]).config_class
        try:
            config_class.model_validate(model.effective(name))
        except ValueError:
            assert name not in ready, (step, name)  # invalid values: never shown ready


def run_actions(tab: Tab, model: Model, rng: random.Random, count: int, tally: Counter):
    for number in range(count):
        action = choose(rng, model)
        before = model.expected()
        if action is import_files:
            step, model = import_files(tab, model, rng)
        else:
            step = action(tab, model, rng)
            if action not in (undo, redo):
                model.record(before)
        model.log.append(step)
        tally[step.split(" ")[0]] += 1
        if step != "skip":
            check(tab, model, f"action {number}: {step}\n" + "\n".join(model.log[-8:]), True)
    return model


@pytest.mark.parametrize("start", ["empty", "xgboost_end_to_end"])
def test_random_edits_land_in_the_file(space, editing_budget, start):
    actions, seed = editing_budget
    rng = random.Random(f"{seed}:{start}")
    if start == "empty":
        at = app().switch_page("pages/designs.py").run()
        next(t for t in at.text_input if t.label == "Name").input("model")
        button(at, "Create").click().run()
        at = at.switch_page(DESIGNER).run()
    else:
        at = create_from_starter(app(), "model", start)
    tab = Tab(at, space)
    model = Model(tab.saved())
    tally: Counter = Counter()
    run_actions(tab, model, rng, actions // 2, tally)
    print(f"\n{start}: {sum(tally.values())} actions, seed {seed}: {dict(tally)}")


# -- two tabs, interleaved ---------------------------------------------------------------------
class Owned:
    """What each tab edits in the interleaved run, so that their changes never clash (the
    clash is tested on its own): nodes it added, every other step of the starter, and a
    share of the pipeline settings."""

    def __init__(self, model: Model, tabs: list[Tab]):
        self.nodes = {tab: set(model.names[i :: len(tabs)]) for i, tab in enumerate(tabs)}
        shares = [{"author", "region"}, {"service_name", "bucket"}]
        self.settings = dict(zip(tabs, shares, strict=True))

    def fields(self, tab: Tab, model: Model, name: str):
        step_type = model.node(name)["step_type"]
        return [
            s
            for s in editable(step_type)
            if not is_setting(step_type, s)
            or model.overridden(name, s)
            or s.name in self.settings[tab]
        ]


def test_two_tabs_interleaved_keep_each_others_changes(space, editing_budget):
    actions, seed = editing_budget
    rng = random.Random(f"{seed}:two tabs")
    first = Tab(create_from_starter(app(), "shared"), space)
    second = Tab(app().switch_page(DESIGNER).run(), space)
    tabs = [first, second]
    model = Model(first.saved())
    owned = Owned(model, tabs)
    seen = {tab: set(model.names) for tab in tabs}  # the node names each tab last showed
    tally: Counter = Counter()
    for number in range(actions // 4):
        tab = rng.choice(tabs)
        step = interleaved_action(tab, model, owned, seen[tab], rng)
        seen[tab] = set(model.names)  # the acting tab takes up the file at the end of its run
        tally[step.split(" ")[0]] += 1
        tally["merged with the other tab's save"] += "both are kept" in texts(tab.at)
        model.log.append(f"{'first' if tab is first else 'second'}: {step}")
        check(tab, model, f"action {number}: {model.log[-1]}\n" + "\n".join(model.log[-8:]))
    clash(first, second, model, owned)
    merged = tally.pop("merged with the other tab's save")
    print(
        f"\ntwo tabs: {sum(tally.values())} actions ({merged} merged), seed {seed}: {dict(tally)}"
    )


def interleaved_action(tab: Tab, model: Model, owned: Owned, seen: set[str], rng) -> str:
    mine = sorted(owned.nodes[tab] & set(model.names))
    choice = rng.choices(["add", "edit", "connect", "move", "look"], [2, 5, 3, 1, 1])[0]
    if choice == "add" or not mine:
        if len(model.names) >= MAX_NODES:
            tab.at.run()
            return "look"
        before = set(model.names)
        step = add(tab, model, rng, view=seen)
        owned.nodes[tab] |= set(model.names) - before
        return step
    if choice == "edit":
        name = rng.choice(mine)
        spec = rng.choice(owned.fields(tab, model, name))
        if tab.at.session_state["selected_node"] != name:
            tab.select(name)  # this run also takes up the other tab's saves
        found = tab.widget(name, spec)
        if found is None:  # not drawn as its own widget (a bound field): the tab just looks
            tab.at.run()
            return "look"
        typed = value_for(rng, spec, model.shown(name, spec))
        found.set_value(typed).run()
        model.type_value(name, spec, typed)
        return f"type {typed!r} into {name}.{spec.name}"
    if choice == "connect":
        pairs = [(s, t) for s in mine for t in mine if model.connectable(s, t)]
        if not pairs:
            tab.at.run()
            return "look"
        source, target = rng.choice(pairs)
        tab.canvas(add_edges=[(source, target)])
        model.connect(source, target)
        return f"connect {source} → {target}"
    if choice == "move":
        name = rng.choice(mine)
        x, y = float(rng.randrange(-400, 1200, 10)), float(rng.randrange(0, 1500, 10))
        tab.canvas(moves={name: (x, y)})
        model.move(name, x, y)
        return f"move {name}"
    tab.at.run()
    return "look"


def clash(first: Tab, second: Tab, model: Model, owned: Owned) -> None:
    """Both tabs type into one field: the first save stays, the second tab is told and may
    re-apply its value."""
    name = next(
        n for n in sorted(owned.nodes[first] & set(model.names))
        if any(s.kind == "int" for s in editable(model.node(n)["step_type"]))
    )  # fmt: skip
    spec = next(s for s in editable(model.node(name)["step_type"]) if s.kind == "int")
    for tab in (first, second):
        tab.select(name)
        tab.at.run()
    first.widget(name, spec).set_value(11).run()
    model.type_value(name, spec, 11)
    check(first, model, "clash: the first tab's value")
    second.widget(name, spec).set_value(12).run()
    assert "changed the same things at the same time" in texts(second.at)
    assert first.saved() == model.expected()  # the first save is kept
    button(second.at, "Re-apply my change").click().run()
    model.type_value(name, spec, 12)
    check(second, model, "clash: the second tab's value re-applied")
