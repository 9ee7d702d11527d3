"""SQLite bulk loads: drop a table's plain indexes before, rebuild them once after.

Maintaining a B-tree index row by row during a load of millions of rows costs far more than
one sorted build afterwards (platform-notes.md). Both the import (source_records) and the
reconcile save (cases, links, findings) use this, inside their own transaction.
"""

from __future__ import annotations

# page cache (KiB) while building: a large cache cost about 1.5 s more CPU for the eleven case
# indexes at a million cases (measured with build_workbook's 256 MB cache)
_BUILD_CACHE_KIB = 2_000


def drop_plain_indexes(conn, tables: tuple[str, ...]) -> list[str]:
    """SQLite: drop the plain (non-unique, named) indexes of `tables`; return their CREATE
    statements for rebuild_indexes."""
    marks = ", ".join("?" * len(tables))
    rows = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%'", tables).all()
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def rebuild_indexes(conn, statements: list[str]) -> None:
    """Run the CREATE INDEX statements drop_plain_indexes returned, with a small page cache
    (the connection's own size is restored after)."""
    if not statements:
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{_BUILD_CACHE_KIB}")
    try:
        for statement in statements:
            conn.exec_driver_sql(statement)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")
