"""Reading query results straight into pandas frames, set-based: the driver's cursor, then
Arrow column by column. At millions of rows the generic row-by-row paths (ORM objects,
pandas.read_sql) cost several times more. Used by reconcile and the pattern analysis."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from workbench.core.canonical import UTC_DTYPE

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
