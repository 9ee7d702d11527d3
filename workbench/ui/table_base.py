"""What every read-only table model of the window shares: rows x named columns, selectable but
not editable, rows numbered from 1 in the vertical header. Subclasses give `_column_labels()`
and `_row_total()` and their own `data()`."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt


class ReadOnlyTableModel(QAbstractTableModel):
    def _column_labels(self) -> Sequence[str]:
        raise NotImplementedError

    def _row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._row_total()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._column_labels())

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            labels = self._column_labels()
            return labels[section] if 0 <= section < len(labels) else None
        return str(section + 1) if 0 <= section < self._row_total() else None
