"""Resolution log export (CSV / XLSX / JSON by extension) and its verification.

export_log(workbook, out, mask_emails=False, job=None) -> ExportResult
verify_log(path, workbook=None) -> VerifyResult  (.ok .problems .rows_edited/removed/added/reordered)

Every log carries its manifest inside (CSV: a final `#manifest` row; XLSX: the Manifest
sheet; JSON: the `manifest` object): per-table SHA-256 and row count, per-row hashes in the
`row_hash` column, the audit chain head, exported_at/by, program version, settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.export import manifest as mf
from workbench.core.export.content import gather, gather_head, iter_case_rows, settings_json
from workbench.core.export.csv_writer import write_csv
from workbench.core.export.flags import structural_flags
from workbench.core.export.json_writer import write_json
from workbench.core.export.verify import RowIssue, VerifyResult, verify_log
from workbench.core.export.xlsx_writer import write_xlsx
from workbench.core.jobs import ensure_job

WRITERS = {".csv": write_csv, ".xlsx": write_xlsx, ".json": write_json}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    file_type: str
    cases: int
    adjustments: int
    audit_events: int
    content_sha256: str          # the cases table's SHA-256
    chain_head: tuple[int, str]
    chain_ok: bool
    manifest: dict


def export_log(workbook, out, mask_emails: bool = False, job=None) -> ExportResult:
    out = Path(out)
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ValueError(f"{out}: choose a log type by extension: .csv, .xlsx or .json")
    job = ensure_job(job)
    job.step(0.0, "reading cases")
    streaming = writer is write_csv     # the CSV streams its case rows; XLSX/JSON hold them
    content = (gather_head(workbook, mask=mask_emails) if streaming
               else gather(workbook, mask=mask_emails, job=job))
    job.check()
    exported_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def make_manifest(fmt: str, tables: dict, summary_sha256: str | None = None) -> dict:
        return mf.build(fmt=fmt, exported_at=exported_at, exported_by=workbook.user,
                        workbook=workbook.display_name, chain_head=content.chain_head,
                        chain_ok=content.chain_ok, settings=settings_json(content.settings),
                        mask_emails=mask_emails, tables=tables, summary_sha256=summary_sha256)

    make_manifest.meta = {"exported_at": exported_at, "exported_by": workbook.user,
                          "workbook": workbook.display_name, "chain_head": content.chain_head}

    tmp = out.with_name(out.name + ".partial")
    job.step(0.6, f"writing {out.name}")
    try:
        if streaming:
            rows = iter_case_rows(workbook, mask=mask_emails, tz=content.settings.timezone, job=job,
                                  total=content.case_count)
            manifest = write_csv(content, tmp, make_manifest, rows)
        else:
            manifest = writer(content, tmp, make_manifest)
        job.check()
        tmp.replace(out)
    finally:
        if tmp.exists():
            tmp.unlink()
    job.step(1.0, f"wrote {out.name}")
    return ExportResult(out, out.suffix.lower().lstrip("."), content.case_count, len(content.adjustments),
                        len(content.audit_trail), manifest["tables"]["cases"]["sha256"],
                        content.chain_head, content.chain_ok, manifest)


__all__ = ["export_log", "verify_log", "ExportResult", "VerifyResult", "RowIssue", "structural_flags"]
