"""The real main window, offscreen: filters, selection, keyboard, copy, theme, recent, state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ui_case_factory import add_cases
from workbench.core.queries.case_list import CLEAN
from workbench.core.store import open_workbook
from workbench.core.store.models import AuditEvent
from workbench.ui.case_table_model import CaseIdRole
from workbench.ui.main_window import MainWindow


@pytest.fixture
def ini(tmp_path):
    return str(tmp_path / "window.ini")


@pytest.fixture
def make_window(qtbot, ini):
    windows = []

    def make():
        window = MainWindow(QSettings(ini, QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.windowHandle().requestActivate()   # shortcuts need an active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        windows.append(window)
        return window

    yield make
    for w in windows:
        if w.workbook is not None:
            w.close()


@pytest.fixture
def filled(tmp_path):
    path = tmp_path / "cases.rwb"
    wb = open_workbook(path)
    ids = add_cases(wb, 24)
    wb.close()
    return path, ids


def test_start_page_without_workbook(make_window):
    window = make_window()
    assert window.stack.currentWidget() is window.start_page
    assert window.start_page.demo_button.isVisible()
    assert not window.actions.import_files.isEnabled()


def test_open_workbook_lists_cases_and_shows_first(make_window, filled, qtbot):
    path, ids = filled
    window = make_window()
    assert window.open_workbook(path)
    assert window.model.rowCount() == 24
    assert window.count_label.text() == "24 cases"
    assert window.table.current_case_id() == ids[0]
    qtbot.waitUntil(lambda: window.detail.current_case_id() == ids[0])   # detail follows after the paint
    assert window.recent_workbooks()[0] == str(path)


def test_filter_by_symptom_uses_counts_from_sql(make_window, filled, qtbot):
    path, ids = filled
    window = make_window()
    window.open_workbook(path)
    qtbot.waitUntil(lambda: window.filter_panel.symptoms.item_for("rounding") is not None)
    item = window.filter_panel.symptoms.item_for("rounding")
    assert item.text() == "rounding (4)"
    assert window.filter_panel.symptoms.item_for(CLEAN).text() == "clean (no findings) (8)"
    assert window.filter_panel.symptoms.item_for("stale_ticket").text() == "stale ticket (0)"
    with qtbot.waitSignal(window.casesRefreshed) as blocker:
        item.setCheckState(Qt.CheckState.Checked)
    assert blocker.args == [4]
    shown = [window.model.index(r, 0).data(CaseIdRole) for r in range(window.model.rowCount())]
    assert shown == [ids[i] for i in range(1, 24, 6)]
    col = window.model.column_of("symptoms")
    assert {window.model.index(r, col).data() for r in range(4)} == {"rounding"}


def test_search_and_sort(make_window, filled, qtbot):
    path, ids = filled
    window = make_window()
    window.open_workbook(path)
    with qtbot.waitSignal(window.casesRefreshed, timeout=3000) as blocker:
        qtbot.keyClicks(window.filter_panel.search, "cust17@")
    assert blocker.args == [1]
    assert window.table.current_case_id() == ids[17] or window.model.case_id(0) == ids[17]
    window.filter_panel.clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == 24)
    section = window.model.column_of("amount_minor")
    with qtbot.waitSignal(window.casesRefreshed):
        window.table.horizontalHeader().sectionClicked.emit(section)
    assert window.model.case_id(0) == ids[0]
    with qtbot.waitSignal(window.casesRefreshed):
        window.table.horizontalHeader().sectionClicked.emit(section)
    assert window.sort.descending and window.model.case_id(0) == ids[-1]


def test_amount_filter_rejects_text_in_one_line(make_window, filled, qtbot):
    path, _ids = filled
    window = make_window()
    window.open_workbook(path)
    window.filter_panel.amount_min.setText("abc")
    qtbot.waitUntil(lambda: window.filter_panel.error_label.isVisible())
    assert "not a number" in window.filter_panel.error_label.text()
    window.filter_panel.amount_min.setText("20.05")
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)   # amounts 20.05 .. 24.05


def test_keyboard_navigation_and_copy(make_window, filled, qtbot):
    path, ids = filled
    window = make_window()
    window.open_workbook(path)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert window.table.current_case_id() == ids[2]
    qtbot.waitUntil(lambda: window.detail.current_case_id() == ids[2])
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    assert window.table.current_case_id() == ids[1]
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.table.current_case_id() == ids[2]
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    lines = text.split("\n")
    assert lines[0].startswith("Case\tStatus\tSymptoms")
    assert lines[1].startswith("portal:1002\topen\tclean")
    assert "3.05 USD" in lines[1].split("\t")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter_panel.search.hasFocus()


def test_column_chooser_hides_and_shows(make_window, filled):
    path, _ = filled
    window = make_window()
    window.open_workbook(path)
    menu = window.table.column_menu()
    customer = next(a for a in menu.actions() if a.data() == "customer")
    assert customer.isChecked()
    customer.setChecked(False)
    assert window.table.isColumnHidden(window.model.column_of("customer"))
    portal = next(a for a in window.table.column_menu().actions() if a.data() == "portal_amount_minor")
    assert not portal.isChecked()
    portal.setChecked(True)
    assert not window.table.isColumnHidden(window.model.column_of("portal_amount_minor"))


def test_theme_switch_dark_and_back(make_window, ini):
    window = make_window()
    window.actions.themes["dark"].trigger()
    assert window.theme.effective == "dark"
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert QSettings(ini, QSettings.Format.IniFormat).value("window/theme") == "dark"
    window.actions.themes["light"].trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 180
    window.actions.themes["system"].trigger()   # offscreen the scheme is Unknown -> light
    assert window.theme.effective == "light"


def test_window_state_and_recent_restored(make_window, filled, qtbot):
    path, _ = filled
    first = make_window()
    first.open_workbook(path)
    first.resize(760, 760)   # the offscreen screen is 800x800: stay inside it
    first.splitter.setSizes([300, 500, 400])
    first.table.setColumnHidden(first.model.column_of("customer"), True)
    first.set_theme("dark")
    first.close()
    second = make_window()
    assert (second.size().width(), second.size().height()) == (760, 760)
    assert second.table.isColumnHidden(second.model.column_of("customer"))
    assert second.theme.mode == "dark"
    assert second.recent_workbooks() == [str(path)]
    assert [a.text() for a in second.actions.recent_menu.actions()] == [f"&1 {path}"]
    second.actions.recent_menu.actions()[0].trigger()
    assert second.model.rowCount() == 24
    second.set_theme("light")


def test_broken_audit_chain_shows_banner(make_window, filled, qtbot):
    path, _ = filled
    wb = open_workbook(path)
    from workbench.core import audit

    with wb.session() as s:
        audit.record(s, "analyst1", "note.add", case_id=1, case_key="portal:1000", entity="note",
                     after={"body": "checked"})
    with wb.session() as s:
        ev = s.query(AuditEvent).one()
        ev.after = '{"body": "edited later"}'
    wb.close()
    window = make_window()
    window.open_workbook(path)
    qtbot.waitUntil(lambda: window.banner.isVisible())     # verified on the worker
    assert "BROKEN" in window.banner.text()
    window.set_theme("dark")                                # the banner keeps its warning
    assert window.banner.isVisible()
    window.set_theme("light")


def test_intact_audit_chain_shows_no_banner(make_window, filled, qtbot):
    path, _ = filled
    window = make_window()
    window.open_workbook(path)
    qtbot.waitUntil(lambda: window._chain_report is not None)
    assert window._chain_report.ok and not window.banner.isVisible()


def test_tag_shortcut_tags_selected_cases(make_window, filled, qtbot):
    path, ids = filled
    window = make_window()
    window.open_workbook(path)
    window.table.select_row(3)
    task = window.tag_selected("needs-erp")
    with qtbot.waitSignal(task.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == [True], task.traceback
    col = window.model.column_of("tags")
    assert window.model.index(3, col).data() == "needs-erp"
    qtbot.waitUntil(lambda: window.filter_panel.tags.item_for("needs-erp") is not None)


def test_long_list_counts_then_loads_more_on_navigation(make_window, filled, qtbot):
    path, ids = filled
    window = make_window()
    window.model.chunk = 10
    window.open_workbook(path)
    assert window.model.rowCount() == 10
    qtbot.waitUntil(lambda: window.count_label.text() == "24 cases")   # the total from the worker
    window.table.select_row(9)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert window.model.rowCount() > 10          # loaded on demand (the view also fills its height)
    assert window.table.current_case_id() == ids[10]


def test_text_search_uses_the_in_memory_text_and_follows_changes(make_window, filled, qtbot):
    from workbench.core.queries.case_list import CaseFilter, case_ids

    path, ids = filled
    window = make_window()
    window.open_workbook(path)
    qtbot.waitUntil(lambda: window.text_index is not None)     # read on the worker after opening
    index = window.text_index
    window._filter_changed(CaseFilter(text="cust1"))           # cust1, cust10..cust19
    expected = case_ids(window.workbook, CaseFilter(text="cust1"))
    assert window.model.ids == expected and len(expected) == 11
    assert index.candidates(["cust1"]) is not None
    task = window.tag_selected("checked")                       # a write: the index is out of date
    qtbot.waitUntil(lambda: task.is_finished, timeout=10_000)
    window._filter_changed(CaseFilter(text="cust2"))
    assert window.model.ids == case_ids(window.workbook, CaseFilter(text="cust2"))
    qtbot.waitUntil(lambda: window.text_index is not None and window.text_index is not index)
    assert window.text_index.is_current()


def test_open_paints_rows_before_reading_the_first_case_detail(make_window, filled):
    """Opening shows the first rows before the first case's detail is read (the detail's
    queries are the slowest part of opening) and still returns with that detail shown."""
    path, ids = filled
    window = make_window()
    seen = []

    def painted():
        if window.workbook is not None and not seen:
            seen.append((window.model.rowCount(), window.model.is_cached(window.model.case_id(0)),
                         window.detail.current_case_id()))

    window.table.rowsPainted.connect(painted)
    assert window.open_workbook(path)
    rows, cached, detail_case = seen[0]
    assert rows == 24 and cached
    assert detail_case is None                      # painted before the detail was loaded
    assert window.detail.current_case_id() == ids[0]   # ... which is shown when open returns
