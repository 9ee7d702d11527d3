"""import_files: parse every file first, then load them all in ONE transaction.

* A file whose sha256 is already in import_batches is 'unchanged' (costs only the hash).
* Records are matched on (system, record_id) against the current versions: unchanged rows
  are skipped; changed rows get a new version (the old row stays, is_current = False); if the
  old version is linked to a case someone has worked on (tags, notes, adjustments or status
  other than 'open'), the case is flagged source_changed and an audit event says why.
* SQLite bulk inserts go through the driver connection's executemany (platform-notes.md:
  about 3x faster than ORM or Core inserts); PostgreSQL (psycopg 3) uses COPY on the
  session's connection; other databases a Core executemany.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from workbench.core import audit
from workbench.core.errors import ImportFailure
from workbench.core.ingest.read import ParsedFile, file_sha256, read_file
from workbench.core.jobs import Job, ensure_job
from workbench.core.store.models import Case, ImportBatch, SourceRecord

_INSERT_COLUMNS = (
    "batch_id", "system", "profile", "source_row", "record_id", "return_ref", "order_ref",
    "refund_ref", "customer", "amount_minor", "currency", "stage", "status_raw", "occurred_at",
    "approved_at", "refunded_at", "updated_at", "channel", "agent", "category", "source_version",
    "raw", "row_hash", "version", "is_current",
)
_TIMES = ("occurred_at", "approved_at", "refunded_at", "updated_at")
_PG_IMPORT_LOCK = 0x5257424C  # 'RWBL': serialises imports into one PostgreSQL team store


@dataclass
class FileImport:
    path: Path
    status: str                 # 'imported' | 'unchanged'
    batch_id: int | None        # for 'unchanged': the earlier batch of the same content
    profile: str | None
    system: str | None
    confidence: float | None
    rows_loaded: int = 0        # new records + new versions written
    rows_updated: int = 0       # of which new versions of earlier records
    rows_skipped: int = 0       # non-refund rows (charges, payouts, fees, totals)
    rows_unchanged: int = 0     # records identical to their current version
    skipped_by_kind: dict[str, int] = field(default_factory=dict)
    flagged_case_ids: list[int] = field(default_factory=list)


@dataclass
class ImportSummary:
    files: list[FileImport]
    touched_record_ids: list[int]          # new / new-version source_records ids
    flagged_case_ids: list[int]            # cases whose records changed after work on them


def _profile_for(path: Path, profiles) -> object | None:
    if profiles is None:
        return None
    if isinstance(profiles, (str, Path)) and not isinstance(profiles, dict):
        return str(profiles)
    for key in (str(path), path.name, str(path.resolve())):
        if key in profiles:
            return profiles[key]
    return None


def import_files(workbook, paths, profiles=None, job: Job | None = None,
                 business_tz: str | None = None) -> ImportSummary:
    """Import files all-or-nothing. `profiles`: {path or file name: profile name/TOML path},
    or one name applied to every file. Raises ImportFailure before anything is written."""
    job = ensure_job(job)
    paths = [Path(p) for p in paths]
    tz = business_tz or workbook.business_settings().timezone
    # 1. hash and parse everything first
    with workbook.sessions() as s:
        known = {sha: (bid, prof, system) for sha, bid, prof, system in s.execute(
            select(ImportBatch.sha256, ImportBatch.id, ImportBatch.profile, ImportBatch.system)
            .order_by(ImportBatch.id))}
    plan: list[tuple[Path, ParsedFile | None, str]] = []
    seen: set[str] = set()
    n = max(1, len(paths))
    for i, path in enumerate(paths):
        job.check()
        if not path.exists():
            raise ImportFailure(path.name, "file not found", expected="an existing export file")
        sha, _ = file_sha256(path)
        if sha in known or sha in seen:
            plan.append((path, None, sha))
            continue
        seen.add(sha)
        parsed = read_file(path, _profile_for(path, profiles), job=job.sub(i / n * 0.7, (i + 1) / n * 0.7),
                           business_tz=tz)
        plan.append((path, parsed, sha))
    job.check()
    # 2. one transaction
    results: list[FileImport] = []
    touched: list[int] = []
    flagged_all: list[int] = []
    with workbook.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            # shared store: one importer at a time; a file someone imported while we parsed is unchanged
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_IMPORT_LOCK})
            known = {sha: (bid, prof, system) for sha, bid, prof, system in s.execute(
            select(ImportBatch.sha256, ImportBatch.id, ImportBatch.profile, ImportBatch.system)
            .order_by(ImportBatch.id))}
            plan = [(path, None if sha in known else parsed, sha) for path, parsed, sha in plan]
        for i, (path, parsed, sha) in enumerate(plan):
            job.check()
            job.step(0.7 + 0.3 * i / n, f"loading {path.name}")
            if parsed is None:   # identical to an earlier import (or to a file earlier in this call)
                bid, prof, system = known.get(sha, (None, None, None))
                results.append(FileImport(path=path, status="unchanged", batch_id=bid, profile=prof,
                                          system=system, confidence=None))
                continue
            fi = _load_one(s, workbook.user, parsed)
            results.append(fi)
            flagged_all += fi.flagged_case_ids
        job.check()
        batch_ids = [f.batch_id for f in results if f.status == "imported"]
        if batch_ids:
            touched = list(s.execute(select(SourceRecord.id).where(SourceRecord.batch_id.in_(batch_ids))
                                     .order_by(SourceRecord.id)).scalars())
    job.step(1.0, "import done")
    return ImportSummary(files=results, touched_record_ids=touched, flagged_case_ids=sorted(set(flagged_all)))


def _load_one(s: Session, user: str, parsed: ParsedFile) -> FileImport:
    recs = parsed.records
    system = parsed.system
    # current versions of the same records
    existing = _current(s, system)
    merged = recs[["record_id", "row_hash"]].merge(existing, how="left", on="record_id", suffixes=("", "_old"))
    merged.index = recs.index
    is_new = merged["old_id"].isna()
    changed = ~is_new & (merged["row_hash"] != merged["row_hash_old"])
    unchanged = ~is_new & ~changed
    write = recs[is_new | changed].copy()
    versions = (merged.loc[write.index, "old_version"].fillna(0).astype("int64") + 1)
    report = dict(parsed.report)
    report.update({"rows_new": int(is_new.sum()), "rows_changed": int(changed.sum()),
                   "rows_unchanged": int(unchanged.sum())})
    batch = ImportBatch(file_name=parsed.path.name, file_path=str(parsed.path.resolve()), sha256=parsed.sha256,
                        size_bytes=parsed.size, system=system, profile=parsed.profile,
                        confidence=float(parsed.confidence), rows_total=int(parsed.rows_total),
                        rows_loaded=len(write), rows_updated=int(changed.sum()),
                        rows_skipped=int(parsed.rows_skipped),
                        report=json.dumps(report, default=str, sort_keys=True), imported_by=user)
    s.add(batch)
    s.flush()
    old_ids = [int(x) for x in merged.loc[changed, "old_id"]]
    flagged: list[int] = []
    if old_ids:
        for chunk in _chunks(old_ids):
            s.execute(update(SourceRecord).where(SourceRecord.id.in_(chunk)).values(is_current=False),
                      execution_options={"synchronize_session": False})
        flagged = _flag_worked_cases(s, user, old_ids, merged.loc[changed], parsed)
    _bulk_insert(s, write, versions, batch.id, system, parsed.profile)
    audit.record(s, user, "import", entity="import_batch", after={
        "batch_id": batch.id, "file": parsed.path.name, "sha256": parsed.sha256, "system": system,
        "profile": parsed.profile, "confidence": parsed.confidence, "rows_total": parsed.rows_total,
        "rows_loaded": len(write), "rows_updated": int(changed.sum()), "rows_skipped": parsed.rows_skipped,
        "skipped_by_kind": parsed.skipped_by_kind})
    return FileImport(path=parsed.path, status="imported", batch_id=batch.id, profile=parsed.profile,
                      system=system, confidence=parsed.confidence, rows_loaded=len(write),
                      rows_updated=int(changed.sum()), rows_skipped=parsed.rows_skipped,
                      rows_unchanged=int(unchanged.sum()), skipped_by_kind=dict(parsed.skipped_by_kind),
                      flagged_case_ids=flagged)


def _chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _current(s: Session, system: str) -> pd.DataFrame:
    rows = s.execute(select(SourceRecord.id, SourceRecord.record_id, SourceRecord.row_hash, SourceRecord.version)
                     .where(SourceRecord.system == system, SourceRecord.is_current.is_(True))).all()
    frame = pd.DataFrame(rows, columns=["old_id", "record_id", "row_hash_old", "old_version"])
    frame["record_id"] = frame["record_id"].astype("string")
    return frame.drop_duplicates("record_id", keep="last")


def _flag_worked_cases(s: Session, user: str, old_ids: list[int], changed: pd.DataFrame,
                       parsed: ParsedFile) -> list[int]:
    """Cases linked to a changed record's old version and worked on: flag + audit each."""
    found: dict[int, tuple[str, list[int]]] = {}
    for chunk in _chunks(old_ids):
        marks = ",".join(str(int(i)) for i in chunk)
        rows = s.execute(text(f"""
            SELECT c.id, c.case_key, l.record_id FROM case_links l JOIN cases c ON c.id = l.case_id
            WHERE l.record_id IN ({marks}) AND (
                c.status <> 'open'
                OR EXISTS (SELECT 1 FROM tags t WHERE t.case_id = c.id)
                OR EXISTS (SELECT 1 FROM notes n WHERE n.case_id = c.id)
                OR EXISTS (SELECT 1 FROM adjustments a WHERE a.case_id = c.id))""")).all()
        for case_id, case_key, rec_id in rows:
            found.setdefault(case_id, (case_key, []))[1].append(int(rec_id))
    by_old = {int(o): r for o, r in zip(changed["old_id"], changed["record_id"])}
    for case_id, (case_key, rec_ids) in sorted(found.items()):
        s.execute(update(Case).where(Case.id == case_id)
                  .values(source_changed=True, version=Case.version + 1),
                  execution_options={"synchronize_session": False})
        audit.record(s, user, "source_changed", case_id=case_id, case_key=case_key, entity="source_record",
                     before={"source_changed": False},
                     after={"source_changed": True, "file": parsed.path.name, "system": parsed.system,
                            "record_ids": sorted(by_old[i] for i in rec_ids if i in by_old),
                            "reason": "a later export changed records of this case after work on it"})
    return sorted(found)


def _times_for_db(series: pd.Series, sqlite: bool) -> np.ndarray:
    naive = series.dt.tz_convert("UTC").dt.tz_localize(None)
    if sqlite:
        text_ = naive.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        return text_.astype(object).where(naive.notna(), None).to_numpy(dtype=object)
    py = series.astype(object)
    return py.where(series.notna(), None).to_numpy(dtype=object)


def _bulk_insert(s: Session, recs: pd.DataFrame, versions: pd.Series, batch_id: int, system: str,
                 profile: str) -> None:
    if recs.empty:
        return
    conn = s.connection()
    sqlite = conn.dialect.name == "sqlite"
    n = len(recs)
    cols: dict[str, np.ndarray] = {
        "batch_id": np.full(n, batch_id, dtype=object),
        "system": np.full(n, system, dtype=object),
        "profile": np.full(n, profile, dtype=object),
        "source_row": recs["source_row"].astype("int64").astype(object).to_numpy(),
        "version": versions.astype("int64").astype(object).to_numpy(),
        "is_current": np.full(n, 1 if sqlite else True, dtype=object),
    }
    for c in ("record_id", "return_ref", "order_ref", "refund_ref", "customer", "currency", "stage",
              "status_raw", "channel", "agent", "category", "source_version", "raw", "row_hash"):
        series = recs[c].astype(object)
        cols[c] = series.where(recs[c].notna(), None).to_numpy(dtype=object)
    amt = recs["amount_minor"]
    cols["amount_minor"] = amt.astype(object).where(amt.notna(), None).to_numpy(dtype=object)
    for c in _TIMES:
        cols[c] = _times_for_db(recs[c], sqlite)
    if sqlite:
        dbapi = conn.connection.driver_connection
        sql = (f"INSERT INTO source_records ({', '.join(_INSERT_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _INSERT_COLUMNS)})")
        arrays = [cols[c] for c in _INSERT_COLUMNS]
        cur = dbapi.cursor()
        try:
            cur.executemany(sql, zip(*arrays))
        finally:
            cur.close()
    elif conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        # COPY through the session's own connection: same transaction, all-or-nothing
        for c in _TIMES:   # naive UTC, as models.UTCDateTime stores it
            cols[c] = np.array([None if v is None else v.to_pydatetime().replace(tzinfo=None)
                                for v in cols[c]], dtype=object)
        dbapi = conn.connection.driver_connection
        with dbapi.cursor() as cur:
            with cur.copy(f"COPY source_records ({', '.join(_INSERT_COLUMNS)}) FROM STDIN") as copy:
                for values in zip(*(cols[c] for c in _INSERT_COLUMNS)):
                    copy.write_row(values)
    else:
        table = SourceRecord.__table__
        rows = [dict(zip(_INSERT_COLUMNS, values)) for values in zip(*(cols[c] for c in _INSERT_COLUMNS))]
        for i in range(0, len(rows), 10_000):
            s.execute(insert(table), rows[i:i + 10_000])
