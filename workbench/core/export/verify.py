"""Verifying an exported log: intact, or which rows were edited, removed, added or reordered.

Per table (see manifest.py for the hashes):
* a row whose recomputed hash differs from its `row_hash` was edited (or is new: if its
  `row_no` is blank, out of range, or already held by an intact row, it was added);
* a `row_no` from 1..rows that no row holds was removed;
* rows whose `row_no`s are out of order (outside the longest increasing run) were reordered;
* the table's SHA-256 and row count must match the manifest, and the manifest its own hash.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.export import manifest as mf
from workbench.core.export import summary
from workbench.core.export.readers import read_log
from workbench.core.export.cells import canonical
from workbench.core.export.tables import KEY_COLUMN, ROW_HASH, ROW_NO, kind_of


@dataclass(frozen=True)
class RowIssue:
    table: str
    what: str                 # edited | removed | added | reordered
    file_row: int | None      # the row as the file shows it (None for a removed row)
    row_no: int | None        # the row's original position (row_no column)
    key: str | None           # case id / adjustment id / audit seq

    def __str__(self) -> str:
        where = f"row {self.file_row}" if self.file_row is not None else f"original row {self.row_no}"
        key = f" ({self.key})" if self.key else ""
        extra = f", originally row {self.row_no}" if self.file_row is not None and self.row_no and self.what == "reordered" else ""
        return f"{self.table}: {where}{key} was {self.what}{extra}"


@dataclass
class VerifyResult:
    path: str
    file_type: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    rows_edited: list[RowIssue] = field(default_factory=list)
    rows_removed: list[RowIssue] = field(default_factory=list)
    rows_added: list[RowIssue] = field(default_factory=list)
    rows_reordered: list[RowIssue] = field(default_factory=list)
    rows_checked: int = 0
    manifest: dict | None = None
    warnings: list[str] = field(default_factory=list)   # true of an intact log, worth saying

    @property
    def chain_head(self) -> tuple[int, str] | None:
        head = (self.manifest or {}).get("chain_head")
        return (head["seq"], head["hash"]) if head else None

    def summary(self) -> str:
        if self.ok:
            head = self.chain_head
            return (f"INTACT: {self.path} ({self.file_type}, {self.rows_checked} rows; audit chain head "
                    f"event {head[0]} {head[1][:16]}...)" if head else f"INTACT: {self.path}")
        return f"TAMPERED: {self.path}: {len(self.problems)} problem(s)"


def _int(value) -> int | None:
    try:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number = float(value) if not isinstance(value, int) else value
        return int(number) if number == int(number) else None
    except (TypeError, ValueError):
        return None


def _lis_keep(seq: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of `seq`."""
    tails, tails_idx, parent = [], [], [-1] * len(seq)
    for i, v in enumerate(seq):
        pos = bisect.bisect_left(tails, v)
        if pos == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[pos] = v
            tails_idx[pos] = i
        parent[i] = tails_idx[pos - 1] if pos else -1
    keep, i = set(), tails_idx[-1] if tails_idx else -1
    while i != -1:
        keep.add(i)
        i = parent[i]
    return keep


def _verify_table(result: VerifyResult, table: str, info: dict, header, rows) -> None:
    columns = info.get("columns", [])
    count = int(info.get("rows", 0))
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c and c not in columns]
    if missing:
        result.problems.append(f"{table}: column(s) removed or renamed: {', '.join(missing)}")
    if extra:
        result.problems.append(f"{table}: column(s) added: {', '.join(extra)}")
    key_col = KEY_COLUMN.get(table)
    entries = []   # (file_row, row_no, key, valid)
    for file_row, values in rows:
        row_no = _int(values.get(ROW_NO))
        key = canonical(values.get(key_col), kind_of(key_col)) if key_col else ""
        key = key or None
        valid = (values.get(ROW_HASH) == mf.row_hash(table, columns, values)
                 and row_no is not None and 1 <= row_no <= count)
        entries.append((file_row, row_no, key, valid))
    # intact rows in the longest increasing run of row_no hold their slot; other intact rows
    # are duplicates (added) or moved (reordered); rows failing their hash are edited or added
    intact = [(idx, e[1]) for idx, e in enumerate(entries) if e[3]]
    keep = _lis_keep([r for _, r in intact])
    held: dict[int, int] = {intact[pos][1]: intact[pos][0] for pos in keep}
    for pos, (idx, row_no) in enumerate(intact):
        if pos in keep:
            continue
        file_row, _, key, _ = entries[idx]
        if row_no in held:
            result.rows_added.append(RowIssue(table, "added", file_row, row_no, key))
        else:
            held[row_no] = idx
            result.rows_reordered.append(RowIssue(table, "reordered", file_row, row_no, key))
    for idx, (file_row, row_no, key, valid) in enumerate(entries):
        if valid:
            continue
        if row_no is None or not 1 <= row_no <= count or row_no in held:
            result.rows_added.append(RowIssue(table, "added", file_row, row_no, key))
        else:
            held[row_no] = idx
            result.rows_edited.append(RowIssue(table, "edited", file_row, row_no, key))
    by_no = {row_no: entries[idx][2] for row_no, idx in held.items()}
    for row_no in range(1, count + 1):
        if row_no not in held:
            before = next((by_no[n] for n in range(row_no - 1, 0, -1) if n in by_no), None)
            result.rows_removed.append(RowIssue(table, "removed", None, row_no,
                                                f"after {before}" if before else "the first row"))
    result.rows_checked += len(rows)
    stored = [values.get(ROW_HASH) or "" for _, values in rows]
    if len(rows) != count:
        result.problems.append(f"{table}: {len(rows)} rows, the manifest says {count}")
    if mf.table_hash(stored) != info.get("sha256"):
        result.problems.append(f"{table}: content SHA-256 differs from the manifest")


def verify_log(path, workbook=None) -> VerifyResult:
    """Check a CSV, XLSX or JSON log against the manifest inside it. With `workbook`, also
    check that the manifest's audit chain head is an event of that workbook's chain."""
    path = Path(path)
    log = read_log(path)
    result = VerifyResult(str(path), log.file_type, ok=False, problems=list(log.notes), manifest=log.manifest)
    manifest = log.manifest
    if manifest is None:
        if not result.problems:
            result.problems.append("no manifest found")
        return result
    if not mf.manifest_intact(manifest):
        result.problems.append("the manifest was edited (its own SHA-256 does not match)")
    tables = manifest.get("tables") or {}
    for table, info in tables.items():
        if table not in log.tables:
            result.problems.append(f"table {table!r} is missing")
            continue
        header, rows = log.tables[table]
        _verify_table(result, table, info, header, rows)
    for table in log.tables:
        if table not in tables:
            result.problems.append(f"table {table!r} is not in the manifest")
    want = manifest.get("summary_sha256")
    if want:
        if log.summary is None:
            result.problems.append("the summary was removed")
        else:
            got = (summary.lines_hash(log.summary) if log.file_type == "xlsx" else summary.dict_hash(log.summary))
            if got != want:
                result.problems.append("the summary (period, settings, counts) was edited")
    for issue in (*result.rows_edited, *result.rows_removed, *result.rows_added, *result.rows_reordered):
        result.problems.append(str(issue))
    if workbook is not None:
        _check_against_workbook(result, workbook)
    if manifest.get("chain_ok") is False:
        result.warnings.append("the workbook's audit chain was already broken when this log was exported")
    if manifest.get("mask_emails"):
        result.warnings.append("customer e-mails are masked in this log")
    result.ok = not result.problems
    return result


def _check_against_workbook(result: VerifyResult, workbook) -> None:
    from sqlalchemy import select

    from workbench.core.store.models import AuditEvent

    head = result.chain_head
    if head is None or head[0] == 0:
        return
    with workbook.sessions() as s:
        stored = s.execute(select(AuditEvent.hash).where(AuditEvent.seq == head[0])).scalar_one_or_none()
    if stored != head[1]:
        result.problems.append(f"the log's audit chain head (event {head[0]}) is not in workbook "
                               f"{workbook.display_name}'s audit trail")
