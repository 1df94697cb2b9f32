"""Undo and redo: a bounded history of Design snapshots.

A History holds the designs before the current one (`past`, oldest first) and those undone
(`future`, next first); the current design stays with the caller. It is immutable: every
operation returns a new History, so the caller decides what survives a rerun (the designer
keeps one per design in its session state). Designs are immutable and share unchanged nodes,
so a snapshot costs little more than the nodes an edit changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from builders.designs.design import Design

LIMIT = 100


@dataclass(frozen=True)
class History:
    past: tuple[Design, ...] = ()
    future: tuple[Design, ...] = ()
    limit: int = LIMIT

    @property
    def can_undo(self) -> bool:
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        return bool(self.future)

    def record(self, before: Design, after: Design) -> History:
        """The history once `before` became `after` by an edit: `before` can be restored
        with undo, and what was undone can no longer be redone. A no-op edit changes nothing;
        past the limit, the oldest snapshot goes."""
        if after == before:
            return self
        past = (*self.past, before)[-self.limit :] if self.limit > 0 else ()
        return replace(self, past=past, future=())

    def undo(self, current: Design) -> tuple[History, Design]:
        """(history, the design before the last edit); with nothing to undo, `current`."""
        if not self.past:
            return self, current
        restored = self.past[-1]
        return replace(self, past=self.past[:-1], future=(current, *self.future)), restored

    def redo(self, current: Design) -> tuple[History, Design]:
        """(history, the design the last undo left); with nothing to redo, `current`."""
        if not self.future:
            return self, current
        restored = self.future[0]
        return replace(self, past=(*self.past, current), future=self.future[1:]), restored
