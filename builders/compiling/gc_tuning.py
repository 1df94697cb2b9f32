"""Garbage-collector tuning for short-lived batch processes: opt-in, for the CLI and benchmarks.

A compile keeps thousands of objects alive until it ends; with the SDK and botocore's models
loaded, every full collection during it rescans them all (measured: 200 nodes took up to 30x
the time of 10 with collections, 20x without). A process that compiles once and exits can
freeze what is loaded and pause collections; a long-lived, multi-threaded server (the app)
must not pause them, but freezes once what its warm-up loaded (modules and models that live
as long as it does: the collection at exit took seconds after SIGTERM, see
benchmarks/shutdown.py). The library never calls these itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_loaded(*, collect: bool = True) -> None:
    """Hide what is loaded now (modules, service models, cached sessions) from the collector.

    Frozen objects are never freed: call it once, after the imports, in a process you own.
    `collect` frees the garbage first, for a process that lives on; one that compiles once and
    exits skips it (a full collection with the SDK loaded: ~150 ms, most of a CLI compile's
    own time).
    """
    if collect:
        gc.collect()
    gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No collection inside; the next one after it frees the garbage."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
