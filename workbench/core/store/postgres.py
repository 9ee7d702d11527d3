"""PostgreSQL-specific store helpers: COPY bulk load, sequence reset, fast emptying.

Used by `store/copy.py` (publishing a workbook to the team store) and available to any bulk
writer that wants COPY instead of INSERT on PostgreSQL. Every helper runs on the caller's
SQLAlchemy Connection, inside its transaction.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

from sqlalchemy import Connection, Engine, Integer, Table, text

# advisory lock keys of the workbench (audit.py uses 0x5257424E for the audit chain)
RECONCILE_LOCK = 0x52574252  # 'RWBR'


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def copy_rows(conn: Connection, table: Table, rows: Iterable[Sequence], columns: Sequence[str] | None = None) -> int:
    """COPY rows (tuples in `columns` order, Python values as SQLAlchemy would bind them)
    into `table`. Values pass through the columns' bind processors first, so UTCDateTime and
    friends store exactly what an ORM insert would. Returns the number of rows written."""
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    dialect = conn.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    column_list = ", ".join(_quote(conn, n) for n in names)
    statement = f"COPY {_quote(conn, table.name)} ({column_list}) FROM STDIN"
    raw = conn.connection.driver_connection
    count = 0
    with raw.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            if active:
                row = list(row)
                for i, proc in active:
                    row[i] = proc(row[i])
            copy.write_row(row)
            count += 1
    return count


def serial_pk(table: Table) -> str | None:
    """The name of the table's single integer primary key column, if it has one."""
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, Integer):
        return pk[0].name
    return None


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After rows were written with explicit ids: make each serial sequence continue after
    the largest id, so the next ordinary insert does not collide."""
    for table in tables:
        pk = serial_pk(table)
        if pk is None:
            continue
        t, c = _quote(conn, table.name), _quote(conn, pk)
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({c}), 1), MAX({c}) IS NOT NULL) "
            f"FROM {t}"), {"t": table.name, "c": pk})


def truncate(conn: Connection, tables: Iterable[Table]) -> None:
    """Empty the tables in one statement (foreign keys among them are fine)."""
    names = ", ".join(_quote(conn, t.name) for t in tables)
    if names:
        conn.execute(text(f"TRUNCATE {names}"))


@contextmanager
def team_lock(engine: Engine, key: int) -> Iterator[None]:
    """Hold a PostgreSQL session advisory lock (on its own connection) for the block, so one
    team member at a time runs an operation that reads, computes and writes as a whole
    (e.g. reconcile); others wait. No-op on SQLite, where the file lock already serialises
    writers."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({int(key)})")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({int(key)})")
