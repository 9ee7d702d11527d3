"""The CSV resolution log: the contract columns (tables.CASE_CONTRACT) first, then extras,
then `row_no` and `row_hash`. The manifest travels as the LAST row: `case_id` = `#manifest`,
the manifest JSON in the `evidence` column, every other cell empty. Readers drop it with
`df[df.case_id != "#manifest"]`; pandas, Excel and LibreOffice read the file unchanged.
Amounts are plain decimals (`99.99`, `-15.00`); text cells a spreadsheet would execute are
prefixed with a single quote."""

from __future__ import annotations

import csv
from pathlib import Path

from workbench.core.export import manifest as mf
from workbench.core.export.cells import INT, MONEY, TIME, TIME_FORMAT, neutralise
from workbench.core.export.content import LogContent
from workbench.core.export.sealing import Sealer
from workbench.core.export.tables import CASE_CONTRACT, CASE_EXTRA, kind_of

MANIFEST_MARK = "#manifest"
CSV_COLUMNS = CASE_CONTRACT + CASE_EXTRA


def written(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return str(value)
    if kind == TIME:
        return value.strftime(TIME_FORMAT)
    if kind == INT:
        return str(int(value))
    return neutralise(str(value))


def write_csv(content: LogContent, out: Path, make_manifest, case_rows=None) -> dict:
    """`case_rows`: an iterator of (row, marks) to stream (default: content.cases)."""
    rows = case_rows if case_rows is not None else ((r, None) for r in content.cases)
    sealer = Sealer("cases", CSV_COLUMNS)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(sealer.columns)
        for row, _ in rows:
            sealed = sealer.add({c: written(row.get(c), kind_of(c)) for c in CSV_COLUMNS})
            w.writerow([sealed[c] for c in sealer.columns])
        manifest = make_manifest("csv", {"cases": sealer.info()})
        w.writerow([MANIFEST_MARK if c == "case_id" else mf.dumps(manifest) if c == "evidence" else ""
                    for c in sealer.columns])
    return manifest
