"""Models of the import dialog: the files (detected system, profile, confidence, status) and
the preview of a file's first rows read through its (possibly corrected) mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QStyle

from workbench.core.canonical import SYSTEM_LABELS
from workbench.ui.table_base import ReadOnlyTableModel

RawValueRole = Qt.ItemDataRole.UserRole


@dataclass
class FileEntry:
    """One file of the dialog. `detection` is ingest's Detection (None until detected or when
    detection failed); `mapping` is the role -> header mapping the user confirmed/corrected."""

    path: Path
    detection: object | None = None
    error: str | None = None            # detection or import error (one line)
    error_detail: dict = field(default_factory=dict)   # file/row/column/value/expected
    mapping: dict[str, str] = field(default_factory=dict)
    edited: bool = False                # the user changed the detected mapping
    chosen_system: str | None = None    # the system the user chose (None: as detected)
    chosen_profile: object | None = None  # a Profile the user chose to read the file as
    profile_name: str | None = None     # saved profile to import with (name or TOML path)
    status: str = ""

    @property
    def system(self) -> str | None:
        return self.chosen_system or getattr(self.detection, "system", None)

    @property
    def confidence(self) -> float | None:
        return getattr(self.detection, "confidence", None)

    @property
    def detected_profile(self) -> str | None:
        profile = getattr(self.detection, "profile", None)
        return getattr(profile, "name", None)

    def profile_text(self) -> str:
        if self.profile_name:
            name = self.profile_name
            shown = Path(name).stem if name.lower().endswith(".toml") else name
            return f"{shown} (saved)"
        if self.detection is None:
            return ""
        if self.chosen_profile is not None:
            name = f"{self.chosen_profile.name} (chosen)"
            return f"{name[:-1]}, edited)" if self.edited else name
        name = self.detected_profile or "generic guess"
        return f"{name} (edited)" if self.edited else name


class ImportFilesModel(ReadOnlyTableModel):
    HEADERS = ("File", "System", "Profile", "Confidence", "Status")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[FileEntry] = []

    def entries(self) -> list[FileEntry]:
        return list(self._entries)

    def entry(self, row: int) -> FileEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, path: Path) -> int:
        for row, e in enumerate(self._entries):
            if e.path == path:
                return row
        return -1

    def add(self, entry: FileEntry) -> int:
        existing = self.row_of(entry.path)
        if existing >= 0:
            self._entries[existing] = entry
            self.entry_changed(existing)
            return existing
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._entries[row]
            self.endRemoveRows()

    def entry_changed(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def _column_labels(self):
        return self.HEADERS

    def _row_total(self) -> int:
        return len(self._entries)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not self.checkIndex(index):
            return None
        e = self._entries[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return e.path.name
            if col == 1:
                return SYSTEM_LABELS.get(e.system, e.system or "") if e.system else ""
            if col == 2:
                return e.profile_text()
            if col == 3:
                return "" if e.confidence is None else f"{e.confidence:.0%}"
            return e.error or e.status
        if role == RawValueRole:
            return (e.path, e.system, e.detected_profile, e.confidence, e.error)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return str(e.path)
            if col == 4 and e.error:
                return e.error
            if col == 2 and e.detection is not None:
                notes = getattr(e.detection, "notes", None) or []
                alts = getattr(e.detection, "alternatives", None) or []
                lines = [f"{name}: {conf:.0%}" for name, conf in alts]
                return "\n".join((["Alternatives:"] + lines if lines else []) + list(notes)) or None
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == 4 and e.error:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                return app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and e.confidence is not None \
                and e.confidence < 0.6:
            return QGuiApplication.palette().color(QGuiApplication.palette().ColorRole.Link)
        return None


class PreviewModel(ReadOnlyTableModel):
    """A read-only grid of preview texts (headers + rows)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []

    def set_table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.beginResetModel()
        self._headers = [str(h) for h in headers]
        width = len(self._headers)
        self._rows = [[("" if v is None else str(v)) for v in list(r)[:width]] + [""] * (width - len(r))
                      for r in rows]
        self.endResetModel()

    def headers(self) -> list[str]:
        return list(self._headers)

    def rows(self) -> list[list[str]]:
        return [list(r) for r in self._rows]

    def _column_labels(self):
        return self._headers

    def _row_total(self) -> int:
        return len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not self.checkIndex(index):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        return None
