"""The NetSuite saved search as Excel writes it: one sheet, a header row, typed numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell


def write_xlsx(path: Path, header: list[str], columns: dict[str, pa.Array],
               numeric: dict[str, str] | None = None, sheet: str = "Results") -> None:
    """Cells are text except `numeric` columns: 'int' -> integer, 'money' -> a number cell with
    two decimals (the value written exactly, e.g. 84.99)."""
    numeric = numeric or {}
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(header)
    data = [columns[h].to_pylist() for h in header]
    kinds = [numeric.get(h) for h in header]
    for row in zip(*data):
        ws.append([_cell(ws, v, k) for v, k in zip(row, kinds)])
    book.save(path)


def _cell(ws, value, kind):
    if value is None or value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "money":
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = "#,##0.00"
        return cell
    return value
