"""Seal a table: number its rows, hash each row as written, hash the table."""

from __future__ import annotations

import hashlib

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


class Sealer:
    """The streaming form of `seal`: add rows one by one, then `info()`."""

    def __init__(self, table: str, columns) -> None:
        self.table, self.columns = table, with_row_columns(columns)
        self.count = 0
        self._digest = hashlib.sha256()

    def add(self, row: dict) -> dict:
        self.count += 1
        row[ROW_NO] = self.count
        row[ROW_HASH] = manifest.row_hash(self.table, self.columns, row)
        self._digest.update(((b"\n" if self.count > 1 else b"") + row[ROW_HASH].encode("ascii")))
        return row

    def info(self) -> dict:
        return {"columns": list(self.columns), "rows": self.count, "sha256": self._digest.hexdigest()}
