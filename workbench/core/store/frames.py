"""Frames in and out of the store, set-based, on the driver connection.

Reading: query results straight into pandas frames - the driver's cursor, then Arrow column by
column. Writing: Arrow columns in chunks - SQLite executemany fed by Arrow's to_pylist per chunk,
PostgreSQL COPY of Arrow-written CSV. At millions of rows the generic row-by-row paths (ORM
objects, pandas.read_sql / to_sql, astype(object) of whole columns) cost several times more.
Used by reconcile and the pattern analysis."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from workbench.core.canonical import UTC_DTYPE
from workbench.core.store import sqlite_bulk

STR_MAP = {pa.string(): pd.StringDtype()}


def fetch_frame(conn, sql: str, params: tuple, schema: dict[str, str]) -> pd.DataFrame:
    """Run `sql` ('{ph}' placeholders) on the driver's cursor and build the frame column by
    column with Arrow. schema: column -> 'int' | 'str' | 'time' | 'bool' | 'float'."""
    pg = conn.dialect.name == "postgresql"
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(sql.format(ph="%s" if pg else "?"), params)
        rows = cur.fetchall()
    finally:
        cur.close()
    columns = list(zip(*rows)) if rows else [()] * len(schema)
    del rows
    data = {}
    for (name, kind), values in zip(schema.items(), columns):
        if kind in ("int", "bool"):
            # flags come back as bool (PostgreSQL columns) or 0/1 (SQLite, computed flags)
            arr = pa.array(values) if kind == "bool" else pa.array(values, type=pa.int64())
            col = pd.array(arr.cast(pa.int64()).to_pandas(), dtype="Int64")
            data[name] = col if kind == "int" else pd.array(col.fillna(0).astype(bool), dtype=bool)
        elif kind == "float":
            data[name] = pa.array(values, type=pa.float64()).to_numpy(zero_copy_only=False)
        elif kind == "time":
            if pg:
                arr = pa.array(values, type=pa.timestamp("us"))
                data[name] = pd.Series(arr.to_pandas()).dt.tz_localize("UTC").astype(UTC_DTYPE).array
            else:
                text_ = pd.Series(pa.array(values, type=pa.string()).to_pandas(types_mapper=STR_MAP.get),
                                  dtype="string")
                data[name] = pd.to_datetime(text_, utc=True, format="ISO8601").astype(UTC_DTYPE).array
        else:
            data[name] = pd.array(pa.array(values, type=pa.string()).to_pandas(types_mapper=STR_MAP.get),
                                  dtype="string")
    return pd.DataFrame(data)


# --- writing: frames -> the store, in chunks, values built by Arrow --------------------------

CHUNK_CELLS = 2_000_000   # cells per executemany / COPY chunk (about 100,000 rows of 20 columns)


def db_column(values, kind: str = "auto", pg: bool = False) -> pa.Array:
    """One column as the driver should receive it: an Arrow array (nulls = NULL). Times
    ('time', aware UTC) become naive-UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' - what
    models.UTCDateTime stores in SQLite and what PostgreSQL's COPY reads for a timestamp."""
    # a pandas column backed by Arrow comes out zero-copy (possibly chunked: slices work the same)
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, from_pandas=True)
    if kind == "time" or pa.types.is_timestamp(arr.type):
        if arr.type.tz is not None and arr.type.tz != "UTC":
            raise ValueError(f"times must be UTC, got {arr.type.tz}")
        # a cast to naive UTC and then to text writes exactly that format, 17x faster than strftime
        return pc.cast(arr.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us")), pa.string())
    return arr


def insert_columns(conn, table: str, columns: dict[str, pa.Array]) -> int:
    """INSERT the columns (equal-length Arrow arrays, see db_column) into `table` on the
    connection's transaction: SQLite in bulk through store/sqlite_bulk (ADBC staging file +
    INSERT ... SELECT) where it is installed and worth it, else the driver cursor's
    executemany chunk by chunk; PostgreSQL (psycopg) through COPY of Arrow-written CSV. No list
    of every row is ever built. Returns the number of rows."""
    names = list(columns)
    arrays = [columns[n] for n in names]
    n = len(arrays[0]) if arrays else 0
    if n == 0:
        return 0
    step = max(1_000, CHUNK_CELLS // max(1, len(names)))
    dialect = conn.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_csv(conn, table, names, arrays, step)
        return n
    marks = ", ".join("%s" if dialect.paramstyle in ("format", "pyformat") else "?" for _ in names)
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
    if dialect.name != "sqlite":
        for start in range(0, n, step):
            conn.exec_driver_sql(sql, list(zip(*(a.slice(start, step).to_pylist() for a in arrays))))
        return n
    dbapi = conn.connection.driver_connection
    if sqlite_bulk.usable(dbapi, n):      # big appends: Arrow -> staging file -> INSERT ... SELECT
        sqlite_bulk.append(dbapi, table, names, arrays)
        return n
    cur = dbapi.cursor()
    try:
        for start in range(0, n, step):
            cur.executemany(sql, zip(*(a.slice(start, step).to_pylist() for a in arrays)))
    finally:
        cur.close()
    return n


def _copy_csv(conn, table: str, names: list[str], arrays: list[pa.Array], step: int) -> None:
    # CSV with every non-null value quoted: an unquoted empty field is NULL, "" an empty string
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT csv)"
    with conn.connection.driver_connection.cursor() as cur, cur.copy(statement) as copy:
        for start in range(0, len(arrays[0]), step):
            chunk = pa.table([a.slice(start, step) for a in arrays], names=names)
            sink = io.BytesIO()
            pacsv.write_csv(chunk, sink, options)
            copy.write(sink.getbuffer())


def execute_chunked(conn, sql: str, columns: list[pa.Array]) -> None:
    """executemany of `sql` ('?' placeholders, turned into '%s' on PostgreSQL) over equal-length
    Arrow columns, 100,000-odd rows at a time (UPDATEs, where COPY does not apply)."""
    n = len(columns[0]) if columns else 0
    if n == 0:
        return
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    step = max(1_000, CHUNK_CELLS // max(1, len(columns)))
    if conn.dialect.name == "sqlite":
        cur = conn.connection.driver_connection.cursor()
        try:
            for start in range(0, n, step):
                cur.executemany(sql, zip(*(a.slice(start, step).to_pylist() for a in columns)))
        finally:
            cur.close()
        return
    for start in range(0, n, step):
        conn.exec_driver_sql(sql, list(zip(*(a.slice(start, step).to_pylist() for a in columns))))
