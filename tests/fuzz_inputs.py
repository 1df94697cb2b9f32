"""A seeded, bounded generator of bad config and DAG files (and command lines) for the CLI.

Each case starts from the xgboost starter, which is valid, and breaks it in one way of one
category; the same seed gives the same cases. Every case is small enough to write and run
in well under a second, except those meant to be large (1 MB strings, 20,000-deep nesting).
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from support import STARTERS

STARTER = STARTERS / "xgboost_end_to_end"
MB = 1024 * 1024
HUGE = "__HUGE_LITERAL__"  # replaced in the text: json.dumps cannot write such numbers


@dataclass
class Case:
    """One run's inputs: the file contents (or a special path), extra arguments."""

    category: str
    what: str
    config: bytes | str  # bytes to write, or a path to use as it is ("/dev/zero")
    dag: bytes | str
    extra: list[str] = field(default_factory=list)  # more compile arguments (--name, --out)
    out: str | None = None  # --out for compile; None: a fresh file


def base() -> tuple[dict, dict]:
    return (
        json.loads((STARTER / "config.json").read_text()),
        json.loads((STARTER / "dag.json").read_text()),
    )


def dump(document: Any, literal: str | None = None) -> bytes:
    text = json.dumps(document, ensure_ascii=False)
    if literal is not None:
        text = text.replace(json.dumps(HUGE), literal)
    return text.encode("utf-8", "surrogatepass")


def slots(document: dict) -> list[tuple[Any, Any]]:
    """(container, key) of every value under "configuration", for a mutation to replace."""
    found, stack = [], [document["configuration"]]
    while stack:
        container = stack.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            found.append((container, key))
            if isinstance(container[key], dict | list):
                stack.append(container[key])
    return found  # in the document's order: the same seed picks the same slots in every run


def numeric_slots(document: dict) -> list[tuple[Any, Any]]:
    return [
        (c, k)
        for c, k in slots(document)
        if isinstance(c[k], int | float) and not isinstance(c[k], bool)
    ]


def string_slots(document: dict) -> list[tuple[Any, Any]]:
    return [(c, k) for c, k in slots(document) if isinstance(c[k], str)]


# -- the categories ----------------------------------------------------------------------------
def deep_nesting(rng: random.Random) -> Case:
    config, dag = base()
    depth = rng.choice([65, 200, 1000, 20_000])
    opening, closing = rng.choice([("[", "]"), ('{"a": ', "}")])
    nested = opening * depth + '"x"' + closing * depth  # text: json.dumps would recurse
    where = rng.choice(["config value", "dag", "whole config"])
    if where == "config value":
        container, key = rng.choice(slots(config))
        container[key] = HUGE
        return Case("deep nesting", f"{depth} levels in a value", dump(config, nested), dump(dag))
    if where == "dag":
        dag["Payload"] = [HUGE]
        return Case("deep nesting", f"{depth} levels in the DAG", dump(config), dump(dag, nested))
    return Case("deep nesting", f"{depth} levels as the config", nested.encode(), dump(dag))


def huge_integers(rng: random.Random) -> Case:
    config, dag = base()
    digits = rng.choice([4301, 5000, 20_000])
    container, key = rng.choice(numeric_slots(config) + slots(config))
    container[key] = HUGE
    literal = rng.choice(["", "-"]) + "9" * digits
    return Case("huge integers", f"{digits} digits at {key}", dump(config, literal), dump(dag))


def numbers(rng: random.Random) -> Case:
    config, dag = base()
    container, key = rng.choice(numeric_slots(config))
    value = rng.choice(
        [-1, 0, -(2**31), 2**32, 2**63, 2**64 + 1, 10**300, 1e308, -1e308, 0.5, -0.0]
    )
    container[key] = value
    return Case("huge and negative numbers", f"{key} = {value!r:.30}", dump(config), dump(dag))


def nan_and_infinity(rng: random.Random) -> Case:
    config, dag = base()
    container, key = rng.choice(numeric_slots(config))
    token = rng.choice(["NaN", "Infinity", "-Infinity"])
    container[key] = HUGE
    target = rng.choice(["config", "dag"])
    if target == "dag":
        dag["Payload"] = [HUGE]
        return Case("NaN and Infinity", f"{token} in the DAG", dump(config), dump(dag, token))
    return Case("NaN and Infinity", f"{key} = {token}", dump(config, token), dump(dag))


def dag_parent_types(rng: random.Random) -> Case:
    config, dag = base()
    node = rng.choice(list(dag))
    parent = rng.choice([["Packaging"], {"a": "Packaging"}, 1, None, True, "", "x" * 300])
    dag[node] = rng.choice([[parent], parent])
    return Case(
        "DAG parents of wrong types", f"{node}: {str(parent)[:20]}", dump(config), dump(dag)
    )


def long_paths(rng: random.Random) -> Case:
    config, dag = base()
    value = rng.choice(
        [
            "i" * rng.choice([256, 300, 5000]),
            "a/" * 2100,
            "inference\u0000x",
            "~/.aws",
            "~/.ssh",
            "/",
            "~",
            "../../../../etc",
            "/dev/zero",
            "s3://" + "b" * 70 + "/code",
            "ünïcödé/\u202eevil",
        ]
    )
    node, key = rng.choice(
        [("Packaging", "source_dir"), ("TabularPreprocessing", "processing_source_dir"),
         ("XGBoostTraining", "training_source_dir"), ("Payload", "payload_script_path")]
    )  # fmt: skip
    config["configuration"]["specific"][node][key] = value
    return Case("long and odd paths", f"{node}.{key} = {value[:24]!r}", dump(config), dump(dag))


def wrong_types(rng: random.Random) -> Case:
    config, dag = base()
    container, key = rng.choice(slots(config))
    value = rng.choice([None, True, [], {}, [1, "a"], {"a": {"b": []}}, "text", 3, 2.5])
    container[key] = value
    if rng.random() < 0.2:  # whole sections of the wrong type
        section = rng.choice(["metadata", "configuration"])
        config[section] = rng.choice([[], "x", 1, None])
    return Case("wrong types", f"{key} = {value!r}", dump(config), dump(dag))


def big_strings(rng: random.Random) -> Case:
    config, dag = base()
    big = rng.choice(["x", "é", "🙂", "a-"]) * (MB // 4)
    where = rng.choice(["value", "key", "node name", "free text"])
    if where == "value":
        container, key = rng.choice(string_slots(config))
        container[key] = big
    elif where == "key":
        config["configuration"]["specific"]["Payload"][big] = 1
    elif where == "node name":
        config["metadata"]["config_types"][big] = "PayloadConfig"
        dag[big] = []
    else:  # accepted as it is: the compile goes through with it
        config["configuration"]["specific"]["ModelRegistration"]["model_description"] = big
    return Case("1 MB strings", f"in a {where}", dump(config), dump(dag))


UNICODE = ["é", "日本語", "🙂", "\u202e", "\u0301", "\u200b", "\ud800", "\U0010ffff", "\x00", "\n"]


def unicode(rng: random.Random) -> Case:
    config, dag = base()
    text = "".join(rng.choice(UNICODE) for _ in range(rng.randint(1, 12)))
    where = rng.choice(["value", "node name", "free text", "key"])
    if where == "value":
        container, key = rng.choice(string_slots(config))
        container[key] = container[key] + text
    elif where == "node name":
        name = "Payload" + text
        config["metadata"]["config_types"][name] = config["metadata"]["config_types"].pop("Payload")
        specific = config["configuration"]["specific"]
        specific[name] = specific.pop("Payload")
        dag[name] = dag.pop("Payload")
        dag["ModelRegistration"] = ["Packaging", name]
    elif where == "key":
        config["configuration"]["shared"][text] = 1
    else:
        config["configuration"]["specific"]["ModelRegistration"]["model_description"] = text
    return Case("unicode", f"{text!r} in a {where}", dump(config), dump(dag))


def duplicate_keys(rng: random.Random) -> Case:
    config, dag = base()
    text = dump(config).decode()
    target = rng.choice(['"author": ', '"Payload": {', '"shared": {', '"metadata": {'])
    if target.endswith("{"):
        text = text.replace(target, target + '"dup": 1, "dup": 2, ', 1)
    else:
        text = text.replace(target, target + '"x", ' + target, 1)
    if rng.random() < 0.3:
        return Case("duplicate keys", "in the DAG", dump(config), b'{"Payload": [], "Payload": []}')
    return Case("duplicate keys", f"at {target.strip()}", text.encode(), dump(dag))


def truncation(rng: random.Random) -> Case:
    config, dag = base()
    config_bytes, dag_bytes = dump(config), dump(dag)
    if rng.random() < 0.7:
        cut = rng.randrange(len(config_bytes))
        return Case("truncation", f"config cut at byte {cut}", config_bytes[:cut], dag_bytes)
    cut = rng.randrange(len(dag_bytes))
    return Case("truncation", f"DAG cut at byte {cut}", config_bytes, dag_bytes[:cut])


def encodings(rng: random.Random) -> Case:
    config, dag = base()
    text = json.dumps(config, ensure_ascii=False)
    encoding = rng.choice(["utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252", "utf-16-be"])
    data = (text + "é").encode(encoding, "replace")
    if rng.random() < 0.3:
        return Case(
            "BOMs and encodings",
            f"DAG as {encoding}",
            dump(config),
            json.dumps(dag).encode(encoding),
        )
    return Case("BOMs and encodings", f"config as {encoding}", data, dump(dag))


def binary(rng: random.Random) -> Case:
    config, dag = base()
    kind = rng.choice(["random", "gzip", "zeros", "png"])
    size = rng.choice([1, 100, 10_000, 2 * MB])
    data = {
        "random": bytes(rng.getrandbits(8) for _ in range(min(size, 20_000))),
        "gzip": gzip.compress(dump(config)),
        "zeros": bytes(size),
        "png": b"\x89PNG\r\n\x1a\n" + bytes(size),
    }[kind]
    if rng.random() < 0.3:
        return Case("binary", f"DAG is {kind}", dump(config), data)
    return Case("binary", f"config is {kind} ({len(data)} bytes)", data, dump(dag))


SPECIAL = ["/dev/zero", "/dev/urandom", "/dev/null", "{fifo}", "{folder}", "{missing}", "{link}"]


def special_files(rng: random.Random) -> Case:
    config, dag = base()
    path = rng.choice(SPECIAL)
    if rng.random() < 0.6:
        return Case("special files", f"config {path}", path, dump(dag))
    return Case("special files", f"DAG {path}", dump(config), path)


def structure(rng: random.Random) -> Case:
    config, dag = base()
    kind = rng.choice(
        ["no metadata", "unknown class", "extra node", "cycle", "self loop", "bad node name",
         "empty", "version", "unknown shared", "specific only", "missing node"]
    )  # fmt: skip
    specific, types = config["configuration"]["specific"], config["metadata"]["config_types"]
    if kind == "no metadata":
        del config["metadata"]
    elif kind == "unknown class":
        types["Payload"] = rng.choice(["NoSuchConfig", "", "BaseModel", "__class__"])
    elif kind == "extra node":
        dag["Ghost"] = ["Payload"]
    elif kind == "cycle":
        dag["DataLoadingTraining"] = ["BatchTransform"]
    elif kind == "self loop":
        dag["Payload"] = ["Payload"]
    elif kind == "bad node name":
        for document in (types, specific, dag):
            document["../x y"] = document.pop("Payload")
        dag["ModelRegistration"] = ["Packaging", "../x y"]
    elif kind == "empty":
        config, dag = rng.choice([({}, {}), ([], []), ("", ""), (None, None)])
    elif kind == "version":
        config["metadata"]["format_version"] = rng.choice(["2.0", "", "x", None, 1])
    elif kind == "unknown shared":
        config["configuration"]["shared"]["no_such_field"] = 1
    elif kind == "specific only":
        specific["Nobody"] = {"a": 1}
    else:
        del dag["Packaging"]
    return Case("structure", kind, dump(config), dump(dag))


def outputs_and_names(rng: random.Random) -> Case:
    config, dag = base()
    kind = rng.choice(["out folder", "out /dev/full", "out empty", "out under a file", "name"])
    if kind == "name":
        name = rng.choice(["../../x y", "n" * 100_000, "-x", "a_b", "日本", "x" * 257])
        return Case(
            "outputs and names",
            f"--name {name[:20]!r}",
            dump(config),
            dump(dag),
            [f"--name={name}"],
        )
    out = {"out folder": "{folder}", "out /dev/full": "/dev/full", "out empty": "",
           "out under a file": "{file}/x.json"}[kind]  # fmt: skip
    return Case("outputs and names", kind, dump(config), dump(dag), out=out)


CATEGORIES: list[Callable[[random.Random], Case]] = [
    deep_nesting, huge_integers, numbers, nan_and_infinity, dag_parent_types, long_paths,
    wrong_types, big_strings, unicode, duplicate_keys, truncation, encodings, binary,
    special_files, structure, outputs_and_names,
]  # fmt: skip


def cases(count: int, seed: int) -> list[Case]:
    """`count` cases, the categories taking turns, each drawn from its own seeded stream."""
    rng = random.Random(seed)
    return [CATEGORIES[index % len(CATEGORIES)](rng) for index in range(count)]
