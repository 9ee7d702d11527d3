"""Undo and redo of case work in the GUI: a QUndoStack over core `Changes`.

The core stays Qt-free: every casework call returns `Changes` whose `inverse` is a plain Op.
`CaseworkUndoStack.push_change(workbook, description, changes)` pushes a command that

* does nothing on the first redo (QUndoStack.push calls redo(); the change was already made),
* undoes with `casework.apply(workbook, inverse)` and keeps the result's own inverse to redo,
* redoes with that Op, and keeps the new inverse for the next undo (note ids etc. change).

Undo and redo are normal audited changes (the trail only grows), and optimistic like every other
change: the stack remembers the case versions its own changes left (`note_versions` lets a
panel add versions from changes it did not push, e.g. reviews), and an undo whose cases someone
else changed since fails with ConcurrentEditError instead of silently overwriting their work. After each undo/redo the
stack emits `casesChanged(list_of_case_ids)`; a core error (ConcurrentEditError, PeriodLocked,
PermissionDenied, ...) is emitted as `failed(str)` and the command is dropped from the stack
(nothing changed, so there is nothing left for it to undo or redo).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.core import casework
from workbench.core.casework import Changes, Op
from workbench.core.errors import WorkbenchError


class CaseworkCommand(QUndoCommand):
    """One undoable case-work change (already applied when pushed)."""

    def __init__(self, stack: "CaseworkUndoStack", workbook, description: str, changes: Changes) -> None:
        super().__init__(description)
        self._stack = stack
        self._workbook = workbook
        self._undo_op: Op | None = changes.inverse
        self._redo_op: Op | None = None
        self._case_ids = list(changes.case_ids)
        self._pushed = False

    def _run(self, op: Op | None) -> Changes | None:
        if op is None:
            self.setObsolete(True)
            self._stack.failed.emit(f"cannot {self.text()}: the change has no inverse")
            return None
        expected = self._stack.known_versions(self._case_ids)
        try:
            result = casework.apply(self._workbook, op, expected=expected or None)
        except (WorkbenchError, ValueError) as exc:
            self.setObsolete(True)     # nothing changed; QUndoStack drops an obsolete command
            self._stack.failed.emit(f"{self.text()}: {exc}")
            return None
        self._stack.note_versions(result.versions)
        if result.case_ids:
            self._case_ids = list(dict.fromkeys([*self._case_ids, *result.case_ids]))
        ids = list(result.case_ids) or self._case_ids
        self._stack.casesChanged.emit(ids)
        return result

    def redo(self) -> None:
        if not self._pushed:           # QUndoStack.push() calls redo(): the change is already done
            self._pushed = True
            return
        result = self._run(self._redo_op)
        if result is not None:
            self._undo_op = result.inverse
            if self._undo_op is None:    # nothing to undo next time (e.g. no case changed)
                self.setObsolete(True)

    def undo(self) -> None:
        result = self._run(self._undo_op)
        if result is not None:
            self._redo_op = result.inverse
            if self._redo_op is None:
                self.setObsolete(True)


class CaseworkUndoStack(QUndoStack):
    """QUndoStack of case-work changes; see the module docstring."""

    casesChanged = Signal(list)   # case ids touched by an undo or redo
    failed = Signal(str)          # one line from the core, never swallowed

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._versions: dict[int, int] = {}

    def note_versions(self, versions: dict[int, int]) -> None:
        """Case versions left by a change made through this window (pushed or not)."""
        self._versions.update({int(k): int(v) for k, v in versions.items()})

    def known_versions(self, case_ids) -> dict[int, int]:
        return {c: self._versions[c] for c in case_ids if c in self._versions}

    def push_change(self, workbook, description: str, changes: Changes) -> bool:
        """Record an already-applied change. False (and nothing pushed) if it has no inverse
        (nothing changed, or an irreversible act such as a review)."""
        if changes is None:
            return False
        self.note_versions(changes.versions)
        if changes.inverse is None:
            return False
        self.push(CaseworkCommand(self, workbook, description, changes))
        return True
