"""Seal a table: number its rows, hash each row as written, hash the table."""

from __future__ import annotations

from workbench.core.export import manifest
from workbench.core.export.tables import ROW_HASH, ROW_NO, with_row_columns


def seal(table: str, columns, rows: list[dict]) -> tuple[tuple[str, ...], list[dict], dict]:
    """rows: written values keyed by column. Returns (all columns, rows with row_no and
    row_hash filled, the table's manifest entry)."""
    cols = with_row_columns(columns)
    hashes = []
    for i, row in enumerate(rows, start=1):
        row[ROW_NO] = i
        row[ROW_HASH] = manifest.row_hash(table, cols, row)
        hashes.append(row[ROW_HASH])
    return cols, rows, {"columns": list(cols), "rows": len(rows), "sha256": manifest.table_hash(hashes)}
