"""What a case-work operation returns (Anki-style OpChanges) and how to undo it.

Every operation returns `Changes`: the affected case ids (the GUI refreshes only those rows),
their new versions (pass them as `expected` to the next operation on the same cases), and
`inverse`, a plain `Op` that undoes it. The GUI's QUndoStack keeps Ops and calls
`casework.apply(workbook, op)` for undo and redo; the core stays Qt-free. The undo is itself a
normal, audited change (the trail is append-only: nothing is ever erased from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Op:
    """A replayable operation: the name of a casework function and its keyword arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def describe(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class Changes:
    case_ids: tuple[int, ...] = ()
    versions: dict[int, int] = field(default_factory=dict)
    inverse: Op | None = None
    created_id: int | None = None          # the new note / adjustment / review id, if any
    audit_seqs: tuple[int, ...] = ()
    settings_changed: bool = False

    def __bool__(self) -> bool:
        return bool(self.case_ids or self.audit_seqs)
