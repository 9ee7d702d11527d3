"""Import dialog, driven for real offscreen: detection, preview, mapping saved as a profile,
background import with progress, errors with file/row/column and an unchanged cache, cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from sqlalchemy import func, select

from workbench.core.errors import UnrecognisedFile
from workbench.core.store.models import ImportBatch, SourceRecord
from workbench.ui.import_dialog import ImportDialog

LOOP_HEADER = ("id,state,return_type,created_at,updated_at,order_id,order_name,customer,currency,"
               "total,handling_fee,refund,outcome,channel,product_type")
LOOP_ROWS = [
    "84213,closed,refund,2026-10-03T14:05:11Z,2026-10-05T10:00:00Z,5550001,#1001,ann@example.com,USD,"
    "99.99,0.00,99.99,refund,online,shoes",
    "84214,open,refund,2026-10-04T09:00:00Z,2026-10-04T09:00:00Z,5550002,#1002,bob@example.com,USD,"
    "45.50,0.00,45.50,refund,online,shirts",
]
STRIPE = """id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC),Transfer Group,return_id (metadata),order_id (metadata)
txn_1,refund,re_1AAA,-99.99,0.00,-99.99,usd,2026-10-03 15:05,2026-10-03 15:05,Refund for return 84213,-99.99,usd,,,,84213,1001
txn_2,charge,ch_1,120.00,3.78,116.22,usd,2026-10-01 10:00,2026-10-03 10:00,Order 1001,120.00,usd,,,,,1001
"""
# a layout no built-in profile knows (an in-house returns tracker)
CUSTOM = """Ticket,Return Number,Shop Order,Buyer,Refunded EUR,Opened
T-1,R-900,O-77,cy@example.com,12.50,2026-10-07 12:00
T-2,R-901,O-78,di@example.com,8.00,2026-10-08 13:30
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    loop = _write(tmp_path / "loop_returns_2026-10.csv", "\n".join([LOOP_HEADER, *LOOP_ROWS]) + "\n")
    stripe = _write(tmp_path / "stripe_balance_transactions_2026-10.csv", STRIPE)
    return [loop, stripe]


class ReconcileSpy:
    def __init__(self):
        self.calls = []

    def __call__(self, workbook, job=None, imported=None):
        self.calls.append(threading.current_thread() is threading.main_thread())
        return SimpleNamespace(changed_case_ids=[7, 8])


def _records(workbook) -> int:
    with workbook.sessions() as s:
        return s.execute(select(func.count()).select_from(SourceRecord)).scalar_one()


def _dialog(qtbot, workbook, paths=None, **kw):
    d = ImportDialog(workbook, paths, **kw)
    qtbot.addWidget(d)
    if paths:
        assert [e.status for e in d.files.entries()] == ["detecting..."] * len(paths)
        assert not d.import_button.isEnabled()      # not before every file is detected
    qtbot.waitUntil(lambda: d.pending_detections == 0, timeout=20_000)
    return d


def _row(d, row):
    m = d.files
    return [m.index(row, c).data() for c in range(m.columnCount())]


def test_detects_each_file_with_system_profile_confidence(qtbot, workbook, files, qtmodeltester):
    d = _dialog(qtbot, workbook, files, reconcile_fn=ReconcileSpy())
    assert _row(d, 0)[:4] == ["loop_returns_2026-10.csv", "Portal", "loop_returns", "100%"]
    name, system, profile, confidence, status = _row(d, 1)
    assert (system, profile, status) == ("Processor", "stripe_balance_transactions", "ready")
    assert int(confidence.rstrip("%")) >= 90
    # the selected file (the last added) previews through its profile: only the refund row,
    # amount made positive, time in the business zone
    assert d.preview.headers()[:2] == ["Record id", "Return / RMA"]
    rows = d.preview.rows()
    assert len(rows) == 1
    assert rows[0][0] == "re_1AAA" and rows[0][5] == "99.99 USD" and rows[0][9] == "2026-10-03 11:05"
    assert d.mapping.combos["refund_ref"].currentText() == "Source"
    qtmodeltester.check(d.files)
    qtmodeltester.check(d.preview)


def test_import_runs_in_background_and_reports_changed_cases(qtbot, workbook, files):
    spy = ReconcileSpy()
    d = _dialog(qtbot, workbook, files, reconcile_fn=spy)
    with qtbot.waitSignal(d.imported, timeout=20_000) as blocker:
        d.import_button.click()
        assert d.progress.isVisibleTo(d) or d.task.is_finished   # progress shown while it runs
        assert not d.import_button.isEnabled() or d.task.is_finished
    assert blocker.args == [[7, 8]]
    assert d.result() == d.DialogCode.Accepted
    assert spy.calls == [False]                     # reconcile ran off the UI thread
    with workbook.sessions() as s:
        systems = dict(s.execute(select(SourceRecord.system, func.count()).group_by(SourceRecord.system)).all())
    assert systems == {"portal": 2, "processor": 1}
    assert [f.status for f in d.result_summary.files] == ["imported", "imported"]


def test_import_error_names_file_row_column_and_writes_nothing(qtbot, workbook, files, tmp_path):
    bad_rows = [LOOP_ROWS[0], LOOP_ROWS[1].replace(",45.50,refund,", ",4x.50,refund,")]
    bad = _write(tmp_path / "loop_bad.csv", "\n".join([LOOP_HEADER, *bad_rows]) + "\n")
    spy = ReconcileSpy()
    d = _dialog(qtbot, workbook, [files[1], bad], reconcile_fn=spy)
    d.import_button.click()
    qtbot.waitUntil(lambda: d.task.is_finished, timeout=20_000)
    text = d.error_text()
    assert "nothing was written" in text
    assert "File: loop_bad.csv" in text and "Row: 3" in text and "Column: refund" in text
    assert "Value: '4x.50'" in text
    assert d.result() != d.DialogCode.Accepted and d.isEnabled()
    assert _row(d, 1)[4].startswith("loop_bad.csv, row 3, column 'refund'")
    assert _row(d, 0)[4] == "not imported"
    assert _records(workbook) == 0 and spy.calls == []
    with workbook.sessions() as s:
        assert s.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 0


def test_mapping_correction_saved_as_profile_then_imported(qtbot, workbook, tmp_path):
    from workbench.core.ingest import get_profile

    custom = _write(tmp_path / "tracker_export.csv", CUSTOM)
    d = _dialog(qtbot, workbook, [custom], reconcile_fn=ReconcileSpy())
    entry = d.current_entry()
    assert entry.detection.profile is None            # no built-in profile knows it
    assert "not recognised" in _row(d, 0)[4]
    # importing a guess nobody confirmed is refused
    d.import_button.click()
    assert "was not recognised" in d.error_text() and d.task is None
    # the user corrects the mapping
    idx = d.mapping.system.findData("portal")
    d.mapping.system.setCurrentIndex(idx)
    for role in list(d.mapping.mapping()):
        d.mapping.set_role(role, None)
    d.mapping.set_role("record_id", "Return Number")
    d.mapping.set_role("order_ref", "Shop Order")
    d.mapping.set_role("customer", "Buyer")
    d.mapping.set_role("amount", "Refunded EUR")
    d.mapping.set_role("occurred_at", "Opened")
    assert _row(d, 0)[2] == "generic guess (edited)"
    rows = d.preview.rows()
    assert [r[0] for r in rows] == ["R-900", "R-901"] and rows[0][4] == "cy@example.com"
    d.profile_name.setText("tracker_returns")
    saved = d.save_profile()
    assert saved and Path(saved).name == "tracker_returns.toml" and Path(saved).exists()
    assert _row(d, 0)[2] == "tracker_returns (saved)"
    profile = get_profile("tracker_returns")
    assert profile.system == "portal"
    assert dict(profile.columns)["record_id"] == ("Return Number",)
    assert dict(profile.columns)["amount"] == ("Refunded EUR",)
    assert "kind" not in profile.columns
    with qtbot.waitSignal(d.imported, timeout=20_000):
        d.import_button.click()
    with workbook.sessions() as s:
        recs = s.execute(select(SourceRecord.record_id, SourceRecord.amount_minor, SourceRecord.profile)
                         .order_by(SourceRecord.record_id)).all()
    assert [tuple(r) for r in recs] == [("R-900", 1250, "tracker_returns"), ("R-901", 800, "tracker_returns")]


def test_bad_profile_name_is_refused(qtbot, workbook, files):
    d = _dialog(qtbot, workbook, files[:1], reconcile_fn=ReconcileSpy())
    d.profile_name.setText("my profile!")
    assert d.save_profile() is None
    assert "not usable" in d.error_text()


def test_cancel_leaves_nothing_written(qtbot, workbook, files):
    started = threading.Event()

    def slow_import(workbook, paths, profiles=None, job=None):
        started.set()
        for i in range(400):
            job.check()
            job.step(i / 400, f"reading {i}")
            time.sleep(0.01)
        raise AssertionError("should have been cancelled")

    d = _dialog(qtbot, workbook, files, import_fn=slow_import, reconcile_fn=ReconcileSpy())
    d.import_button.click()
    assert started.wait(5)
    qtbot.waitUntil(lambda: d.progress.value() > 0, timeout=5_000)
    assert d.cancel_button.isVisibleTo(d) and not d.import_button.isEnabled()
    d.cancel_button.click()
    qtbot.waitUntil(lambda: d.task.is_finished, timeout=10_000)
    assert "Import cancelled; nothing was written." in d.error_text()
    assert d.import_button.isEnabled() and not d.progress.isVisibleTo(d)
    assert _records(workbook) == 0


def test_detection_failure_shown_on_the_file_row(qtbot, workbook, tmp_path):
    def fake_detect(path):
        raise UnrecognisedFile(path.name, "no import profile recognises this layout")

    d = _dialog(qtbot, workbook, [tmp_path / "mystery.csv"], detect_fn=fake_detect)
    assert _row(d, 0)[4] == "mystery.csv: no import profile recognises this layout"
    assert not d.mapping.isEnabled()
    d.import_button.click()
    assert "mystery.csv cannot be imported" in d.error_text()


def test_fake_detection_fills_row_and_generic_preview(qtbot, workbook, tmp_path):
    """The dialog only needs Detection's documented attributes."""
    path = tmp_path / "x.csv"
    det = SimpleNamespace(path=path, profile=None, system="erp", confidence=0.42, alternatives=[("sap", 0.3)],
                          mapping={"record_id": "Doc"}, generic=True, notes=["generic guess"],
                          headers=["Doc", "Amt"], sheet=None, header_row=1,
                          preview=pd.DataFrame({"Doc": ["CM1", "CM2"], "Amt": ["1.00", "2.00"]}))
    d = _dialog(qtbot, workbook, [path], detect_fn=lambda p: det)
    assert _row(d, 0)[1:4] == ["ERP", "generic guess", "42%"]
    assert d.files.index(0, 2).data(Qt.ItemDataRole.ToolTipRole).startswith("Alternatives:\nsap: 30%")
    assert d.mapping.combos["record_id"].currentText() == "Doc"


def test_dropped_files_are_added(qtbot, workbook, files):
    d = _dialog(qtbot, workbook, reconcile_fn=ReconcileSpy())
    assert d.files.rowCount() == 0 and not d.import_button.isEnabled()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in files])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    d.dropEvent(event)
    assert [e.path.name for e in d.files.entries()] == [p.name for p in files]
    with qtbot.waitSignal(d.detected, timeout=20_000):
        pass
    assert [e.detected_profile for e in d.files.entries()] == ["loop_returns", "stripe_balance_transactions"]
    assert d.import_button.isEnabled()


def test_corrected_builtin_mapping_keeps_the_profile_rules(qtbot, workbook, files):
    """Re-mapping one role of a recognised Stripe file keeps the profile's refund-only filter
    and sign convention; the saved profile is what the import uses."""
    from workbench.core.ingest import get_profile

    d = _dialog(qtbot, workbook, files[1:], reconcile_fn=ReconcileSpy())
    d.mapping.set_role("refund_ref", "id")          # the balance transaction id instead of Source
    assert _row(d, 0)[2] == "stripe_balance_transactions (edited)"
    rows = d.preview.rows()
    assert len(rows) == 1 and rows[0][3] == "txn_1" and rows[0][5] == "99.99 USD"
    d.profile_name.setText("stripe_ours")
    assert d.save_profile().endswith("stripe_ours.toml")
    saved = get_profile("stripe_ours")
    assert saved.row_filter is not None and "refund" in saved.row_filter.keep
    with qtbot.waitSignal(d.imported, timeout=20_000):
        d.import_button.click()
    with workbook.sessions() as s:
        recs = s.execute(select(SourceRecord.record_id, SourceRecord.refund_ref, SourceRecord.amount_minor)).all()
    assert [tuple(r) for r in recs] == [("re_1AAA", "txn_1", 9999)]


def test_choose_files_and_remove(qtbot, workbook, files, monkeypatch, qtmodeltester):
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def fake_open(parent, caption, folder, filters):
        asked.append(filters)
        return [str(p) for p in files], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(fake_open))
    d = _dialog(qtbot, workbook, reconcile_fn=ReconcileSpy())
    d.add_button.click()
    assert "*.xlsx" in asked[0] and "*.csv" in asked[0]
    qtbot.waitUntil(lambda: d.pending_detections == 0, timeout=20_000)
    assert d.files.rowCount() == 2
    d.file_view.selectRow(0)
    d.remove_button.click()
    assert [e.path.name for e in d.files.entries()] == [files[1].name]
    qtmodeltester.check(d.files)


def test_read_as_another_profile_and_back(qtbot, workbook, files):
    d = _dialog(qtbot, workbook, files[:1], reconcile_fn=ReconcileSpy())
    combo = d.read_as
    assert combo.itemText(0) == "loop_returns (detected)"
    names = [combo.itemData(i) for i in range(1, combo.count())]
    assert "loop_returns" not in names and {"aftership_returns", "zendesk_tickets"} <= set(names)
    index = combo.findData("zendesk_tickets")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)                      # as a user's choice
    entry = d.current_entry()
    assert _row(d, 0)[2] == "zendesk_tickets (chosen)" and entry.system == "support"
    assert d.mapping.current_system() == "support"
    assert d.profiles_for_import()[str(files[0])].name == "zendesk_tickets"
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert _row(d, 0)[1:3] == ["Portal", "loop_returns"] and d.profiles_for_import() == {}
    assert d.mapping.combos["amount"].currentText() == "refund"
    assert d.preview.headers()[0] == "Record id" and len(d.preview.rows()) == 2
