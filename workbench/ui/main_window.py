"""The main window: filter panel | case table | case detail, menus, first-run start page.

It presents and delegates: queries come from workbench.core.queries.case_list (fast reads on
the UI thread), every write (import, reconcile, tagging, export) runs through
ui/background.run_in_background on the single worker. QSettings holds only the window's own
state (geometry, splitter/header state, theme) and the recent workbooks.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import APP_NAME, __version__, paths
from workbench.core.errors import ImportCancelled, WorkbenchError
from workbench.core.queries import case_list
from workbench.core.queries.case_list import CaseFilter, Sort
from workbench.ui import actions as actions_mod
from workbench.ui.background import active_tasks, run_in_background, wait_for_all, worker_pool
from workbench.ui.case_table_model import CaseTableModel
from workbench.ui.case_table_view import CaseTableView
from workbench.ui.dashboard import DashboardWidget
from workbench.ui.filter_panel import FilterPanel
from workbench.ui.start_page import StartPage
from workbench.ui.theme import ACCENTS, THEMES, ThemeManager
from workbench.ui.workbook_ops import DEMO_WORKBOOK_NAME, demo_files, import_and_reconcile, reconcile_all

MAX_RECENT = 8
WORKBOOK_FILTER = "Workbooks (*.rwb *.sqlite *.db);;All files (*)"


def app_icon() -> QIcon:
    return QIcon(str(paths.resource("icons", "app.svg")))


class MainWindow(QMainWindow):
    workbookOpened = Signal(object)      # the Workbook
    casesRefreshed = Signal(int)         # number of cases listed
    countsRefreshed = Signal()
    caseShown = Signal(object)           # case id or None, after the detail showed it

    def __init__(self, qsettings: QSettings | None = None, theme: ThemeManager | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.qsettings = qsettings or QSettings()
        app = QApplication.instance()
        self.theme = theme or ThemeManager(app)
        self.workbook = None
        self.filter = CaseFilter()
        self.sort = Sort()
        self.timezone = "UTC"
        self.last_refresh_seconds = 0.0
        self.import_dialog = None
        self.settings_dlg = None
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        # --- workspace: filter | table | detail -------------------------------------------
        self.model = CaseTableModel(self)
        self.model.sortRequested.connect(self._sort_requested)
        self.table = CaseTableView(self.model, self)
        self.table.currentCaseChanged.connect(self._show_case)
        self.filter_panel = FilterPanel(self)
        self.filter_panel.filterChanged.connect(self._filter_changed)
        self.detail = self._make_detail()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.filter_panel)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([230, 620, 650])

        self.banner = QLabel(self)
        self.banner.setObjectName("auditBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()

        workspace = QWidget(self)
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        self.dashboard = DashboardWidget(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("workspaceTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Cases")
        self.tabs.addTab(self.dashboard, "Dashboard")
        layout.addWidget(self.tabs, 1)

        self.start_page = StartPage(self)
        self.start_page.demoRequested.connect(self.open_demo)
        self.start_page.openRequested.connect(self.open_workbook_dialog)
        self.start_page.newRequested.connect(self.new_workbook_dialog)
        self.start_page.recentRequested.connect(self.open_workbook)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(workspace)
        self.setCentralWidget(self.stack)

        self.count_label = QLabel("", self)
        self.count_label.setObjectName("caseCount")
        self.statusBar().addWidget(self.count_label)

        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(0)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_task = None
        self._counts_dirty = False
        self._total: int | None = None
        self._read_tasks: set = set()
        self._chain_report = None
        self._pending_case = None
        self._defer_detail = False
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(0)
        self._detail_timer.timeout.connect(self._show_pending_case)
        self.text_index = None          # core/queries/text_index.TextIndex, built after opening
        self._text_index_task = None
        self._background_reads = QTimer(self)
        self._background_reads.setSingleShot(True)
        self._background_reads.setInterval(0)
        self._background_reads.timeout.connect(lambda: self.workbook is not None and self.check_audit_chain())
        self._background_reads.timeout.connect(self.build_text_index)

        self.actions = actions_mod.build(self)
        from workbench.ui import casework_wiring

        casework_wiring.install(self)   # Case work dock, Edit > Undo/Redo, File > Open exported log
        self._update_recent_menu()
        self._update_title()
        self._enable_workbook_actions(False)
        self.restore_window_state()

    # --- parts ------------------------------------------------------------------------------
    def _make_detail(self) -> QWidget:
        from workbench.ui.detail import CaseDetailWidget

        detail = CaseDetailWidget(self)
        detail.setObjectName("caseDetail")
        if hasattr(detail, "case_shown"):
            detail.case_shown.connect(self.caseShown)
        return detail

    def _update_title(self) -> None:
        name = self.workbook.display_name if self.workbook else None
        self.setWindowTitle(f"{name} - {APP_NAME}" if name else APP_NAME)

    def _enable_workbook_actions(self, on: bool) -> None:
        a = self.actions
        for action in (a.import_files, a.export_log, a.settings, a.next_case, a.previous_case, a.tag,
                       a.refresh, a.clear_filters, a.find):
            action.setEnabled(on)
        # find, do not import: the export pulls in openpyxl, which costs a second at start-up
        has_export = importlib.util.find_spec("workbench.core.export") is not None
        a.export_log.setEnabled(on and has_export)
        if not has_export:
            a.export_log.setToolTip("The resolution log export is not available in this build yet")

    # --- workbooks --------------------------------------------------------------------------
    def open_workbook(self, target: str | Path, *, create: bool = True) -> bool:
        """Open (or create) a workbook and show its cases. Errors are shown, not raised."""
        reads = self._read_tasks | {self._counts_task}
        if [t for t in active_tasks() if t not in reads and self._owns(t)]:
            self.statusBar().showMessage("Wait for the running task to finish (or cancel it) first.", 8000)
            return False
        if active_tasks():
            worker_pool().waitForDone(60_000)   # reads of the old workbook: let them end
            QApplication.processEvents()
        from workbench.core.store import open_workbook

        try:
            workbook = open_workbook(target, create=create)
            business = workbook.business_settings()
        except (WorkbenchError, ValueError, OSError) as exc:
            QMessageBox.critical(self, APP_NAME, f"Could not open {target}: {exc}")
            self._forget_recent(str(target))
            return False
        if self.workbook is not None:
            self.workbook.close()
        self._drop_text_index()
        self.workbook = workbook
        self.timezone = business.timezone
        self.model.set_workbook(workbook, self.timezone)
        self.filter_panel.set_timezone(self.timezone)
        self.detail.set_workbook(workbook)
        self.dashboard.set_workbook(workbook)
        self._chain_report = None
        self.banner.hide()
        # a database URL is remembered without its password (QSettings is plain text)
        self._remember_recent(str(target) if "://" not in str(target)
                              else workbook.engine.url.set(password=None).render_as_string(hide_password=False))
        self.stack.setCurrentIndex(1)
        self._update_title()
        self._enable_workbook_actions(True)
        self.refresh(select_first=True)     # the rows; the first case's detail waits for their paint
        self._paint_rows_now()
        self.workbookOpened.emit(workbook)  # listeners (the case work panel) read after the paint
        if self._detail_timer.isActive():   # ... and is shown before returning: callers find it shown
            self._detail_timer.stop()
            self._show_pending_case()
        self._background_reads.start()      # audit chain, search text: on the worker, after the rows
        return True

    def _paint_rows_now(self) -> None:
        """Lay out the workspace page and paint the table now, so the user sees the first rows
        before the first case's detail is read (its queries are the slowest part of opening)."""
        if not self.isVisible():
            return
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.table.viewport().repaint()

    # --- the in-memory search text (rare words without a scan of every case) -------------------
    def build_text_index(self):
        """Read the search text of the active cases into memory on the worker (SQLite only).
        Returns the BackgroundTask, or None when there is nothing to do."""
        if self.workbook is None or not self.workbook.is_sqlite:
            return None
        task = self._text_index_task
        if task is not None and not task.is_finished:
            return task
        from workbench.core.queries.text_index import TextIndex

        workbook = self.workbook

        def done(index) -> None:
            if workbook is self.workbook and index is not None:
                self._drop_text_index()
                self.text_index = index
            elif index is not None:
                index.close()

        task = run_in_background(None, TextIndex.build, workbook, on_done=done, show_progress=False,
                                 on_error=lambda _exc: None)   # without it, text search scans in SQL
        self._text_index_task = task
        self._read_tasks.add(task)
        task.finished.connect(lambda _ok: self._read_tasks.discard(task))
        return task

    def _drop_text_index(self) -> None:
        if self.text_index is not None:
            self.text_index.close()
            self.text_index = None

    def _current_text_index(self):
        """The text index if it is up to date; a stale one is dropped and rebuilt meanwhile."""
        index = self.text_index
        if index is not None and not index.is_current():
            self._drop_text_index()
            QTimer.singleShot(0, self.build_text_index)
            return None
        return index

    def _owns(self, task) -> bool:
        """A task started from this window (or one of its dialogs)."""
        parent = task.parent()
        while parent is not None:
            if parent is self:
                return True
            parent = parent.parent()
        return False

    def check_audit_chain(self):
        """Verify the audit trail on the worker (it is O(events)); a broken chain shows a loud
        banner when the answer arrives. Returns the BackgroundTask."""
        from workbench.core.casework.integrity import check_integrity

        workbook = self.workbook

        def verify(wb, job=None):
            return check_integrity(wb)

        def done(report) -> None:
            if workbook is self.workbook:
                self._chain_report = report
                self._show_chain_report()

        task = run_in_background(None, verify, workbook, on_done=done, show_progress=False,
                                 on_error=lambda exc: self._work_failed(exc))
        self._read_tasks.add(task)
        task.finished.connect(lambda _ok: self._read_tasks.discard(task))
        return task

    def _show_chain_report(self) -> None:
        report = self._chain_report
        if report is None or report.ok:
            self.banner.hide()
            return
        colours = ACCENTS[self.theme.effective]
        self.banner.setStyleSheet(
            f"background: {colours['warning_bg']}; color: {colours['warning_fg']}; padding: 8px; font-weight: bold;")
        self.banner.setText(
            f"\u26a0 The audit trail of {self.workbook.display_name} is BROKEN: {report.problem} "
            f"(events before #{report.broken_at_seq} verify). Do not trust its history or exports.")
        self.banner.show()

    def new_workbook_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New workbook", str(paths.user_data_dir() / "returns.rwb"),
                                              WORKBOOK_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".rwb"
            self.open_workbook(path)

    def open_workbook_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open workbook", str(paths.user_data_dir()), WORKBOOK_FILTER)
        if path:
            self.open_workbook(path, create=False)

    def open_demo(self):
        """Open the demo workbook; on first use import the bundled demo month and diagnose it
        in the background. Returns the BackgroundTask when work was started, else None."""
        target = paths.user_data_dir() / DEMO_WORKBOOK_NAME
        if not self.open_workbook(target):
            return None
        if self.model.rowCount() > 0 or case_list.count_cases(self.workbook, CaseFilter(include_inactive=True)):
            return None
        files = demo_files()
        if not files:
            QMessageBox.warning(self, APP_NAME, f"The demo month is missing from {paths.demo_dir()}.")
            return None
        return run_in_background(self, import_and_reconcile, self.workbook, files,
                                 on_done=self._work_done, on_error=self._work_failed,
                                 progress_label="Importing the demo month...")

    # --- import / settings / export ---------------------------------------------------------
    def import_files_dialog(self, paths_: list[str] | None = None) -> None:
        if self.workbook is None:
            if not self.open_workbook(paths.user_data_dir() / "returns.rwb"):
                return
        from workbench.ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.workbook, paths=paths_, parent=self)
        dialog.imported.connect(self._imported)
        self._replace_dialog(self.import_dialog)
        self.import_dialog = dialog
        dialog.open()

    def _imported(self, changed_case_ids) -> None:
        self.dashboard.mark_stale()
        self.model.mark_stale(changed_case_ids or [])
        self.refresh()
        self.detail.refresh()

    def settings_dialog(self) -> None:
        """The settings dialog saves (audited) and re-diagnoses on the worker itself; the
        window follows: new time zone at once, rows and detail when `rediagnosed` arrives."""
        if self.workbook is None:
            return
        from workbench.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.workbook, parent=self)
        dialog.saved.connect(self._settings_saved)
        dialog.rediagnosed.connect(self._work_done)
        dialog.rediagnosis_failed.connect(self._work_failed)
        self._replace_dialog(self.settings_dlg)
        self.settings_dlg = dialog
        dialog.open()

    @staticmethod
    def _replace_dialog(old) -> None:
        """Dialogs deliver their background results through their own signals, so they are
        kept until the next one opens (not deleted on close) and freed only when idle."""
        task = getattr(old, "task", None) if old is not None else None
        if old is not None and (task is None or task.is_finished):
            old.deleteLater()

    def _settings_saved(self, business) -> None:
        self.timezone = business.timezone
        self.model.set_timezone(self.timezone)
        self.filter_panel.set_timezone(self.timezone)

    def rediagnose(self):
        """Re-run the diagnosis with the workbook's settings, in the background."""
        self._settings_saved(self.workbook.business_settings())
        return run_in_background(self, reconcile_all, self.workbook, on_done=self._work_done,
                                 on_error=self._work_failed, progress_label="Re-diagnosing...")

    def export_log_dialog(self) -> None:
        if self.workbook is None:
            return
        out, _ = QFileDialog.getSaveFileName(
            self, "Export resolution log", str(Path.home() / "resolution-log.xlsx"),
            "Excel (*.xlsx);;CSV (*.csv);;JSON (*.json)")
        if out:
            self.export_log(out)

    def export_log(self, out: str):
        from workbench.core.export import export_log

        return run_in_background(
            self, export_log, self.workbook, out, progress_label="Exporting the resolution log...",
            on_done=lambda result: self.statusBar().showMessage(f"Exported the resolution log to {out}", 8000),
            on_error=self._work_failed)

    def _work_done(self, result) -> None:
        self.dashboard.mark_stale()
        changed = getattr(result, "changed_case_ids", None)
        if changed:
            self.model.mark_stale(changed)
        self.refresh()
        self.detail.refresh()

    def _work_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ImportCancelled):
            self.statusBar().showMessage("Cancelled; nothing was written.", 8000)
            return
        text = str(exc) if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {exc}"
        QMessageBox.critical(self, APP_NAME, text)

    # --- the case list ----------------------------------------------------------------------
    def refresh(self, select_first: bool = False, defer_detail: bool = True) -> None:
        """Re-run the list query with the current filter and sort; keep the current case.
        With defer_detail, a changed current case reaches the detail after the table paints."""
        if self.workbook is None:
            return
        self._defer_detail = defer_detail
        try:
            self._refresh(select_first)
        finally:
            self._defer_detail = False

    def _refresh(self, select_first: bool) -> None:
        started = time.perf_counter()
        current = self.table.current_case_id()
        workbook, flt, sort = self.workbook, self.filter, self.sort
        text_index = self._current_text_index() if flt.text.strip() else None

        def more(offset: int, n: int) -> list[int]:
            index = text_index if text_index is self.text_index else None   # not once it is dropped
            return case_list.case_ids(workbook, flt, sort, limit=n, offset=offset, text_index=index)

        first = self.model.first_chunk
        ids = more(0, first)
        self.model.set_ids(ids, more, requested=first)
        self._total = len(ids) if self.model.complete else None
        self.table.show_sort(self.sort.key, self.sort.descending)
        if current is not None and self.table.select_case(current):
            pass
        elif ids and (select_first or current is not None):
            self.table.select_row(0)
        else:
            self._show_case(None)
        self.last_refresh_seconds = time.perf_counter() - started
        self._show_count()
        self.casesRefreshed.emit(len(ids) if self._total is None else self._total)
        self._counts_timer.start()   # counts after the rows are on screen

    def _show_count(self) -> None:
        if self._total is not None:
            self.count_label.setText(f"{self._total:,} cases")
        else:
            self.count_label.setText(f"{self.model.rowCount():,}+ cases (counting...)")

    def refresh_counts(self):
        """Recount the filter panel (GROUP BY queries) on the worker, off the UI thread. One
        count run at a time; a filter change meanwhile triggers one more run after it."""
        if self.workbook is None:
            return None
        task = self._counts_task
        if task is not None and not task.is_finished:
            self._counts_dirty = True
            return task
        self._counts_dirty = False
        workbook, flt = self.workbook, self.filter

        def done(counts) -> None:
            if self._counts_dirty or workbook is not self.workbook:
                if workbook is self.workbook:
                    QTimer.singleShot(0, self.refresh_counts)
                return
            self._total = counts["total"]
            self._show_count()
            self.filter_panel.set_systems(counts["systems"])
            self.filter_panel.set_counts(counts["symptoms"], {k: counts[k] for k in case_list.FACETS})
            self.countsRefreshed.emit()

        self._counts_task = run_in_background(None, case_list.filter_counts, workbook, flt, on_done=done,
                                              on_error=lambda exc: self.statusBar().showMessage(
                                                  f"Could not count the filters: {exc}", 8000),
                                              show_progress=False)
        return self._counts_task

    def _filter_changed(self, flt: CaseFilter) -> None:
        self.filter = flt
        self.refresh()

    def _sort_requested(self, key: str, descending: bool) -> None:
        self.sort = Sort(key, descending)
        self.refresh()

    def _show_case(self, case_id) -> None:
        """Show the case in the detail: at once when the user moves, or (during a filter/sort
        refresh) right after the table has painted."""
        self._pending_case = case_id
        if self._defer_detail:
            self._detail_timer.start()
        else:
            self._detail_timer.stop()
            self._show_pending_case()

    def _show_pending_case(self) -> None:
        self.detail.show_case(self._pending_case)

    # --- keyboard actions -------------------------------------------------------------------
    def move_case(self, step: int) -> None:
        self.table.move(step)
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.filter_panel.focus_search()

    def copy_selection(self) -> str:
        return self.table.copy_selection()

    def tag_selected(self, tag: str | None = None):
        ids = self.table.selected_case_ids()
        if not ids or self.workbook is None:
            return None
        if tag is None:
            tag, ok = QInputDialog.getText(self, "Tag cases", f"Tag for {len(ids)} case(s):")
            if not ok or not tag.strip():
                return None
        from workbench.core.casework.ops import add_tag

        def work(workbook, case_ids, tag_text, job=None):
            return add_tag(workbook, case_ids, tag_text.strip())

        return run_in_background(self, work, self.workbook, ids, tag, on_done=self._casework_done,
                                 on_error=self._work_failed, progress_label="Tagging...", cancellable=False)

    def _casework_done(self, changes) -> None:
        self.refresh_cases(getattr(changes, "case_ids", ()) or ())

    def refresh_cases(self, case_ids) -> None:
        """Case work changed these cases: re-read their rows, the detail and the counts."""
        self.model.mark_stale(list(case_ids))
        self.detail.refresh()
        self._counts_timer.start()

    # --- theme, about -----------------------------------------------------------------------
    def set_theme(self, mode: str) -> None:
        self.theme.apply(mode)
        self.actions.themes[mode].setChecked(True)
        self.qsettings.setValue("window/theme", mode)
        if self.workbook is not None:
            self._show_chain_report()

    def about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_NAME}",
            f"<h3>{APP_NAME}</h3><p>Version {__version__}</p>"
            "<p>Reconciles returns across the returns portal, payment processor, ERP and support "
            "desk exports; diagnoses each broken return and keeps an audited resolution log.</p>")

    # --- recent workbooks (QSettings) -------------------------------------------------------
    def recent_workbooks(self) -> list[str]:
        value = self.qsettings.value("recent/workbooks", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember_recent(self, target: str) -> None:
        items = [target] + [p for p in self.recent_workbooks() if p != target]
        self.qsettings.setValue("recent/workbooks", items[:MAX_RECENT])
        self._update_recent_menu()

    def _forget_recent(self, target: str) -> None:
        self.qsettings.setValue("recent/workbooks", [p for p in self.recent_workbooks() if p != target])
        self._update_recent_menu()

    def _update_recent_menu(self) -> None:
        menu = self.actions.recent_menu
        menu.clear()
        recent = self.recent_workbooks()
        for i, target in enumerate(recent):
            action = menu.addAction(f"&{i + 1} {target}")
            action.triggered.connect(lambda _c=False, t=target: self.open_workbook(t, create=False))
        menu.setEnabled(bool(recent))
        self.start_page.set_recent(recent)

    # --- window state (QSettings) -----------------------------------------------------------
    def restore_window_state(self) -> None:
        s = self.qsettings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = s.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = s.value("window/caseHeader")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        mode = s.value("window/theme", "system")
        self.set_theme(mode if mode in THEMES else "system")

    def save_window_state(self) -> None:
        s = self.qsettings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/caseHeader", self.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.save_window_state()
        wait_for_all(30_000)
        self._drop_text_index()
        if self.workbook is not None:
            self.workbook.close()
            self.workbook = None
        super().closeEvent(event)

    # --- drag and drop of files -> import dialog --------------------------------------------
    @staticmethod
    def _local_files(mime) -> list[str]:
        if not mime.hasUrls():
            return []
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        return [f for f in files if Path(f).is_file()]

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        files = self._local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.import_files_dialog(files)
