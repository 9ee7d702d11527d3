"""The store: the workbook database (SQLite file by default, any SQLAlchemy URL works)."""

from workbench.core.store.database import Workbook, build_workbook, database_url, is_new_sqlite_file, open_workbook

__all__ = ["Workbook", "build_workbook", "database_url", "is_new_sqlite_file", "open_workbook"]
