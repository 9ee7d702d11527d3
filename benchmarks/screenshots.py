"""PNG screenshots of the real window on the demo month, for the README (docs/screenshots/).

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 python benchmarks/screenshots.py

Opens the demo month through the start page's one-click path (import + reconcile on the
background worker, into a throw-away data dir), then grabs:
  main-window.png   the window: filters with counts, case table, detail of the first case
  case-detail.png   the detail pane on a case with divergences (amount mismatch if any)
  dark-theme.png    the same window with View > Theme > Dark
  start-page.png    the first-run page
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _wait(app, predicate, timeout: float = 300.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="workbench-shots-"))
    os.environ["WORKBENCH_DATA_DIR"] = str(tmp / "data")
    os.environ["WORKBENCH_CONFIG_DIR"] = str(tmp / "config")

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from workbench.core.queries.case_list import CaseFilter, case_ids
    from workbench.ui.app import make_app
    from workbench.ui.background import active_tasks
    from workbench.ui.main_window import MainWindow, app_icon

    app = make_app()
    app.setWindowIcon(app_icon())
    window = MainWindow(QSettings(str(tmp / "window.ini"), QSettings.Format.IniFormat))
    window.resize(1600, 900)
    window.splitter.setSizes([230, 600, 770])
    window.show()
    _wait(app, lambda: window.isVisible())

    def shot(name: str, widget=None) -> None:
        app.processEvents()
        pixmap = (widget or window).grab()
        path = args.out / name
        pixmap.save(str(path), "PNG")
        print(f"wrote {path} ({pixmap.width()}x{pixmap.height()})")

    window.set_theme("light")
    shot("start-page.png")

    window.open_demo()
    _wait(app, lambda: window.model.rowCount() > 0 and not active_tasks())
    app.processEvents()
    wb = window.workbook
    interesting = (case_ids(wb, CaseFilter(symptoms=("amount_mismatch",)))
                   or case_ids(wb, CaseFilter(symptoms=("partial_receipt",)))
                   or case_ids(wb))
    window.table.select_case(interesting[0])
    _wait(app, lambda: window.detail.current_case_id() == interesting[0])
    shot("main-window.png")
    shot("case-detail.png", window.detail)

    missing = case_ids(wb, CaseFilter(symptoms=("missing_handoff",)))
    if missing:
        window.table.select_case(missing[0])
        shot("case-detail-missing-record.png", window.detail)
        window.table.select_case(interesting[0])

    window.set_theme("dark")
    app.processEvents()
    shot("dark-theme.png")
    window.set_theme("system")
    window.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
