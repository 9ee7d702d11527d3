"""Raw rows tab: each linked record's source row verbatim (column -> cell text), with the
file name and row number it came from."""

from __future__ import annotations

from workbench.core.queries.case_detail import CaseDetail, system_label
from workbench.ui.detail.rows_view import RowsView


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


class RawRowsView(RowsView):
    def __init__(self, parent=None) -> None:
        super().__init__(["System", "Record", "File", "Row", "Column", "Value"], parent)

    def set_detail(self, detail: CaseDetail | None) -> None:
        self.model_.set_rows(raw_rows(detail))
