"""Plan a pipeline topology from a goal written in words.

With a language model, the model proposes the topology from the step catalog (each step
type's name, purpose and ports); a proposal that fails `check_proposal` goes back to the model
with the problems, a bounded number of times. Without one, the goal is matched against the
registry's names and descriptions: a starter design that has every matched step is trimmed to
them (its values come along); otherwise the matched steps are completed with the producers
their required inputs need and connected by port kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from builders.assistant.goal_values import gate_values
from builders.assistant.models import LanguageModel, assistant, json_in, user
from builders.assistant.topology import Proposal, check_proposal, parse_proposal
from builders.errors import PipelineDesignError, Problem
from builders.graph.dag import PipelineDAG
from builders.registry import REGISTRY, StepRegistry, StepType

MAX_ATTEMPTS = 3


@dataclass
class Plan:
    """The planner's outcome: a checked proposal, or the problems of the last attempt."""

    proposal: Proposal | None
    mode: str  # "model" or "offline"
    problems: list[Problem] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)  # what went wrong, attempt by attempt


def plan(
    goal: str,
    model: LanguageModel | None = None,
    registry: StepRegistry = REGISTRY,
    max_attempts: int = MAX_ATTEMPTS,
) -> Plan:
    if not goal.strip():
        return Plan(None, "model" if model else "offline", [Problem("Describe the goal first.")])
    if model is None:
        return plan_offline(goal, registry)
    return plan_with_model(goal, model, registry, max_attempts)


def with_goal_values(result: Plan, goal: str, registry: StepRegistry = REGISTRY) -> Plan:
    """The plan, its proposal carrying the values the goal states (a gate's metric,
    comparison and threshold) for the nodes they belong to."""
    proposal = result.proposal
    gate = gate_values(goal, registry)
    if proposal is None or not gate:
        return result
    values = dict(proposal.values)
    for node, step_type in proposal.step_types.items():
        if step_type in registry and registry.get(step_type).branch_field:
            values[node] = {**values.get(node, {}), **gate}
    result.proposal = replace(proposal, values=values)
    return result


# -- with a language model -------------------------------------------------------------------
def catalog(registry: StepRegistry = REGISTRY) -> str:
    """The step types as the model sees them: name, purpose, input and output ports."""
    lines = []
    for step_type in registry:
        ins = ", ".join(
            f"{p.name} ({p.kind.value}{'' if p.required else ', optional'})"
            for p in step_type.inputs
        )
        outs = ", ".join(f"{p.name} ({p.kind.value})" for p in step_type.outputs)
        lines.append(
            f"- {step_type.name}: {step_type.description} Inputs: {ins or 'none'}. "
            f"Outputs: {outs or 'none'}."
        )
    return "\n".join(lines)


def system_prompt(registry: StepRegistry = REGISTRY) -> str:
    return (
        "You design Amazon SageMaker pipelines from these step types only:\n"
        f"{catalog(registry)}\n\n"
        "An input accepts outputs of the same kind from a parent step. Every required input "
        "needs a parent that produces its kind; there must be no cycle.\n"
        'Answer with one JSON object only: {"steps": {"NODE": "StepType"}, "dag": {"NODE": '
        '["PARENT", ...]}}. Node names are unique, 1-50 letters, digits, - or _, and start '
        "with their step type (e.g. DataLoadingTraining, DataLoadingCalibration)."
    )


def plan_with_model(
    goal: str, model: LanguageModel, registry: StepRegistry = REGISTRY, max_attempts: int = 3
) -> Plan:
    """Ask, check, and send the problems back until a proposal passes or attempts run out."""
    messages = [user(f"Goal: {goal.strip()}")]
    result = Plan(None, "model")
    for _ in range(max_attempts):
        answer = model.ask(system_prompt(registry), messages)  # AssistantError propagates
        try:
            proposal = parse_proposal(json_in(answer), registry)
            problems = check_proposal(proposal, registry)
        except PipelineDesignError as error:
            proposal, problems = None, error.problems
        if proposal is not None and not problems:
            return with_goal_values(Plan(proposal, "model", attempts=result.attempts), goal)
        result.proposal, result.problems = proposal, problems
        result.attempts.append("; ".join(str(p) for p in problems))
        messages += [assistant(answer), user(_feedback(problems))]
    return result


def _feedback(problems: list[Problem]) -> str:
    listed = "\n".join(f"- {p}" for p in problems)
    return f"That proposal cannot be used:\n{listed}\nAnswer again with the corrected JSON only."


# -- offline ---------------------------------------------------------------------------------
_STOP = {
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "each", "for", "from", "in", "into",
    "is", "it", "its", "my", "of", "on", "one", "or", "our", "that", "the", "then", "this", "to",
    "use", "using", "will", "with",
}  # fmt: skip


def _stem(word: str) -> str:
    suffixes = ("rations", "ration", "ations", "ation", "ings", "ing", "ers", "er", "ed", "es")
    for suffix in (*suffixes, "s", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def words(text: str) -> set[str]:
    """Stems of the words of `text`; CamelCase names split into words."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)  # and unsplit: PyTorch, pytorch
    found = re.findall(r"[a-z0-9]+", spaced.lower()) + re.findall(r"[a-z0-9]+", text.lower())
    return {_stem(w) for w in found if w not in _STOP}


def match_step_types(goal: str, registry: StepRegistry = REGISTRY) -> dict[str, int]:
    """Step types the goal asks for, with scores. A type is asked for when the goal has a word
    of its name that is not generic (see _generic_words); framework and description words
    add to the score, which chooses among alternatives with the same outputs (XGBoost or
    PyTorch)."""
    goal_words = words(goal)
    generic = _generic_words(registry)
    scores = {}
    for step_type in registry:
        strong = words(step_type.name) | words(step_type.display_name)
        if not (strong - generic) & goal_words:
            continue
        described = words(step_type.description) - strong
        scores[step_type.name] = 2 * len(goal_words & strong) + len(goal_words & described)
    best: dict[tuple, str] = {}
    for name, score in scores.items():
        role = _role(registry.get(name))
        if role not in best or score > scores[best[role]]:
            best[role] = name
    return {name: scores[name] for name in best.values()}


def _role(step_type: StepType) -> tuple:
    """What a step type takes and makes: step types of one role are alternatives (XGBoost
    or PyTorch training); two that make nothing (a registration, a Fail step) are not."""
    return (
        tuple(sorted(p.kind.value for p in step_type.inputs)),
        tuple(sorted(p.kind.value for p in step_type.outputs)),
        step_type.ends_run,
    )


def _generic_words(registry: StepRegistry) -> set[str]:
    """Framework words, and words in the names of steps that are not alternatives to each
    other ("model" in XGBoost model and Model registration): alone they choose no step."""
    seen: dict[str, set[tuple]] = {}
    for step_type in registry:
        for word in words(step_type.name) | words(step_type.display_name):
            seen.setdefault(word, set()).add(_role(step_type))
    frameworks = {word for name in registry.framework_names() for word in words(name)}
    return frameworks | {word for word, groups in seen.items() if len(groups) > 1}


def plan_offline(goal: str, registry: StepRegistry = REGISTRY) -> Plan:
    wanted = match_step_types(goal, registry)
    if not wanted:
        return Plan(
            None,
            "offline",
            [
                Problem(
                    "The goal names no step this designer knows. Say what the pipeline should "
                    "do, e.g. 'load data from S3, train XGBoost, register the model with sample "
                    f"payloads'. Steps: {', '.join(t.display_name for t in registry)}."
                )
            ],
        )
    if gate_values(goal, registry):  # a gate the goal states: a condition decides
        gates = [t.name for t in registry if t.branch_field]
        if gates and not set(gates) & set(wanted):
            wanted[gates[0]] = 1
    proposal = _from_starter(goal, wanted, registry) or _composed(wanted, registry)
    plan = Plan(proposal, "offline", check_proposal(proposal, registry))
    return with_goal_values(plan, goal, registry)


def _from_starter(goal: str, wanted: dict[str, int], registry: StepRegistry) -> Proposal | None:
    """The starter that has every wanted step, trimmed to them and what they need."""
    from builders.starters import design_from_starter, starter_names

    goal_words = words(goal)
    covering = []
    for starter in starter_names():
        design = design_from_starter(starter, starter)
        types = {n.name: n.step_type for n in design.nodes}
        if set(wanted) <= set(types.values()):
            vocabulary = words(starter).union(*(words(t) for t in types.values()))
            covering.append((len(vocabulary & goal_words), starter, design, types))
    if not covering:
        return None
    _, starter, design, types = max(covering, key=lambda c: c[0])  # most words shared
    keep = set()
    for step_type in wanted:
        nodes = [n for n, t in types.items() if t == step_type]
        named = [n for n in nodes if words(n) - words(step_type) & goal_words]
        keep |= set(named or nodes[:1])  # a second one only when the goal names it
    dag = design.dag()
    for node in list(keep):
        keep |= _ancestors(dag, node)
    return Proposal(
        {n: [p for p in dag.parents(n) if p in keep] for n in dag.nodes if n in keep},
        {n: types[n] for n in keep},
        starter=starter,
        reason=f"Follows the starter design {starter}: it has every step the goal asks for "
        f"({', '.join(wanted)}), with the steps they need.",
    )  # fmt: skip


def _ancestors(dag: PipelineDAG, node: str) -> set[str]:
    found, todo = set(), list(dag.parents(node))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo += dag.parents(parent)
    return found


def _composed(wanted: dict[str, int], registry: StepRegistry) -> Proposal:
    """The wanted steps, plus a producer for every required input, connected by port kind."""
    types: dict[str, str] = {}
    todo = sorted(wanted, key=registry.names().index)
    while todo:
        name = todo.pop(0)
        types[name] = name
        for port in registry.get(name).inputs:
            have = [n for n in types if _produces(registry.get(types[n]), port.kind)]
            if port.required and not have and not port.config_field:
                producer = _producer_for(port.kind, wanted, registry)
                if producer and producer not in types and producer not in todo:
                    todo.append(producer)
    dag: dict[str, list[str]] = {n: [] for n in sorted(types, key=registry.names().index)}
    for node in dag:
        for port in registry.get(types[node]).inputs:
            source = _nearest_producer(node, port.kind, dag, types, registry)
            if source and source not in dag[node]:
                dag[node].append(source)
    _gated(dag, types, registry)
    return Proposal(
        dag,
        types,
        reason=f"Built from the steps the goal asks for ({', '.join(wanted)}), with a "
        "producer for every input they need.",
    )  # fmt: skip


def _gated(dag: dict[str, list[str]], types: dict[str, str], registry: StepRegistry) -> None:
    """With a condition, the steps after it in the catalog's order start its branches: each
    one whose parents all come before the condition follows it too (a Fail step, which
    follows nothing else, included)."""
    order = list(dag)
    conditions = [n for n in order if registry.get(types[n]).branch_field]
    if not conditions:
        return
    condition = conditions[0]
    after = order[order.index(condition) + 1 :]
    for node in after:
        if all(parent not in after for parent in dag[node]):
            dag[node].append(condition)


def _produces(step_type: StepType, kind) -> bool:
    return any(p.kind is kind for p in step_type.outputs)


def _producer_for(kind, wanted: dict[str, int], registry: StepRegistry) -> str | None:
    """The producer of `kind` to add: one of the framework the goal chose, else the first."""
    producers = [t.name for t in registry.producers_of(kind)]
    framework = {w for name in wanted for w in words(name)}
    fitting = [p for p in producers if words(p) & framework]
    return (fitting or producers or [None])[0]


def _nearest_producer(node, kind, dag, types, registry) -> str | None:
    """The producer of `kind` for `node` that comes last in registry order before it (a
    model step after its training step), never the node itself or a later step."""
    order = list(dag)
    before = [n for n in order[: order.index(node)] if _produces(registry.get(types[n]), kind)]
    return before[-1] if before else None
