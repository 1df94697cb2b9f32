"""All configs of a pipeline in one JSON file: shared values once, the rest per node.

Layout: {"metadata": {"config_types": {node: ConfigClass}, "created_at", "format_version"},
         "configuration": {"shared": {...}, "specific": {node: {...}},
                           "parameters": {name: {"type", "default", "bound_to": [...]}}}}
"parameters" (pipeline parameters, see builders.configs.parameters) appears only when the
pipeline has some; each binding is {"node": ..., "field": ...}.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from builders.configs.base import BasePipelineConfig
from builders.configs.parameters import PipelineParameter, with_parameters
from builders.errors import ConfigFileError, ConfigValidationError, Problem
from builders.fileio import read_json, write_json_atomic
from builders.graph.validation import validate_config
from builders.registry import REGISTRY, StepRegistry

FORMAT_VERSION = "1.0"
WHAT = "config file"


def config_values(config: BaseModel) -> dict[str, Any]:
    """The values a user entered (defaults included), as JSON types; derived values left out."""
    return config.model_dump(mode="json", exclude_computed_fields=True)


def merge_configs(config_map: Mapping[str, BaseModel]) -> dict[str, Any]:
    """The one-file document for `config_map` (node name -> config)."""
    return merge_values(
        {node: (type(c).__name__, config_values(c)) for node, c in config_map.items()}
    )


def merge_values(
    entries: Mapping[str, tuple[str, Mapping[str, Any]]],
    parameters: Iterable[PipelineParameter] = (),
) -> dict[str, Any]:
    """The one-file document for node -> (Config class name, JSON values), and parameters."""
    values = {node: dict(node_values) for node, (_, node_values) in entries.items()}
    shared = _shared_values(values)
    specific = {
        node: {field: value for field, value in node_values.items() if field not in shared}
        for node, node_values in values.items()
    }
    configuration: dict[str, Any] = {"shared": shared, "specific": specific}
    declared = {p.name: _parameter_entry(p) for p in parameters}
    if declared:
        configuration["parameters"] = declared
    return {
        "metadata": {
            "config_types": {node: class_name for node, (class_name, _) in entries.items()},
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "format_version": FORMAT_VERSION,
        },
        "configuration": configuration,
    }


def _parameter_entry(parameter: PipelineParameter) -> dict[str, Any]:
    return {
        "type": parameter.type,
        "default": parameter.default,
        "bound_to": [b.model_dump() for b in parameter.bindings],
    }


def parameters_of(document: Any) -> tuple[PipelineParameter, ...]:
    """The pipeline parameters a config document declares (none when it has no section)."""
    _sections(document)  # the layout, checked
    declared = document["configuration"].get("parameters", {})
    if not isinstance(declared, dict):
        raise ConfigFileError(
            'configuration.parameters must map each parameter name to {"type", "default", '
            '"bound_to"}.'
        )
    return tuple(_parameter(name, entry) for name, entry in declared.items())


def _parameter(name: str, entry: Any) -> PipelineParameter:
    entry = entry if isinstance(entry, dict) else {}
    try:
        return PipelineParameter(
            name=name,
            type=entry.get("type"),
            default=entry.get("default"),
            bindings=tuple(entry.get("bound_to") or ()),
        )
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigFileError(
            f"configuration.parameters.{name} is not a parameter ({where}: {first['msg']}). "
            'Write {"type": "String", "default": ..., "bound_to": [{"node": ..., "field": ...}]}; '
            "the types are String, Integer, Float and Boolean.",
            field=name,
        ) from None


def _shared_values(values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Fields on which every config that has them agrees.

    Pipeline settings (BasePipelineConfig's fields) are shared whenever they agree; any other
    field only when at least two configs have it, so a step's own values stay with its node.
    """
    holders: dict[str, list[str]] = {}
    for node, node_values in values.items():
        for field in node_values:
            holders.setdefault(field, []).append(node)
    shared = {}
    for field, nodes in holders.items():
        if len(nodes) < 2 and field not in BasePipelineConfig.SHARED_FIELDS:
            continue
        # Order-sensitive: an input variable list in another order is another request.
        encoded = {json.dumps(values[node][field]) for node in nodes}
        if len(encoded) == 1:
            shared[field] = values[nodes[0]][field]
    return shared


def merge_and_save_configs(config_map: Mapping[str, BaseModel], path: str | os.PathLike) -> dict:
    """Write every config of `config_map` into one JSON file; returns the document."""
    document = merge_configs(config_map)
    write_json_atomic(path, document)
    return document


def load_configs(
    path: str | os.PathLike, registry: StepRegistry = REGISTRY
) -> dict[str, BasePipelineConfig]:
    """Read a file written by merge_and_save_configs back into equal config objects."""
    return configs_from_document(read_json(Path(path), WHAT), registry)


def configs_from_document(
    document: Any, registry: StepRegistry = REGISTRY
) -> dict[str, BasePipelineConfig]:
    """Build every config, or raise one ConfigValidationError listing every problem."""
    configs, problems = validate_document(document, registry)
    if problems:
        raise ConfigValidationError(problems)
    return configs


def validate_document(
    document: Any, registry: StepRegistry = REGISTRY
) -> tuple[dict[str, BasePipelineConfig], list[Problem]]:
    """The configs that are valid and the problems of the others (file structure first)."""
    classes, raw = node_values(document, registry)
    configs, problems = {}, []
    for node, values in raw.items():
        config, node_problems = validate_config(classes[node], values, node)
        problems.extend(node_problems)
        if config is not None:
            configs[node] = config
    return configs, problems


def node_values(
    document: Any, registry: StepRegistry = REGISTRY
) -> tuple[dict[str, type[BaseModel]], dict[str, dict[str, Any]]]:
    """Each node's Config class and raw values (shared values it has, then its own; a field
    bound to a pipeline parameter holds the parameter's default)."""
    config_types, shared, specific = _sections(document)
    classes = {
        node: registry.config_class_named(class_name, node=node)
        for node, class_name in config_types.items()
    }
    for node in specific:
        if node not in classes:
            raise ConfigFileError(
                f"'{node}' has values under configuration.specific but no entry in "
                "metadata.config_types. Add its Config class there or remove its values.",
                node=node,
            )
    unused = [f for f in shared if not any(f in c.model_fields for c in classes.values())]
    if unused:
        raise ConfigFileError(
            f"configuration.shared holds {', '.join(unused)}, which no step in the file has. "
            "Check the spelling or remove them.",
            field=unused[0],
        )
    raw = {
        node: {f: v for f, v in shared.items() if config_class.takes_shared(f)}
        | specific.get(node, {})
        for node, config_class in classes.items()
    }
    parameters = parameters_of(document)  # a bound field holds its parameter's default
    bound = {node: with_parameters(raw[node], node, classes[node], parameters) for node in raw}
    return classes, bound


def _sections(document: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, dict]]:
    """metadata.config_types, configuration.shared and configuration.specific, checked."""
    layout = (
        'A config file is a JSON object {"metadata": {"config_types": {...}}, '
        '"configuration": {"shared": {...}, "specific": {...}}}'
    )
    if not isinstance(document, dict):
        raise ConfigFileError(f"{layout}; this file holds a {type(document).__name__}.")
    metadata, configuration = document.get("metadata"), document.get("configuration")
    if not isinstance(metadata, dict) or not isinstance(configuration, dict):
        raise ConfigFileError(f"{layout}; this file lacks 'metadata' or 'configuration'.")
    version = str(metadata.get("format_version", FORMAT_VERSION))
    if version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
        raise ConfigFileError(
            f"This config file has format version {version}; this tool reads version "
            f"{FORMAT_VERSION}. Export it again with a matching version of the tool."
        )
    config_types = metadata.get("config_types")
    shared = configuration.get("shared", {})
    specific = configuration.get("specific", {})
    if not isinstance(config_types, dict) or not all(
        isinstance(v, str) for v in config_types.values()
    ):
        raise ConfigFileError(
            f"{layout}; metadata.config_types must map each node to its Config class name."
        )
    if not isinstance(shared, dict) or not isinstance(specific, dict):
        raise ConfigFileError(f"{layout}; 'shared' and 'specific' must be JSON objects.")
    for node, values in specific.items():
        if not isinstance(values, dict):
            raise ConfigFileError(
                f"configuration.specific.{node} must be a JSON object of field values.", node=node
            )
    return config_types, shared, specific
