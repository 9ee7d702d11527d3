"""Edit an exported log the way a person would (in place), for the tamper tests."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook


def read_rows(path: Path, sheet: str = "Cases") -> tuple[list, list[list], list]:
    """(header, data rows, trailer rows) of the cases table."""
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            lines = list(csv.reader(fh))
        header, body = lines[0], lines[1:]
        data = [r for r in body if r[0] != "#manifest"]
        trailer = [r for r in body if r[0] == "#manifest"]
        return header, data, trailer
    book = load_workbook(path)
    rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    return rows[0], rows[1:], []


def write_rows(path: Path, header, data, trailer, sheet: str = "Cases") -> None:
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(data)
            w.writerows(trailer)
        return
    book = load_workbook(path)
    ws = book[sheet]
    ws.delete_rows(2, ws.max_row)
    for r in data:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"   # it was text before the rewrite: keep it text, as a person would
    book.save(path)


def edit(path: Path, mutate, sheet: str = "Cases") -> None:
    header, data, trailer = read_rows(path, sheet)
    data = mutate(header, data)
    write_rows(path, header, data, trailer, sheet)
