"""The JSON resolution log: {"manifest", "summary", "tables": {cases, adjustments, audit_trail}}.
Rows are objects keyed by column; amounts are decimal strings (exact), times business-zone
text `YYYY-MM-DD HH:MM:SS`. JSON is not executed by spreadsheets, so text is not neutralised."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.core.export.cells import INT, MONEY, TIME, TIME_FORMAT
from workbench.core.export.content import LogContent
from workbench.core.export.sealing import seal
from workbench.core.export.summary import dict_hash, summary_dict
from workbench.core.export.tables import ADJUSTMENT_COLUMNS, AUDIT_COLUMNS, CASE_SHEET, kind_of


def _written(value, kind: str):
    if value is None:
        return None
    if kind == MONEY:
        return str(value)
    if kind == TIME:
        return value.strftime(TIME_FORMAT)
    if kind == INT:
        return int(value)
    return str(value)


def write_json(content: LogContent, out: Path, make_manifest) -> dict:
    tables, infos = {}, {}
    for name, columns, source in (("cases", CASE_SHEET, content.cases),
                                  ("adjustments", ADJUSTMENT_COLUMNS, content.adjustments),
                                  ("audit_trail", AUDIT_COLUMNS, content.audit_trail)):
        rows = [{c: _written(r.get(c), kind_of(c)) for c in columns} for r in source]
        cols, rows, infos[name] = seal(name, columns, rows)
        tables[name] = rows
    summary = summary_dict(content)
    manifest = make_manifest("json", infos, summary_sha256=dict_hash(summary))
    doc = {"manifest": manifest, "summary": summary, "tables": tables}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
    return manifest
