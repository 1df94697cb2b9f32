"""Streamlit custom components v2 whose built files are served by URL, not inlined.

`st.components.v2.component(js=...)` takes inline code or a path inside an `asset_dir` that
an installed package declares in its pyproject.toml (read when the runtime starts). Inline
code would be sent with every script run (hundreds of kilobytes for a React bundle), and
this project runs from its folder (and is installed editable), where no manifest is found.
So each component declares its asset folder to the running runtime's component manager
itself, once per runtime (AppTest makes one per test), with the manifest types Streamlit
reads from pyproject.toml; the browser then loads the files once, from
/_stcore/bidi-components/<name>/<path>.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

PACKAGE = "sagemaker-pipeline-designer"  # pyproject.toml's project name


def v2_component(name: str, dist: Path, *, js: str, css: str | None = None) -> Callable[..., Any]:
    """The mount function of component `name` whose files are under `dist`."""
    if not (dist / js).exists():
        raise RuntimeError(f"{dist / js} is missing: build it (see {dist.parent}/README.md)")
    full = f"{PACKAGE}.{name}"
    manager = get_bidi_component_manager()
    if manager.get_component_asset_root(full) is None:
        manifest = ComponentManifest(
            name=PACKAGE, version="0", components=[ComponentConfig(name, dist.name)]
        )
        manager.register_from_manifest(manifest, dist.parent)
    return _mount(full, js, css)


@functools.cache
def _mount(full: str, js: str, css: str | None) -> Callable[..., Any]:
    return st.components.v2.component(full, js=js, css=css)
