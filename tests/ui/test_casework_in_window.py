"""Case work inside the real window: the dock follows the selection, Edit > Undo/Redo walk the
change back and forth in the workbook, and File > Open exported log shows the verdict."""

from PySide6.QtCore import QSettings
from sqlalchemy import select

from workbench.core.store.models import AuditEvent, Case
from workbench.ui import casework_wiring


def _window(qtbot, tmp_path):
    from workbench.ui.main_window import MainWindow

    window = MainWindow(qsettings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    return window


def _demo_workbook(tmp_path):
    from workbench.core.ingest import import_files
    from workbench.core.reconcile import reconcile
    from workbench.core.store import open_workbook
    from workbench.paths import demo_dir

    path = tmp_path / "demo.rwb"
    wb = open_workbook(path)
    import_files(wb, [p for p in sorted(demo_dir().iterdir()) if p.suffix in (".csv", ".xlsx") and p.stem != "truth"])
    reconcile(wb)
    wb.close()
    return path


def test_status_change_from_the_dock_then_undo_and_redo(qtbot, tmp_path):
    window = _window(qtbot, tmp_path)
    assert window.open_workbook(str(_demo_workbook(tmp_path)))
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=20_000)
    window.table.selectRow(0)
    panel = window.casework_panel
    qtbot.waitUntil(lambda: len(panel.case_ids) == 1, timeout=5_000)
    case_id = panel.case_ids[0]
    wb = window.workbook

    def status():
        with wb.sessions() as s:
            return s.get(Case, case_id).status

    def events():
        with wb.sessions() as s:
            return len(s.execute(select(AuditEvent.id)).all())

    before = events()
    combo = panel.status_combo   # drive the controls the way a user does
    combo.setCurrentIndex(combo.findData("investigating"))
    panel.status_button.click()
    qtbot.waitUntil(lambda: status() == "investigating", timeout=10_000)
    assert window.actions.open_log is not None
    undo = window.findChild(type(window.actions.open_log), "actionUndo")
    redo = window.findChild(type(window.actions.open_log), "actionRedo")
    assert undo.isEnabled()
    undo.trigger()
    qtbot.waitUntil(lambda: status() == "open", timeout=10_000)
    redo.trigger()
    qtbot.waitUntil(lambda: status() == "investigating", timeout=10_000)
    assert events() == before + 3


def test_open_exported_log_shows_the_verdict(qtbot, tmp_path):
    from workbench.core.export import export_log
    from workbench.core.store import open_workbook

    path = _demo_workbook(tmp_path)
    wb = open_workbook(path)
    export_log(wb, tmp_path / "log.csv")
    wb.close()
    window = _window(qtbot, tmp_path)
    viewer = casework_wiring.open_log_dialog(window, str(tmp_path / "log.csv"))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.result is not None, timeout=20_000)
    assert viewer.result.ok
    assert "Open exported" in window.actions.open_log.text()
