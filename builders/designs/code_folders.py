"""Where a design's local code lives, and which of it lies outside the places the user chose.

An imported config (someone else's file, a download) names folders whose files are staged at
compile and uploaded at deploy. Staging refuses secrets and system folders
(builders.compiling.secret_files); a folder outside both the config's own folder and the
workspace is not refused (a monorepo keeps code beside its configs), but the user is told
about it before anything is staged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.configs.fields import form_fields

_URI = re.compile(r"^[a-z0-9]+://")


@dataclass(frozen=True)
class CodeLocation:
    node: str
    field: str
    path: Path  # resolved

    def describe(self, roots: Iterable[Path]) -> str:
        places = " and ".join(str(root) for root in roots)
        return (
            f"{self.node}'s {self.field} is {self.path}, outside {places}: its files are staged "
            "and uploaded at deploy. Check that it is the folder you mean."
        )


def code_locations(
    nodes: Mapping[str, tuple[type, Mapping[str, Any]]], base_dir: Path
) -> list[CodeLocation]:
    """The local paths of every node's LOCAL_PATH fields (`nodes`: node -> (Config class,
    values)), resolved as staging resolves them: against `base_dir`, `~` expanded."""
    found = []
    for node, (config_class, values) in nodes.items():
        for spec in form_fields(config_class):
            value = values.get(spec.name)
            if not spec.local_path or not isinstance(value, str) or not value.strip():
                continue
            if _URI.match(value):
                continue
            try:
                path = (base_dir / Path(value).expanduser()).resolve()
            except (OSError, RuntimeError, ValueError):
                continue  # staging says why it cannot be used
            found.append(CodeLocation(node, spec.name, path))
    return found


def outside(
    nodes: Mapping[str, tuple[type, Mapping[str, Any]]], base_dir: Path, roots: Iterable[Path]
) -> list[CodeLocation]:
    """The code locations that lie in none of `roots` (the config's folder, the workspace)."""
    resolved = [Path(root).resolve() for root in roots]
    return [
        location
        for location in code_locations(nodes, base_dir)
        if not any(location.path.is_relative_to(root) for root in resolved)
    ]


def design_outside(design: Any, roots: Iterable[Path], base_dir: Path | None = None) -> list:
    """`outside` for a design's nodes (raw values; relative paths against `base_dir`, the
    current folder by default, as compiling a design resolves them)."""
    from builders.designs.design import effective_values, step_type_of

    nodes = {
        node.name: (step_type_of(node).config_class, effective_values(design, node))
        for node in design.nodes
    }
    return outside(nodes, base_dir or Path.cwd(), roots)
