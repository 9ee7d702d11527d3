"""History tab: the case's audit events (who changed what, when), oldest first."""

from __future__ import annotations

import json


from workbench.core.queries.case_detail import CaseDetail, HistoryEntry
from workbench.ui.detail.rows_view import RowsView


def _short(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def change_text(entry: HistoryEntry) -> str:
    if entry.before is None and entry.after is None:
        return ""
    if entry.before is None:
        return _short(entry.after)
    return f"{_short(entry.before)} -> {_short(entry.after)}"


def history_rows(detail: CaseDetail | None) -> list[tuple[str, ...]]:
    if detail is None:
        return []
    return [(e.at_local, e.actor, e.action, e.entity or "", change_text(e)) for e in detail.history]


class HistoryView(RowsView):
    def __init__(self, parent=None) -> None:
        super().__init__(["Time", "Who", "Action", "Entity", "Change"], parent)

    def set_detail(self, detail: CaseDetail | None) -> None:
        tips = None
        if detail is not None:
            tips = [json.dumps({"before": e.before, "after": e.after}, indent=1, default=str)
                    for e in detail.history]
        self.model_.set_rows(history_rows(detail), tips=tips)
        if detail is not None:
            self.model_.set_header(0, f"Time ({detail.timezone})")
