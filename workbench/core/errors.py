"""The project's own errors. Every message is one line a user can act on."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: the CLI prints `str(err)` on one line and exits non-zero."""


class ImportFailure(WorkbenchError):
    """A file could not be imported. Names file, row, column, value and what was expected.

    Rows are 1-based as a spreadsheet shows them (the header is row 1 of a plain CSV).
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.reason = message
        parts = [file]
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column!r}")
        where = ", ".join(parts)
        text = f"{where}: {message}"
        if value is not None:
            shown = value if len(value) <= 60 else value[:57] + "..."
            text += f" (got {shown!r}"
            text += f", expected {expected})" if expected else ")"
        elif expected:
            text += f" (expected {expected})"
        super().__init__(text)


class UnrecognisedFile(ImportFailure):
    """No built-in or saved profile matches well enough, and the generic guess is too weak."""


class ImportCancelled(WorkbenchError):
    """The user cancelled a long operation; nothing was written."""


class PermissionDenied(WorkbenchError):
    """The current role may not do this (e.g. an auditor editing, a maker approving)."""


class PeriodLocked(WorkbenchError):
    """The case's accounting period is signed off; reopen it first."""


class ConcurrentEditError(WorkbenchError):
    """Someone else saved this case after you loaded it; refresh and try again."""


class AuditChainBroken(WorkbenchError):
    """The workbook's audit trail does not verify."""


class SchemaError(WorkbenchError):
    """The workbook's schema is newer than this program, or cannot be upgraded."""
