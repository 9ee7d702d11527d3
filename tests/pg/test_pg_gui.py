"""The window on a PostgreSQL team store: `workbench gui --db postgresql://...`."""

import pytest
from PySide6.QtCore import QSettings, Qt

from workbench.core.store import open_workbook

from workbook_fixture import populate

pytestmark = pytest.mark.postgres


@pytest.fixture
def window(qtbot, tmp_path):
    from workbench.ui.main_window import MainWindow

    w = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.workbook is not None:
        w.close()


def test_window_opens_a_postgres_workbook_lists_and_filters_cases(pg_url, window, qtbot):
    wb = open_workbook(pg_url)
    populate(wb, cases=6)
    wb.close()
    assert window.open_workbook(pg_url)
    assert window.workbook.engine.dialect.name == "postgresql"
    assert window.model.rowCount() == 5        # populate(): case 3 is inactive (no records link to it)
    assert window.count_label.text() == "5 cases"
    assert window.detail.current_case_id() is not None
    assert "postgresql" in window.windowTitle()
    # facet counts and filtering come from SQL on the server
    qtbot.waitUntil(lambda: window.filter_panel.symptoms.item_for("rounding") is not None)
    item = window.filter_panel.symptoms.item_for("rounding")
    assert item.text() == "rounding (2)"      # populate(): odd active cases (1, 5) have rounding
    with qtbot.waitSignal(window.casesRefreshed) as blocker:
        item.setCheckState(Qt.CheckState.Checked)
    assert blocker.args == [2]
