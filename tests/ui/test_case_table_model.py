"""The case table model: qtmodeltester, lazy paged fetching, roles, stale marking."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from ui_case_factory import add_cases
from workbench.core.queries.case_list import PAGE_SIZE, case_ids
from workbench.core.store.models import Case
from workbench.ui.case_table_model import CaseIdRole, CaseTableModel, RawRole


def _model(workbook, tz="America/New_York"):
    model = CaseTableModel()
    model.set_workbook(workbook, tz)
    model.set_ids(case_ids(workbook))
    return model


def test_modeltester_empty_and_filled(qtmodeltester, workbook):
    model = CaseTableModel()
    qtmodeltester.check(model)
    add_cases(workbook, 30)
    model.set_workbook(workbook, "UTC")
    model.set_ids(case_ids(workbook))
    qtmodeltester.check(model)


def test_rows_are_fetched_lazily_one_page_per_select(workbook):
    add_cases(workbook, PAGE_SIZE * 2 + 10)
    model = _model(workbook)
    assert model.rowCount() == PAGE_SIZE * 2 + 10
    assert model.fetches == 0
    model.index(0, 0).data()
    model.index(PAGE_SIZE - 1, 3).data()
    assert model.fetches == 1
    assert not model.is_cached(model.case_id(PAGE_SIZE))
    model.index(PAGE_SIZE + 5, 0).data()
    assert model.fetches == 2
    # CaseIdRole and flags never fetch
    model.index(PAGE_SIZE * 2 + 5, 0).data(CaseIdRole)
    model.flags(model.index(PAGE_SIZE * 2 + 5, 0))
    assert model.fetches == 2


def test_display_raw_and_tooltip_roles(workbook):
    add_cases(workbook, 3)
    model = _model(workbook)
    amount = model.index(1, model.column_of("amount_minor"))
    assert amount.data() == "2.05 USD"
    assert amount.data(RawRole) == 205
    first = model.index(0, model.column_of("first_event_at"))
    # 2026-10-01 00:00 UTC is 2026-09-30 20:00 in New York (EDT)
    assert first.data() == "2026-09-30 20:00"
    assert first.data(RawRole) == datetime(2026, 10, 1, tzinfo=UTC)
    symptoms = model.index(0, model.column_of("symptoms"))
    assert symptoms.data() == "missing handoff"
    assert "portal -> ERP middleware" in symptoms.data(Qt.ItemDataRole.ToolTipRole)
    systems = model.index(0, model.column_of("systems_present"))
    assert "no record in: ERP, Support" in systems.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(2, model.column_of("symptoms")).data() == "clean"


def test_mark_stale_rereads_changed_rows(qtbot, workbook):
    ids = add_cases(workbook, 5)
    model = _model(workbook)
    col = model.column_of("status")
    assert model.index(2, col).data() == "open"
    with workbook.session() as s:
        s.get(Case, ids[2]).status = "resolved"
    assert model.index(2, col).data() == "open"          # cached until told
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.mark_stale([ids[2]])
    assert blocker.args[0].row() == 2 and blocker.args[1].row() == 2
    assert model.index(2, col).data() == "resolved"


def test_header_sort_asks_for_sql_sort(qtbot, workbook):
    model = _model(workbook)
    with qtbot.waitSignal(model.sortRequested) as blocker:
        model.sort(model.column_of("amount_minor"), Qt.SortOrder.DescendingOrder)
    assert blocker.args == ["amount_minor", True]
    with qtbot.assertNotEmitted(model.sortRequested):
        model.sort(model.column_of("tags"))


def test_long_lists_load_in_chunks_as_the_view_asks(qtmodeltester, workbook):
    add_cases(workbook, 25)
    model = CaseTableModel()
    model.chunk = 10
    model.set_workbook(workbook, "UTC")
    calls = []

    def more(offset, n):
        calls.append((offset, n))
        return case_ids(workbook, limit=n, offset=offset)

    model.set_ids(more(0, 10), more)
    assert model.rowCount() == 10 and model.canFetchMore() and not model.complete
    qtmodeltester.check(model)          # the tester fetches more as a view would
    while model.canFetchMore():
        model.fetchMore()
    assert model.complete and model.rowCount() == 25
    assert model.ids == case_ids(workbook)
    assert calls[0] == (0, 10) and (10, 10) in calls and (20, 10) in calls
    assert model.row_of(model.ids[24]) == 24


def test_a_short_first_chunk_is_the_whole_list(workbook):
    add_cases(workbook, 4)
    model = CaseTableModel()
    model.set_workbook(workbook, "UTC")
    model.set_ids(case_ids(workbook, limit=model.chunk), lambda o, n: case_ids(workbook, limit=n, offset=o))
    assert model.complete and not model.canFetchMore() and model.rowCount() == 4
