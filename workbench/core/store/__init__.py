"""The store: the workbook database (SQLite file by default, any SQLAlchemy URL works)."""

from workbench.core.store.database import Workbook, database_url, open_workbook

__all__ = ["Workbook", "database_url", "open_workbook"]
