"""Timeline tab: every event of every linked record, sorted by time, in the business zone."""

from __future__ import annotations

from workbench.core.queries.case_detail import CaseDetail, system_label
from workbench.ui.detail.rows_view import RowsView


def timeline_rows(detail: CaseDetail | None) -> list[tuple[str, ...]]:
    if detail is None:
        return []
    return [(e.at_local, system_label(e.system) + (" (duplicate)" if e.is_duplicate else ""),
             e.record_id, e.what) for e in detail.timeline]


class TimelineView(RowsView):
    def __init__(self, parent=None) -> None:
        super().__init__(["Time", "System", "Record", "Event"], parent)

    def set_detail(self, detail: CaseDetail | None) -> None:
        self.model_.set_rows(timeline_rows(detail),
                             raw=list(detail.timeline) if detail else None)
        if detail is not None:
            self.model_.set_header(0, f"Time ({detail.timezone})")
