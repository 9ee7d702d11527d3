"""The case detail widget, driven for real (offscreen) on a hand-built workbook."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from test_detail_sample import build_sample
from workbench.ui.detail import CaseDetailWidget
from workbench.ui.detail.divergence import FIELD_KEYS
from workbench.ui.detail.side_by_side_model import DivergentRole

TIP = Qt.ItemDataRole.ToolTipRole


@pytest.fixture
def ids(workbook):
    return build_sample(workbook)


@pytest.fixture
def widget(qtbot, workbook):
    w = CaseDetailWidget()
    qtbot.addWidget(w)
    w.set_workbook(workbook)
    w.resize(1200, 800)
    return w


def _headers(model):
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def _cell(model, field, key):
    row = FIELD_KEYS.index(field)
    col = model.column_keys().index(key)
    return model.index(row, col)


def test_columns_duplicates_and_no_record(widget, ids):
    widget.show_case(ids["a"])
    assert _headers(widget.model) == ["Portal", "Processor", "Processor (duplicate)", "ERP",
                                      "Support (no record)"]
    assert widget.model.column_keys() == ["portal", "processor", "processor#dup1", "erp", "support"]
    dup = _cell(widget.model, "record_id", "processor#dup1")
    assert dup.data() == "re_1AAB"
    assert _cell(widget.model, "amount", "erp").data() == "84.99 USD"
    assert _cell(widget.model, "occurred_at", "erp").data() == "2026-11-01 00:30"


def test_highlights_exactly_the_cells_the_findings_name(widget, ids):
    widget.show_case(ids["a"])
    expected = {
        ("amount", "erp"),                                   # partial_receipt
        ("occurred_at", "processor"), ("occurred_at", "erp"),  # period_cutoff
        ("period", "processor"), ("period", "erp"),
        ("record_id", "processor"), ("amount", "processor"),  # duplicate_event: live ...
        ("record_id", "processor#dup1"), ("amount", "processor#dup1"),  # ... and the duplicate
    }
    assert widget.divergent_cells() == expected
    model = widget.model
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            key = (FIELD_KEYS[r], model.column_keys()[c])
            divergent = key in expected
            assert index.data(DivergentRole) is divergent
            # colour AND icon, never colour alone
            assert (index.data(Qt.ItemDataRole.BackgroundRole) is not None) == (
                divergent or model.columns()[c].record is None)
            has_icon = index.data(Qt.ItemDataRole.DecorationRole) is not None
            assert has_icon == (divergent or (model.columns()[c].record is None and r == 0))


def test_tooltips_explain_in_numbers(widget, ids):
    widget.show_case(ids["a"])
    model = widget.model
    tip = _cell(model, "amount", "erp").data(TIP)
    assert tip.splitlines()[0] == "ERP 84.99 vs Portal 99.99: -15.00 (15 % restocking fee)"
    tip = _cell(model, "occurred_at", "erp").data(TIP)
    assert "ERP 2026-11-01 00:30 vs Processor 2026-10-31 19:55" in tip
    assert "+4 h 35 min" in tip and "periods 2026-11 vs 2026-10" in tip
    tip = _cell(model, "amount", "processor#dup1").data(TIP)
    assert "Duplicate of Processor re_1AAA: same amount 99.99 USD, 6 min later" in tip


def test_missing_erp_names_the_handoff(widget, ids):
    widget.show_case(ids["b"])
    model = widget.model
    assert _headers(model) == ["Portal", "Processor", "ERP (no record)", "Support (no record)"]
    cell = _cell(model, "record_id", "erp")
    assert cell.data() == "No ERP record"
    assert _cell(model, "return_ref", "erp").data() == "Handoff: portal -> ERP middleware"
    assert cell.data(TIP).startswith(
        "No ERP record - portal -> ERP middleware should have posted a credit memo")
    assert widget.divergent_cells() == {("record_id", "erp")}


def test_tabs_show_timeline_diagnosis_raw_rows_history(widget, ids):
    widget.show_case(ids["a"])
    timeline = widget.timeline.model_.row_texts()
    assert timeline[0] == ("2026-10-29 10:05:11", "Portal", "84213", "return requested")
    assert ("2026-10-31 20:01:00", "Processor (duplicate)", "re_1AAB", "refund created") in timeline
    html = widget.diagnosis.toPlainText()
    assert "partial_receipt" in html and "ERP 84.99 = portal 99.99 - 15 % restocking fee (15.00)" in html
    assert "Check the RMA receipt in the WMS" in html and "needs IT" in html
    assert "Tags: restocking" in html and "Fee confirmed by returns desk." in html
    assert "Adjustment ERP amount: 84.99 USD -> 99.99 USD (fee_waived; journal JE-2026-10-77; pending)" in html
    raw = widget.raw_rows.model_.row_texts()
    assert ("Portal", "84213", "loop_returns_2026-10.csv", "2", "total", "99.99") in raw
    history = widget.history.model_.row_texts()
    assert [row[2] for row in history] == ["case.tag"]


def test_switching_and_clearing(widget, ids, qtbot):
    with qtbot.waitSignal(widget.case_shown) as blocker:
        widget.show_case(ids["b"])
    assert blocker.args == [ids["b"]]
    widget.show_case(None)
    assert widget.model.columnCount() == 0 and widget.model.rowCount() == 0
    assert widget.divergent_cells() == set()
    widget.show_case(123456)
    assert "no longer exists" in widget.header.text()


def test_dark_palette_keeps_highlight_readable(widget, ids):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 30))
    dark.setColor(QPalette.ColorRole.Text, QColor(230, 230, 230))
    widget.show_case(ids["a"])
    light_bg = _cell(widget.model, "amount", "erp").data(Qt.ItemDataRole.BackgroundRole)
    widget.setPalette(dark)
    dark_bg = _cell(widget.model, "amount", "erp").data(Qt.ItemDataRole.BackgroundRole)
    assert dark_bg.lightness() < 110 < light_bg.lightness()


def test_models_pass_qtmodeltester(widget, ids, qtmodeltester):
    widget.show_case(ids["a"])
    for model in (widget.model, widget.timeline.model_, widget.raw_rows.model_, widget.history.model_):
        qtmodeltester.check(model)
    widget.show_case(None)
    qtmodeltester.check(widget.model)


def test_copy_selected_cells_as_tab_separated_text(widget, ids, qtbot):
    from PySide6.QtGui import QGuiApplication

    widget.show_case(ids["a"])
    model = widget.model
    selection = widget.table.selectionModel()
    from PySide6.QtCore import QItemSelectionModel
    for key in ("portal", "erp"):
        selection.select(_cell(model, "amount", key), QItemSelectionModel.SelectionFlag.Select)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.table.setFocus()
    qtbot.waitUntil(widget.table.hasFocus)
    qtbot.keyClick(widget.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "\tPortal\tERP\nAmount\t99.99 USD\t84.99 USD"


def test_stale_ticket_update_is_read_against_the_latest_refund(widget, ids):
    widget.show_case(ids["c"])
    assert widget.divergent_cells() == {("stage", "support"), ("updated_at", "support")}
    tip = _cell(widget.model, "updated_at", "support").data(TIP)
    # 2026-10-05 11:30 UTC = 07:30 New York; the refund 2026-10-06 12:00 UTC = 08:00
    assert tip.splitlines()[0] == ("Support last updated 2026-10-05 07:30 vs the latest refund/credit "
                                   "(Processor 2026-10-06 08:00, America/New_York): -1 d")
    tip = _cell(widget.model, "stage", "support").data(TIP)
    assert tip.splitlines()[0] == "Support pending (pending) vs Portal refunded (closed)"
