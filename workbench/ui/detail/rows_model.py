"""A small read-only table model over a list of plain rows (timeline, raw rows, history).

Each row is a tuple of display texts; an optional parallel list carries per-row tooltips and
a raw value per row (RawValueRole on column 0) so views and tests can reach the source object.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt

from workbench.ui.table_base import ReadOnlyTableModel

RawValueRole = Qt.ItemDataRole.UserRole


class RowsModel(ReadOnlyTableModel):
    def __init__(self, headers: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[tuple[str, ...]] = []
        self._tips: list[str | None] = []
        self._raw: list[object] = []

    def set_rows(self, rows: Sequence[Sequence[object]], tips: Sequence[str | None] | None = None,
                 raw: Sequence[object] | None = None) -> None:
        self.beginResetModel()
        width = len(self._headers)
        self._rows = [tuple("" if v is None else str(v) for v in row)[:width] + ("",) * (width - len(row))
                      for row in rows]
        self._tips = list(tips) if tips is not None else [None] * len(self._rows)
        self._raw = list(raw) if raw is not None else [None] * len(self._rows)
        self.endResetModel()

    def set_header(self, section: int, text: str) -> None:
        if 0 <= section < len(self._headers) and self._headers[section] != text:
            self._headers[section] = text
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, section, section)

    def row_texts(self) -> list[tuple[str, ...]]:
        return list(self._rows)

    def _column_labels(self):
        return self._headers

    def _row_total(self) -> int:
        return len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not self.checkIndex(index):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[index.row()] or self._rows[index.row()][index.column()] or None
        if role == RawValueRole and index.column() == 0:
            return self._raw[index.row()]
        return None
