"""End to end through the real window: the demo month imported and diagnosed in the
background, filtered by a symptom, a case's divergent cells checked against its findings,
a setting changed and the diagnosis followed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from workbench.core.queries.case_list import CaseFilter, case_ids
from workbench.core.store.models import Case, Finding
from workbench.ui.background import active_tasks
from workbench.ui.main_window import MainWindow
from workbench.ui.workbook_ops import demo_files

pytest.importorskip("workbench.core.reconcile", reason="reconcile (issue 4) has not landed")
pytest.importorskip("workbench.core.ingest", reason="ingest (issue 3) has not landed")

TIMEOUT = 120_000


@pytest.fixture(scope="session")
def generated_month(tmp_path_factory):
    from workbench.core.demo import generate_demo

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, returns=200, seed=3)
    return out


@pytest.fixture(autouse=True)
def demo_month(generated_month, monkeypatch):
    """The bundled month in resources/demo when it is there; else one generated the same way
    (the start page reads `paths.demo_dir()`, patched to point at it)."""
    if not demo_files():
        monkeypatch.setattr("workbench.paths.demo_dir", lambda: generated_month)
    files = demo_files()
    assert len(files) == 4
    return files


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    qtbot.waitUntil(lambda: not active_tasks(), timeout=TIMEOUT)
    w.close()


def _open_demo(window, qtbot):
    qtbot.mouseClick(window.start_page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and not active_tasks(), timeout=TIMEOUT)


def _findings(workbook, case_id):
    with workbook.sessions() as s:
        return s.execute(select(Finding.symptom, Finding.fields, Finding.systems)
                         .where(Finding.case_id == case_id)).all()


def test_demo_month_filter_select_and_divergent_cells(window, qtbot):
    from workbench.ui.detail.divergence import normalise_field

    _open_demo(window, qtbot)
    assert window.stack.currentWidget() is not window.start_page
    item = window.filter_panel.symptoms.item_for("amount_mismatch")
    qtbot.waitUntil(lambda: window.filter_panel.symptoms.item_for("amount_mismatch") is not None)
    item = window.filter_panel.symptoms.item_for("amount_mismatch")
    count = int(item.text().rsplit("(", 1)[1].rstrip(")").replace(",", ""))
    assert count > 0
    with qtbot.waitSignal(window.casesRefreshed) as blocker:
        item.setCheckState(Qt.CheckState.Checked)
    assert blocker.args == [count]
    col = window.model.column_of("symptoms")
    assert all("amount mismatch" in window.model.index(r, col).data() for r in range(window.model.rowCount()))

    window.table.select_row(min(2, window.model.rowCount() - 1))
    case_id = window.table.current_case_id()
    qtbot.waitUntil(lambda: window.detail.current_case_id() == case_id)
    named = {(normalise_field(field), system)
             for _code, fields, systems in _findings(window.workbook, case_id)
             for field in fields.split(";") if field for system in systems.split(";") if system}
    cells = {(field, key.split("#")[0]) for field, key in window.detail.divergent_cells()}
    assert cells, "an amount mismatch must highlight cells"
    assert cells <= named
    assert {s for _f, s in cells} >= {s for f, s in named if f == "amount"}


def test_changing_a_setting_rediagnoses_and_the_window_follows(window, qtbot):
    _open_demo(window, qtbot)
    wb = window.workbook
    rounding = case_ids(wb, CaseFilter(symptoms=("rounding",)))
    if not rounding:
        pytest.skip("the demo month has no rounding case to re-diagnose")
    window.table.select_case(rounding[0])
    window.settings_dialog()
    dialog = window.settings_dlg
    dialog.tolerance.setText("0")
    with qtbot.waitSignal(window.casesRefreshed, timeout=TIMEOUT):
        dialog.accept()
    qtbot.waitUntil(lambda: not active_tasks(), timeout=TIMEOUT)
    assert case_ids(wb, CaseFilter(symptoms=("rounding",))) == []
    with wb.sessions() as s:
        assert "amount_mismatch" in s.get(Case, rounding[0]).symptoms
    col = window.model.column_of("symptoms")
    row = window.model.row_of(rounding[0])
    assert "amount mismatch" in window.model.index(row, col).data()
    def rounding_count_is_zero():
        item = window.filter_panel.symptoms.item_for("rounding")   # None while the list is rebuilt
        return item is not None and item.text().endswith("(0)")

    qtbot.waitUntil(rounding_count_is_zero)
    detail = window.detail.detail()
    assert detail is not None and "amount_mismatch" in {f.symptom for f in detail.findings}


def test_import_dialog_opened_with_dropped_paths(window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    window.open_workbook(tmp_path / "drop.rwb")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in demo_files()])
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,  # noqa: the Qt 6 form
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(window.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    dialog = window.import_dialog
    assert dialog is not None and dialog.isVisible()
    assert len(dialog.files.entries()) == len(demo_files())
    qtbot.waitUntil(lambda: dialog.pending_detections == 0, timeout=TIMEOUT)   # detection runs on the worker
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT):
        dialog.start_import()
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=TIMEOUT)
    QApplication.processEvents()


def test_export_resolution_log_runs_in_the_background(window, qtbot, tmp_path):
    pytest.importorskip("workbench.core.export", reason="export (issue 6) has not landed")
    _open_demo(window, qtbot)
    assert window.actions.export_log.isEnabled()
    out = tmp_path / "log.csv"
    task = window.export_log(str(out))
    with qtbot.waitSignal(task.finished, timeout=TIMEOUT) as blocker:
        pass
    assert blocker.args == [True], task.traceback
    from workbench.core.export import verify_log

    assert verify_log(out).ok
    assert "Exported the resolution log" in window.statusBar().currentMessage()
