"""Which workbook the window opens at start: --db, the last one, or the start page."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ui_case_factory import add_cases
from workbench.core.store import open_workbook
from workbench.ui.app import start_window


def _settings(tmp_path):
    return QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)


def test_no_args_and_no_history_shows_start_page(qtbot, tmp_path):
    window = start_window(qsettings=_settings(tmp_path))
    qtbot.addWidget(window)
    assert window.workbook is None
    assert window.stack.currentWidget() is window.start_page


def test_db_opens_it_and_next_start_reopens_the_last(qtbot, tmp_path):
    path = tmp_path / "month.rwb"
    wb = open_workbook(path)
    add_cases(wb, 3)
    wb.close()
    first = start_window(db=str(path), qsettings=_settings(tmp_path))
    qtbot.addWidget(first)
    assert first.model.rowCount() == 3
    first.close()
    second = start_window(qsettings=_settings(tmp_path))
    qtbot.addWidget(second)
    assert second.workbook is not None and second.workbook.display_name == "month.rwb"
    assert second.model.rowCount() == 3
    second.close()


def test_missing_last_workbook_falls_back_to_start_page(qtbot, tmp_path):
    settings = _settings(tmp_path)
    settings.setValue("recent/workbooks", [str(tmp_path / "gone.rwb")])
    window = start_window(qsettings=settings)
    qtbot.addWidget(window)
    assert window.workbook is None
    assert window.stack.currentWidget() is window.start_page
