"""Spreadsheets (XLSX, XLS, ODS): previews and full reads as tables of cell text.

Previews (detection) use openpyxl read-only for the first rows of every sheet; a workbook
whose sheets lack `<dimension>` (streaming writers) would make openpyxl scan everything, so it
is previewed with calamine instead and that full read is reused by the import (one entry
cache). Full reads go through python-calamine, which returns cached formula values; typed
cells become text via reader.column_text (numbers by shortest repr, dates ISO).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.errors import ImportFailure
from workbench.core.ingest.reader import (
    HEADER_SCAN,
    PREVIEW_ROWS,
    RawTable,
    _dedupe,
    _frame_from_rows,
    cell_text,
    column_text,
)

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

_CACHE: dict[tuple, dict[str, list[list]]] = {}


def _cache_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def _has_dimensions(path: Path) -> bool:
    """openpyxl read-only scans a whole sheet that has no <dimension> (files written by
    streaming writers); such workbooks are previewed with calamine instead."""
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with zf.open(name) as fh:
                        if not re.search(rb"<(\w+:)?dimension\b", fh.read(4096)):
                            return False
    except (zipfile.BadZipFile, OSError, KeyError):
        return True   # let openpyxl report the damage
    return True


def xlsx_previews(path: Path) -> list[tuple[str, list[list[str]]]]:
    """(sheet name, first rows as text) for every sheet, via openpyxl read-only (fast)."""
    file = path.name
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not _has_dimensions(path):
        key = _cache_key(path)
        full = _CACHE.get(key)
        if full is None:
            full = {name: rows for name, rows in _calamine_sheets(path, raw=True)}
            _CACHE.clear()
            _CACHE[key] = full
        return [(name, [[cell_text(v) for v in r] for r in rows[: PREVIEW_ROWS + HEADER_SCAN]])
                for name, rows in full.items()]
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFailure(file, f"not a readable XLSX workbook ({type(exc).__name__})",
                            expected="an .xlsx file saved by Excel or a vendor export") from None
    try:
        out = []
        for ws in wb.worksheets:
            rows = []
            for r in ws.iter_rows(max_row=PREVIEW_ROWS + HEADER_SCAN, values_only=True):
                rows.append([cell_text(v) for v in r])
            out.append((ws.title, rows))
        return out
    except Exception as exc:  # noqa: BLE001 - any XML/zip damage is one import failure
        raise ImportFailure(file, f"not a readable XLSX workbook ({type(exc).__name__})",
                            expected="an .xlsx file saved by Excel or a vendor export") from None
    finally:
        wb.close()


def _calamine_sheets(path: Path, only: str | None = None, raw: bool = False):
    """(sheet, rows of typed values) via calamine; a preview's full read is reused once."""
    from python_calamine import CalamineWorkbook

    cached = _CACHE.pop(_cache_key(path), None) if only else None
    if cached is not None and only in cached:
        yield only, cached[only]
        return
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = [only] if only else list(wb.sheet_names)
        for name in names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            yield name, rows
    except ImportFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise ImportFailure(path.name, f"not a readable spreadsheet ({exc.__class__.__name__})",
                            expected="an .xlsx file saved by Excel or a vendor export") from None


def read_xlsx_table(path: Path, sheet: str, header_index: int, *, preview_rows=None) -> RawTable:
    """One sheet below its header row. preview_rows: the already-read preview rows."""
    if preview_rows is not None:
        headers = _dedupe(preview_rows[header_index])
        frame = _frame_from_rows(preview_rows[header_index + 1:], headers)
    else:
        (_, rows), = list(_calamine_sheets(path, only=sheet))
        if len(rows) <= header_index:
            raise ImportFailure(path.name, f"sheet {sheet!r} has no rows below its header")
        headers = _dedupe([cell_text(v) for v in rows[header_index]])
        n = len(headers)
        body = rows[header_index + 1:]
        obj = pd.DataFrame(body, dtype=object) if body else pd.DataFrame(columns=range(n), dtype=object)
        extra = 0
        if obj.shape[1] > n:
            tail = obj.iloc[:, n:]
            extra = int((tail.notna() & (tail.astype(str) != "")).any(axis=1).sum())
        obj = obj.reindex(columns=range(n))
        frame = pd.DataFrame({h: column_text(obj[i]) for i, h in enumerate(headers)})
        frame.attrs["extra_fields_rows"] = extra
    first = header_index + 2
    return RawTable(path=path, headers=headers, frame=frame,
                    rows=np.arange(first, first + len(frame), dtype=np.int64),
                    header_row=header_index + 1, sheet=sheet, notes=[f"sheet {sheet!r}"])


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES
