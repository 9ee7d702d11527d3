"""Returns Reconciliation Workbench.

`workbench.core` is the Qt-free domain (ingest, normalise, link, diagnose, store, audit,
export); `workbench.ui` is the PySide6 shell; `workbench.cli` is the command line. The CLI and
the GUI call the same core functions.
"""

__version__ = "0.1.0"
APP_NAME = "Returns Reconciliation Workbench"
APP_ID = "returns-workbench"
