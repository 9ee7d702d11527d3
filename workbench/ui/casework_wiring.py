"""Puts case work into the main window: a Case work tab in the detail pane (status, assignee,
tags, notes, adjustments, reviews) acting on the table's selection (one case or many), one undo stack behind Edit > Undo/Redo,
and File > Open exported log (read-only) for auditors. Kept apart from main_window.py, which
only calls `install(window)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QScrollArea

from workbench.ui.casework_panel import CaseworkPanel
from workbench.ui.undo import CaseworkUndoStack

if TYPE_CHECKING:
    from workbench.ui.log_viewer import LogViewer

LOG_FILTER = "Resolution logs (*.xlsx *.csv *.json)"


def _menu(window: QMainWindow, title: str):
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    return window.menuBar().addMenu(title)


def install(window) -> None:
    stack = CaseworkUndoStack(window)
    panel = CaseworkPanel(window)
    panel.setObjectName("caseworkPanel")
    panel.set_undo_stack(stack)
    scroll = QScrollArea(window)   # scrolls rather than forcing the window larger than the user left it
    scroll.setObjectName("caseworkTab")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(panel)
    # case work sits with the case: a tab beside Diagnosis, Timeline, Raw rows and History
    window.detail.tabs.insertTab(0, scroll, "Case work")
    window.detail.tabs.setCurrentIndex(1)
    window.undo_stack, window.casework_panel, window.casework_tab = stack, panel, scroll
    window.log_viewers = []

    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.setObjectName("actionUndo")
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    redo.setObjectName("actionRedo")
    edit = _menu(window, "Edit")
    first = edit.actions()[0] if edit.actions() else None
    edit.insertActions(first, [undo, redo])
    edit.insertSeparator(first)
    show_work = QAction("Case &work", window)
    show_work.setObjectName("actionCaseWork")
    show_work.setShortcut(QKeySequence("Ctrl+W"))
    show_work.triggered.connect(lambda _c=False: window.detail.tabs.setCurrentWidget(scroll))
    _menu(window, "Case").addAction(show_work)

    open_log = QAction("Open exported &log (read-only)...", window)
    open_log.setObjectName("actionOpenLog")
    open_log.setStatusTip("Open a resolution log as an auditor: verify it and read it, without a workbook")
    open_log.triggered.connect(lambda _c=False: open_log_dialog(window))
    file_menu = _menu(window, "File")
    actions = file_menu.actions()
    file_menu.insertAction(actions[3] if len(actions) > 3 else None, open_log)
    window.actions.open_log = open_log

    def changed(case_ids) -> None:
        window.refresh_cases(case_ids)
        window.dashboard.mark_stale()

    load_later = QTimer(window)
    load_later.setSingleShot(True)
    load_later.setInterval(0)
    load_later.timeout.connect(lambda: panel.set_cases(window.table.selected_case_ids()))

    def selection_changed(*_args) -> None:
        # during a filter/sort refresh (like the detail) after the table has painted, once
        if getattr(window, "_defer_detail", False):
            load_later.start()
        else:
            load_later.stop()
            panel.set_cases(window.table.selected_case_ids())

    def opened(workbook) -> None:
        load_later.stop()               # loaded here, for the new workbook
        stack.clear()
        panel.set_workbook(workbook)
        panel.set_cases(window.table.selected_case_ids())

    panel.casesChanged.connect(changed)
    stack.casesChanged.connect(changed)
    stack.failed.connect(lambda text: window.statusBar().showMessage(f"Undo/redo refused: {text}", 15_000))
    window.table.selectionModel().selectionChanged.connect(selection_changed)
    window.casesRefreshed.connect(lambda _n: selection_changed())
    window.workbookOpened.connect(opened)


def open_log_dialog(window, path: str | None = None) -> "LogViewer | None":
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Open an exported resolution log", "", LOG_FILTER)
        if not path:
            return None
    from workbench.ui.log_viewer import LogViewer   # the export readers import openpyxl (0.3 s)

    viewer = LogViewer(path, None, workbook=window.workbook)
    viewer.resize(1100, 700)
    viewer.show()
    window.log_viewers.append(viewer)
    return viewer
