"""The table view the timeline, raw-rows and history tabs share: a RowsModel with fixed
headers, whole-row selection, no editing, compact rows, last column stretched."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from workbench.ui.detail.rows_model import RowsModel


class RowsView(QTableView):
    def __init__(self, headers: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self.model_ = RowsModel(headers, self)
        self.setModel(self.model_)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
