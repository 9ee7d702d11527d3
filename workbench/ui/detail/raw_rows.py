"""Raw rows tab: each linked record's source row verbatim (column -> cell text), with the
file name and row number it came from."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from workbench.core.queries.case_detail import CaseDetail, system_label
from workbench.ui.detail.rows_model import RowsModel


def raw_rows(detail: CaseDetail | None) -> list[tuple[str, ...]]:
    if detail is None:
        return []
    rows = []
    for raw in detail.raw_rows:
        system = system_label(raw.system) + (" (duplicate)" if raw.is_duplicate else "")
        for column, value in raw.values.items():
            rows.append((system, raw.record_id, raw.file_name, str(raw.source_row), str(column),
                         "" if value is None else str(value)))
    return rows


class RawRowsView(QTableView):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model_ = RowsModel(["System", "Record", "File", "Row", "Column", "Value"], self)
        self.setModel(self.model_)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def set_detail(self, detail: CaseDetail | None) -> None:
        self.model_.set_rows(raw_rows(detail))
