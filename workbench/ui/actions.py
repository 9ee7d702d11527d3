"""The window's actions, menus and shortcuts, in one place (the handlers live on the window)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from workbench.ui.theme import THEMES


@dataclass
class Actions:
    new_workbook: QAction
    open_workbook: QAction
    open_demo: QAction
    import_files: QAction
    export_log: QAction
    settings: QAction
    quit: QAction
    next_case: QAction
    previous_case: QAction
    tag: QAction
    find: QAction
    copy: QAction
    refresh: QAction
    clear_filters: QAction
    about: QAction
    themes: dict[str, QAction]
    recent_menu: QMenu
    columns_menu: QMenu


def _action(window: QMainWindow, text: str, slot, shortcuts=(), name: str = "", tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if name:
        action.setObjectName(name)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build(window) -> Actions:
    """Create the actions and the menu bar of `window` (a MainWindow)."""
    a = _action
    new = a(window, "&New workbook...", window.new_workbook_dialog, [QKeySequence.StandardKey.New], "actionNew")
    open_ = a(window, "&Open workbook...", window.open_workbook_dialog, [QKeySequence.StandardKey.Open], "actionOpen")
    demo = a(window, "Open the &demo month", window.open_demo, [], "actionDemo")
    imp = a(window, "&Import files...", window.import_files_dialog, ["Ctrl+I"], "actionImport",
            "Import exports of the portal, processor, ERP or support desk (or drop files on the window)")
    export = a(window, "&Export resolution log...", window.export_log_dialog, ["Ctrl+E"], "actionExport")
    settings = a(window, "&Settings...", window.settings_dialog, [QKeySequence.StandardKey.Preferences], "actionSettings",
                 "Business settings of the diagnosis; changing them re-diagnoses in the background")
    settings.setMenuRole(QAction.MenuRole.PreferencesRole)
    quit_ = a(window, "&Quit", window.close, [QKeySequence.StandardKey.Quit], "actionQuit")
    quit_.setMenuRole(QAction.MenuRole.QuitRole)

    next_ = a(window, "&Next case", lambda: window.move_case(1), ["J", "Ctrl+Down"], "actionNext")
    prev = a(window, "&Previous case", lambda: window.move_case(-1), ["K", "Ctrl+Up"], "actionPrevious")
    tag = a(window, "&Tag selected cases...", window.tag_selected, ["Ctrl+T"], "actionTag")
    find = a(window, "&Find...", window.focus_search, [QKeySequence.StandardKey.Find], "actionFind")
    copy = a(window, "&Copy", window.copy_selection, [QKeySequence.StandardKey.Copy], "actionCopy",
             "Copy the selected cells or rows as tab-separated text")
    # Ctrl+C belongs to whatever has focus (a search box copies its own text): the table only
    copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    window.table.addAction(copy)
    refresh = a(window, "&Refresh", window.refresh, [QKeySequence.StandardKey.Refresh], "actionRefresh")
    clear = a(window, "C&lear filters", window.filter_panel.clear, ["Ctrl+Shift+L"], "actionClearFilters")
    about = a(window, "&About", window.about, [], "actionAbout")
    about.setMenuRole(QAction.MenuRole.AboutRole)

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([new, open_])
    recent_menu = file_menu.addMenu("Open &recent")
    recent_menu.setObjectName("recentMenu")
    file_menu.addAction(demo)
    file_menu.addSeparator()
    file_menu.addActions([imp, export])
    file_menu.addSeparator()
    file_menu.addAction(settings)
    file_menu.addSeparator()
    file_menu.addAction(quit_)

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([copy, find])

    case_menu = bar.addMenu("&Case")
    case_menu.addActions([next_, prev, tag])
    window.addActions([next_, prev, tag, find, refresh, clear])

    view_menu = bar.addMenu("&View")
    view_menu.addActions([refresh, clear])
    columns_menu = view_menu.addMenu("&Columns")
    columns_menu.aboutToShow.connect(lambda: _fill_columns(window, columns_menu))
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(window)
    themes = {}
    for mode in THEMES:
        act = QAction(mode.title(), window)
        act.setObjectName(f"actionTheme_{mode}")
        act.setCheckable(True)
        act.triggered.connect(lambda _c=False, m=mode: window.set_theme(m))
        group.addAction(act)
        theme_menu.addAction(act)
        themes[mode] = act

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(about)
    return Actions(new, open_, demo, imp, export, settings, quit_, next_, prev, tag, find, copy, refresh,
                   clear, about, themes, recent_menu, columns_menu)


def _fill_columns(window, menu: QMenu) -> None:
    menu.clear()
    for action in window.table.column_menu().actions():
        action.setParent(menu)
        menu.addAction(action)
