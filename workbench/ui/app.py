"""Application start-up: QApplication, theme, main window, which workbook to open first.

`workbench gui` (or plain `workbench`) opens the last workbook, or the start page when there
is none; `--db` opens a workbook (SQLite path or database URL); `--demo` opens the demo month
(imported and diagnosed in the background on first use).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from workbench import APP_ID, APP_NAME, __version__


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    return app


def _last_workbook(window) -> str | None:
    for target in window.recent_workbooks():
        if "://" in target or Path(target).exists():
            return target
    return None


def start_window(db: str | None = None, demo: bool = False, qsettings=None):
    """Create and show the main window on the right workbook (see the module docstring)."""
    from workbench.ui.main_window import MainWindow, app_icon

    app = make_app()
    app.setWindowIcon(app_icon())
    window = MainWindow(qsettings)
    window.show()
    if db:
        window.open_workbook(db)
    elif demo:
        window.open_demo()
    else:
        last = _last_workbook(window)
        if last:
            window.open_workbook(last, create=False)
    return window


def run_app(db: str | None = None, demo: bool = False, quit_after: float | None = None) -> int:
    app = make_app()
    window = start_window(db, demo)
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)
    return app.exec()
