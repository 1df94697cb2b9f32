"""Write requirements.txt: the app's dependencies and theirs, pinned as in constraints.txt.

    python tools/requirements.py          # write requirements.txt
    python tools/requirements.py --check  # exit 1 when it is out of date

For users who install with pip directly (`pip install -r requirements.txt`). The packages
are the closure of pyproject's [project.dependencies] over the installed distributions'
requirements (markers evaluated here); each version is constraints.txt's pin. Run it with
the project's .venv (`./dev requirements`).
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
HEADER = (
    "# Generated from pyproject.toml and constraints.txt by tools/requirements.py\n"
    "# (./dev requirements); do not edit. Install: pip install -r requirements.txt\n"
)


def pins(constraints: Path) -> dict[str, str]:
    found = {}
    for line in constraints.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[canonicalize_name(name)] = version.strip()
    return found


def closure(roots: list[str]) -> dict[str, str]:
    """canonical name -> the name as published, of `roots` and everything they require
    (with the extras asked for; markers evaluated for this machine)."""
    names: dict[str, str] = {}
    done: set[tuple[str, frozenset]] = set()
    pending = [Requirement(root) for root in roots]
    while pending:
        requirement = pending.pop()
        key, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (key, extras) in done:
            continue
        done.add((key, extras))
        distribution = metadata.distribution(requirement.name)
        names[key] = distribution.metadata["Name"]
        for raw in distribution.requires or ():
            child = Requirement(raw)
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in (*extras, "")
            ):
                pending.append(child)
    return names


def project_dependencies() -> list[str]:
    """pyproject's [project.dependencies], as the installed project declares them (./dev
    installs it again whenever pyproject.toml changes)."""
    declared = metadata.distribution("sagemaker-pipeline-designer").requires or []
    return [raw for raw in declared if "extra ==" not in raw]


def render() -> str:
    pinned = pins(REPO / "constraints.txt")
    names = closure(project_dependencies())
    missing = sorted(name for name in names if name not in pinned)
    if missing:
        raise SystemExit(f"constraints.txt has no pin for: {', '.join(missing)}")
    lines = [f"{names[key]}=={pinned[key]}" for key in sorted(names)]
    return HEADER + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when it is out of date")
    args = parser.parse_args(argv)
    target = REPO / "requirements.txt"
    text = render()
    if args.check:
        current = target.read_text() if target.exists() else ""
        if current != text:
            print("requirements.txt is out of date: run ./dev requirements", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
