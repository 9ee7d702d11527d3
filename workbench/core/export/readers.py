"""Reading an exported log back for verification: manifest + tables of raw cell values.

Each table comes back as (header, [(file_row, {column: value})]); `file_row` is the row as the
file shows it (spreadsheet row number; the header is row 1; JSON: position from 1).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.export.csv_writer import MANIFEST_MARK
from workbench.core.export.xlsx_writer import MANIFEST_JSON_LABEL, MANIFEST_SHEET, SHEETS, SUMMARY_SHEET


class UnreadableLog(WorkbenchError):
    """The file is not a resolution log this program can read."""


@dataclass
class ReadLog:
    file_type: str
    manifest: dict | None
    tables: dict[str, tuple[list[str], list[tuple[int, dict]]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary: object = None     # XLSX: [(label, value)] of the Summary sheet; JSON: the summary object


def _parse_manifest(text, where: str, notes: list[str]) -> dict | None:
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    except (TypeError, ValueError):
        pass
    notes.append(f"the manifest in {where} is not readable JSON (it was edited)")
    return None


def read_csv(path: Path) -> ReadLog:
    log = ReadLog("csv", None)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise UnreadableLog(f"{path}: empty file, not a resolution log") from None
        if "case_id" not in header:
            raise UnreadableLog(f"{path}: no case_id column, not a resolution log")
        rows, manifests = [], []
        for line_no, cells in enumerate(reader, start=2):
            if not any(cells):
                continue
            record = dict(zip(header, cells + [""] * (len(header) - len(cells))))
            if record.get("case_id") == MANIFEST_MARK:
                manifests.append((line_no, record.get("evidence", "")))
                continue
            if manifests:
                log.notes.append(f"row {line_no} comes after the manifest row")
            rows.append((line_no, record))
    if not manifests:
        log.notes.append(f"no {MANIFEST_MARK} row: the manifest was removed")
    else:
        if len(manifests) > 1:
            log.notes.append(f"{len(manifests)} manifest rows (rows {', '.join(str(n) for n, _ in manifests)})")
        log.manifest = _parse_manifest(manifests[-1][1], f"row {manifests[-1][0]}", log.notes)
    log.tables["cases"] = (header, rows)
    return log


def read_xlsx(path: Path) -> ReadLog:
    """Read with calamine (10x openpyxl here; cached values, so a typed-in formula counts by
    the value it shows)."""
    from python_calamine import CalamineWorkbook

    log = ReadLog("xlsx", None)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear line
        raise UnreadableLog(f"{path}: not a readable XLSX file ({exc.__class__.__name__})") from exc

    def sheet(title: str) -> list[list]:
        return book.get_sheet_by_name(title).to_python(skip_empty_area=False)

    if MANIFEST_SHEET in book.sheet_names:
        for values in sheet(MANIFEST_SHEET):
            if len(values) >= 2 and values[0] == MANIFEST_JSON_LABEL:
                log.manifest = _parse_manifest(values[1], f"sheet {MANIFEST_SHEET}", log.notes)
        if log.manifest is None and not log.notes:
            log.notes.append("the manifest JSON row was removed from the Manifest sheet")
    else:
        log.notes.append(f"no {MANIFEST_SHEET} sheet: the manifest was removed")
    if SUMMARY_SHEET in book.sheet_names:
        log.summary = [(row[0], row[1] if len(row) > 1 else None) for row in sheet(SUMMARY_SHEET) if row]
    for table, title in SHEETS.items():
        if title not in book.sheet_names:
            log.notes.append(f"sheet {title!r} is missing")
            continue
        values = sheet(title)
        header = [str(h) if h not in (None, "") else "" for h in (values[0] if values else [])]
        rows = []
        for row_no, cells in enumerate(values[1:], start=2):
            if all(v in (None, "") for v in cells):
                continue
            rows.append((row_no, dict(zip(header, cells))))
        log.tables[table] = (header, rows)
    return log


def read_json(path: Path) -> ReadLog:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UnreadableLog(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or "tables" not in doc:
        raise UnreadableLog(f"{path}: no 'tables' object, not a resolution log")
    log = ReadLog("json", doc.get("manifest") if isinstance(doc.get("manifest"), dict) else None)
    if log.manifest is None:
        log.notes.append("no manifest object: the manifest was removed")
    log.summary = doc.get("summary")
    for table, rows in (doc.get("tables") or {}).items():
        rows = rows if isinstance(rows, list) else []
        header = list(dict.fromkeys(k for r in rows if isinstance(r, dict) for k in r))
        if not rows and log.manifest:   # an empty table has no keys to read its columns from
            header = list(((log.manifest.get("tables") or {}).get(table) or {}).get("columns", []))
        log.tables[table] = (header, [(i, r if isinstance(r, dict) else {}) for i, r in enumerate(rows, start=1)])
    return log


READERS = {".csv": read_csv, ".xlsx": read_xlsx, ".json": read_json}


def read_log(path: Path) -> ReadLog:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableLog(f"{path}: unknown log type {path.suffix!r} (expected .csv, .xlsx or .json)")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    return reader(path)
