"""The XLSX resolution log, for people (openpyxl, write-only mode so it scales).

Sheets: Summary (period, as-of, settings, counts by symptom / boundary / status, structural
flags), Cases (each system's id, amount, stage and time side by side; divergent cells filled),
Adjustments, Audit trail, Manifest (readable lines plus the manifest JSON in one cell).
Frozen header row (and case id column), autofilter, widths, `#,##0.00` amounts and
`yyyy-mm-dd hh:mm:ss` times in the business zone. Text cells are written with the explicit
string type, so `=HYPERLINK(...)` stays inert text in Excel and LibreOffice.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as XlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from workbench.core.export import manifest as mf
from workbench.core.export.cells import INT, MONEY, TIME, is_dangerous
from workbench.core.export.content import LogContent
from workbench.core.export.sealing import seal
from workbench.core.export.summary import lines_hash, summary_lines
from workbench.core.export.tables import (
    ADJUSTMENT_COLUMNS, AUDIT_COLUMNS, CASE_SHEET, ROW_HASH, kind_of,
)

SUMMARY_SHEET = "Summary"
SHEETS = {"cases": "Cases", "adjustments": "Adjustments", "audit_trail": "Audit trail"}
MANIFEST_SHEET = "Manifest"
MANIFEST_JSON_LABEL = "manifest_json"

MONEY_FORMAT = "#,##0.00"
TIME_FORMAT_XL = "yyyy-mm-dd hh:mm:ss"
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDE4EE")
_DIVERGENT_FILL = PatternFill("solid", fgColor="FFF8CBAD")
_WIDTHS = {MONEY: 13, TIME: 19, INT: 8}
_WIDE = {"evidence": 60, "customer": 28, "before": 40, "after": 40, "hash": 20, ROW_HASH: 20,
         "comment": 30, "review_comment": 30, "case_key": 22, "fix_type": 24, "boundary": 24}


XLSX_CELL_MAX = 32_767   # characters a spreadsheet cell holds


def _value(value, kind: str):
    if value is None:
        return None
    if kind == INT:
        return int(value)
    if kind in (MONEY, TIME):
        return value
    text = str(value)
    if len(text) > XLSX_CELL_MAX:   # cut before sealing, so the hash covers what the cell holds
        text = text[:XLSX_CELL_MAX - 60] + " ... [cut: a cell holds 32,767 characters; see the JSON log]"
    return text


def _cell(ws, value, kind: str, fill=None, bold=False):
    cell = WriteOnlyCell(ws, value=value)
    if kind == MONEY:
        cell.number_format = MONEY_FORMAT
    elif kind == TIME:
        cell.number_format = TIME_FORMAT_XL
    elif isinstance(value, str):
        cell.data_type = "s"     # explicit string: never a formula
    if fill is not None:
        cell.fill = fill
    if bold:
        cell.font = _BOLD
    return cell


def _fast(ws, value, kind: str, divergent: bool):
    """A plain value where openpyxl writes it right by itself (most cells: faster), else a
    styled / explicitly typed cell."""
    if not divergent and (value is None or (kind in ("text", INT) and not is_dangerous(str(value)))):
        return value
    return _cell(ws, value, kind, _DIVERGENT_FILL if divergent else None)


def _table_sheet(book, title: str, cols, rows, marks=None) -> None:
    ws = book.create_sheet(title)
    ws.freeze_panes = "B2"
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDE.get(col, _WIDTHS.get(kind_of(col), 14))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(len(rows) + 1, 2)}"
    header = []
    for col in cols:
        c = _cell(ws, col, "text", fill=_HEADER_FILL, bold=True)
        header.append(c)
    ws.append(header)
    kinds = [(c, kind_of(c)) for c in cols]
    for idx, row in enumerate(rows):
        fills = marks[idx] if marks else ()
        ws.append([_fast(ws, row[c], kind, c in fills) for c, kind in kinds])


def _summary_sheet(book, lines) -> None:
    ws = book.create_sheet(SUMMARY_SHEET)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 60
    for label, value, heading in lines:
        ws.append([_cell(ws, label, "text", bold=heading),
                   _cell(ws, value, INT if isinstance(value, int) else "text")])


def _manifest_sheet(book, manifest: dict) -> None:
    ws = book.create_sheet(MANIFEST_SHEET)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80
    rows = [("Format", f"{manifest['format']} v{manifest['format_version']}"),
            ("Program", manifest["program"]), ("Exported at (UTC)", manifest["exported_at"]),
            ("Exported by", manifest["exported_by"]),
            ("Audit chain head", f"{manifest['chain_head']['seq']} {manifest['chain_head']['hash']}")]
    for name, info in manifest["tables"].items():
        rows.append((f"{SHEETS[name]}: rows / SHA-256", f"{info['rows']} / {info['sha256']}"))
    rows.append(("Check with", "workbench verify THIS_FILE"))
    rows.append((MANIFEST_JSON_LABEL, mf.dumps(manifest)))
    for label, value in rows:
        ws.append([_cell(ws, label, "text", bold=True), _cell(ws, value, "text")])


def _written(row: dict, cols) -> dict:
    return {c: _value(row.get(c), kind_of(c)) for c in cols}


XLSX_MAX_ROWS = 1_048_576


from workbench.core.export.insights_sheet import insights_sheet  # noqa: E402


def write_xlsx(content: LogContent, out: Path, make_manifest) -> dict:
    for name, source in (("cases", content.cases), ("audit trail events", content.audit_trail)):
        if len(source) >= XLSX_MAX_ROWS:
            raise ValueError(f"{len(source):,} {name} do not fit in one XLSX sheet (max {XLSX_MAX_ROWS - 1:,} "
                             f"rows); export the log as .csv or .json instead")
    sealed, infos = {}, {}
    for name, columns, source in (("cases", CASE_SHEET, content.cases),
                                  ("adjustments", ADJUSTMENT_COLUMNS, content.adjustments),
                                  ("audit_trail", AUDIT_COLUMNS, content.audit_trail)):
        cols, rows, infos[name] = seal(name, columns, [_written(r, columns) for r in source])
        sealed[name] = (cols, rows)
    lines = summary_lines(content, make_manifest.meta)
    manifest = make_manifest("xlsx", infos, summary_sha256=lines_hash((l, v) for l, v, _ in lines))
    book = XlWorkbook(write_only=True)
    _summary_sheet(book, lines)
    if content.insights is not None:
        insights_sheet(book, content.insights)
    _table_sheet(book, SHEETS["cases"], *sealed["cases"], marks=content.divergent)
    _table_sheet(book, SHEETS["adjustments"], *sealed["adjustments"])
    _table_sheet(book, SHEETS["audit_trail"], *sealed["audit_trail"])
    _manifest_sheet(book, manifest)
    book.save(out)
    return manifest


