"""Config question and answer: one question per required value still missing, written from the
field (name, description, type, bounds); answers are validated by the Config class.

Pipeline settings come first (they are asked once, for every node), then each node's own
fields. With a language model, one free-text answer may fill several values; they are shown
for confirmation and go through the same validation as typed answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from builders.assistant.models import AssistantError, LanguageModel, json_in, user
from builders.configs.base import BasePipelineConfig
from builders.configs.fields import FieldSpec, bounds_text, form_fields, parse_text
from builders.designs.design import (
    Design,
    effective_values,
    set_node_values,
    set_settings,
    validate_design,
)
from builders.graph.validation import validate_config
from builders.registry import REGISTRY, StepRegistry

_BASE_FIELDS = set(BasePipelineConfig.model_fields)


@dataclass(frozen=True)
class Question:
    node: str | None  # None: a pipeline setting
    path: str  # dotted path of the field ("hyperparameters.label_name")
    spec: FieldSpec
    text: str

    @property
    def key(self) -> str:
        return f"{self.node or 'settings'}:{self.path}"


def hint(spec: FieldSpec) -> str:
    """How to answer, from the field's type, bounds and choices."""
    bounds = bounds_text(spec)
    if spec.kind == "int":
        return f"a whole number{bounds}"
    if spec.kind == "float":
        return f"a number{bounds}"
    if spec.kind == "bool":
        return "yes or no"
    if spec.kind in ("choice", "multichoice"):
        many = "one or more of" if spec.kind == "multichoice" else "one of"
        return f"{many}: {', '.join(str(option) for option in spec.options)}"
    if spec.kind == "list":
        return "a list: one item per line, or separated by commas"
    if spec.kind == "dict":
        return "key=value pairs separated by commas, or a JSON object"
    if spec.kind in ("model", "json"):
        return "a JSON value"
    return "text"


def question_text(spec: FieldSpec, node: str | None, problem: str | None = None) -> str:
    where = f"for step {node}" if node else "for the pipeline (a setting every step shares)"
    about = f" {spec.description.rstrip('.')}." if spec.description else ""
    now = f" Now: {problem.rstrip('.')}." if problem and problem != "is required" else ""
    return f"{spec.label} {where}?{about}{now} Answer with {hint(spec)}."


def _missing(values: Mapping[str, Any], name: str) -> bool:
    return values.get(name) in (None, "", [], {})


def config_questions(
    config_class: type[BaseModel],
    values: Mapping[str, Any],
    node: str | None = None,
    exclude: set[str] | frozenset[str] = frozenset(),
    prefix: str = "",
    every: bool = False,
) -> list[Question]:
    """A question per required field of `config_class` missing from `values` (nested models
    included, field by field); with `every`, one per field, filled or not."""
    questions = []
    for spec in form_fields(config_class):
        if spec.name in exclude:
            continue
        path = prefix + spec.name
        nested = values.get(spec.name)
        if spec.kind == "model" and spec.model and (spec.required or isinstance(nested, dict)):
            inner = nested if isinstance(nested, dict) else {}
            questions += config_questions(spec.model, inner, node, prefix=f"{path}.", every=every)
        elif every or (spec.required and _missing(values, spec.name)):
            questions.append(Question(node, path, spec, question_text(spec, node)))
    return questions


def design_questions(
    design: Design, node: str | None = None, registry: StepRegistry = REGISTRY, every=False
) -> list[Question]:
    """A question per field the validation finds a problem with (the node badges' own
    problems: missing or invalid), settings first, then the nodes' fields (one node, or all
    in design order). With `every`, every field (what a free-text answer may fill).

    A shared field a node inherits is asked as a pipeline setting when the settings
    themselves lack it or hold a wrong value, else for the node (its value then overrides
    the setting: PyTorch training needs a code folder that other steps do not)."""
    if every:
        return _every_question(design, node, registry)
    settings_problems = validate_config(BasePipelineConfig, design.settings)[1]
    questions = _questions(BasePipelineConfig, design.settings, settings_problems, None)
    questions += _placeholder_questions(design.settings, {q.path for q in questions})
    asked = {q.path.split(".")[0] for q in questions}
    report = validate_design(design, registry)
    for each in design.nodes:
        if (node is not None and each.name != node) or each.step_type not in registry:
            continue
        problems = [
            p
            for p in report.for_node(each.name)
            if p.field and not (_head(p.field) in asked and _head(p.field) not in each.values)
        ]
        values = effective_values(design, each, registry)
        config_class = registry.get(each.step_type).config_class
        questions += _questions(config_class, values, problems, each.name)
    return list({q.key: q for q in questions}.values())


def _placeholder_questions(settings: Mapping[str, Any], asked: set[str]) -> list[Question]:
    """A question per setting of the user's AWS account (bucket, role) that still holds the
    example value a starter ships: valid, but not the user's."""
    from builders.starters import placeholders

    specs = {spec.name: spec for spec in form_fields(BasePipelineConfig)}
    return [
        Question(
            None,
            name,
            specs[name],
            question_text(
                specs[name],
                None,
                f"{settings[name]} is an example value from a starter, not one of your account's",
            ),
        )
        for name, examples in placeholders().items()
        if name not in asked and settings.get(name) in examples
    ]


def _head(path: str) -> str:
    return path.split(".")[0]


def _questions(config_class, values: Mapping[str, Any], problems, node: str | None):
    """The questions that answer `problems` (a field's own, or the fields of a missing
    group such as the hyperparameters); problems about no field (a port) are not asked."""
    questions = []
    for problem in problems:
        found = _field_at(config_class, problem.field or "")
        if found is None:
            continue
        path, spec = found
        if spec.kind == "model" and spec.model:
            inner = _value_at(values, path)
            questions += config_questions(
                spec.model, inner if isinstance(inner, dict) else {}, node, prefix=f"{path}."
            )
        else:
            text = question_text(spec, node, problem.message)
            questions.append(Question(node, path, spec, text))
    return questions


def _field_at(config_class, dotted: str) -> tuple[str, FieldSpec] | None:
    """(path, spec) of the field a problem's dotted path is about: the deepest field along
    it (`data_sources.1` is about data_sources), or None when it names no field."""
    path, spec, model = [], None, config_class
    for part in dotted.split("."):
        specs = {each.name: each for each in form_fields(model)} if model else {}
        if part not in specs:
            break
        spec = specs[part]
        path.append(part)
        model = spec.model if spec.kind == "model" else None
    return (".".join(path), spec) if spec else None


def _value_at(values: Mapping[str, Any], path: str) -> Any:
    for part in path.split("."):
        values = values.get(part) if isinstance(values, Mapping) else None
    return values


def _every_question(design: Design, node: str | None, registry: StepRegistry) -> list[Question]:
    questions = config_questions(BasePipelineConfig, design.settings, every=True)
    for each in design.nodes:
        if node is None or each.name == node:
            config_class = registry.get(each.step_type).config_class
            questions += config_questions(
                config_class, each.values, each.name, _BASE_FIELDS, every=True
            )
    return questions


# -- answers -----------------------------------------------------------------------------
_YES, _NO = {"yes", "y", "true", "on", "1"}, {"no", "n", "false", "off", "0"}


def parse_answer(spec: FieldSpec, text: str) -> Any:
    """What a person typed, as the field's raw value (anything unreadable kept as typed)."""
    text = text.strip()
    if spec.kind == "bool" and text.lower() in _YES | _NO:
        return text.lower() in _YES
    if spec.kind in ("list", "multichoice") and "\n" not in text and not text.startswith("["):
        text = "\n".join(part.strip() for part in text.split(","))
    if spec.kind == "dict" and not text.startswith("{"):
        pairs = [part.split("=", 1) for part in re.split(r"[,\n]", text) if "=" in part]
        return {k.strip(): v.strip() for k, v in pairs} or text
    return parse_text(spec, text)


def answer(design: Design, question: Question, value: Any, registry=REGISTRY) -> Design:
    """The design with `value` (a raw value) stored for the question; AnswerError when the
    Config class refuses it, with its message."""
    if question.node is None:
        settings = {**design.settings, question.path: value}
        _check(BasePipelineConfig, settings, question)
        return set_settings(design, settings)
    node = design.node(question.node)
    values = _with(node.values, question.path, value)
    config_class = registry.get(node.step_type).config_class
    inherited = effective_values(design, node, registry)
    _check(config_class, {**inherited, **values}, question)
    return set_node_values(design, node.name, values)


class AnswerError(AssistantError):
    """The answer does not fit the field; the message says why."""


def _check(config_class: type[BaseModel], values: Mapping[str, Any], question: Question):
    _, problems = validate_config(config_class, values, question.node)
    mine = [p for p in problems if p.field and (p.field + ".").startswith(question.path + ".")]
    if mine:
        raise AnswerError(
            "; ".join(p.message for p in mine), node=question.node, field=question.path
        )


def _with(values: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    if not rest:
        return {**values, head: value}
    inner = values.get(head) if isinstance(values.get(head), dict) else {}
    return {**values, head: _with(inner, rest, value)}


# -- several values from one free-text answer (with a language model) -----------------------
def extract_values(model: LanguageModel, questions: list[Question], text: str) -> dict[str, Any]:
    """The values a free-text answer gives, by question key; only keys asked for."""
    asked = {q.key: q for q in questions}
    fields = "\n".join(f"- {q.key}: {q.spec.label} ({hint(q.spec)})" for q in questions)
    system = (
        "You fill in configuration values for a SageMaker pipeline from what the user says. "
        "Reply with one JSON object mapping field keys to values, only for the values the "
        "user gave; never invent a value."
    )
    reply = model.ask(system, [user(f"Fields:\n{fields}\n\nThe user says: {text}")])
    found = json_in(reply)
    if not isinstance(found, dict):
        raise AssistantError("The model's answer was not a JSON object of field values.")
    return {key: _raw(asked[key].spec, value) for key, value in found.items() if key in asked}


def _raw(spec: FieldSpec, value: Any) -> Any:
    """A model's value as a raw value: text is read like a typed answer, JSON kept as is."""
    return parse_answer(spec, value) if isinstance(value, str) else value
