"""import_files: hash every file, then parse and load them in ONE transaction, the next file
parsing on a second thread while the one before it is written (a bad file or a cancel rolls
the transaction back: nothing is kept).

* A file whose sha256 is already in import_batches is 'unchanged' (costs only the hash).
* Records are matched on (system, record_id) against the current versions: unchanged rows
  are skipped; changed rows get a new version (the old row stays, is_current = False); if the
  old version is linked to a case someone has worked on (tags, notes, adjustments or status
  other than 'open'), the case is flagged source_changed and an audit event says why.
* Rows are written with explicit ids (SQLite: max(id) + 1 ... inside the write transaction;
  PostgreSQL: a block of the id sequence reserved under the import advisory lock), Arrow
  columns in chunks through store.frames.insert_columns (SQLite executemany fed by Arrow's
  to_pylist, PostgreSQL COPY), so the call knows the ids it wrote without reading them back.
* SQLite: a load that adds more than a fifth to source_records drops the table's plain
  indexes first and rebuilds them once at the end, in the same transaction.
* keep_records=True hands the written rows to reconcile as a frame (ImportSummary.records),
  so it need not read them back.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from workbench.core import audit
from workbench.core.canonical import TIME_COLUMNS, UTC_DTYPE
from workbench.core.errors import ImportFailure
from workbench.core.ingest.read import ParsedFile, file_sha256, read_file
from workbench.core.jobs import Job, ensure_job
from workbench.core import memory
from workbench.core.store.indexes import drop_plain_indexes, rebuild_indexes
from workbench.core.store.frames import db_column, insert_columns
from workbench.core.store.models import Case, ImportBatch, SourceRecord

# canonical columns written as they are (besides id, batch_id, system, profile, version, is_current)
_RECORD_COLUMNS = (
    "source_row", "record_id", "return_ref", "order_ref", "refund_ref", "customer", "amount_minor",
    "currency", "stage", "status_raw", *TIME_COLUMNS, "channel", "agent", "category", "source_version",
    "raw", "row_hash",
)
# ImportSummary.records: what reconcile.read_records returns (minus its 'unkeyed' flag)
KEPT_COLUMNS = (
    "rid", "system", "profile", "record_id", "return_ref", "order_ref", "refund_ref", "customer",
    "amount_minor", "currency", "stage", "status_raw", *TIME_COLUMNS,
)
_PG_IMPORT_LOCK = 0x5257424C  # 'RWBL': serialises imports into one PostgreSQL team store
_BULK_SHARE = 0.2             # SQLite: drop + rebuild the indexes when a load adds more than this


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
    batch_ids: list[int] = field(default_factory=list)   # import_batches this call created
    records: pd.DataFrame | None = None    # keep_records=True: the rows written (KEPT_COLUMNS)


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
                 business_tz: str | None = None, keep_records: bool = False) -> ImportSummary:
    """Import files all-or-nothing. `profiles`: {path or file name: profile name/TOML path},
    or one name applied to every file. Raises ImportFailure and keeps nothing (the writes of the
    files before the bad one are rolled back).
    keep_records=True: `.records` is a frame of the rows written (KEPT_COLUMNS; rid = their
    source_records.id), for reconcile to use instead of reading them back."""
    job = ensure_job(job)
    paths = [Path(p) for p in paths]
    tz = business_tz or workbook.business_settings().timezone
    with workbook.sessions() as s:
        known = _known_batches(s)
    spills: list[RawSpill] = []
    try:
        return _import(workbook, paths, profiles, job, tz, keep_records, known, spills)
    finally:
        for spill in spills:
            spill.close()
        # what the parse thread freed sits in its own malloc arena: give it back (malloc_trim)
        memory.release_memory()


def _import(workbook, paths, profiles, job: Job, tz: str, keep_records: bool, known: dict,
            spills: list) -> ImportSummary:
    """Hash every file; then, on two threads, parse file k+1 while file k is written (the
    writes are mostly SQLite and ADBC C code that releases the GIL, the parse mostly Arrow and
    pandas). All the writes are one transaction: a file that fails to parse, or a cancel,
    rolls back what was written before it - nothing is kept, as before."""
    n = max(1, len(paths))
    seen: set[str] = set()
    entries: list[tuple[Path, str, tuple | None]] = []      # digest None: unchanged
    for path in paths:
        job.check()
        if not path.exists():
            raise ImportFailure(path.name, "file not found", expected="an existing export file")
        digest = file_sha256(path)
        sha = digest[0]
        if sha in known or sha in seen:
            entries.append((path, sha, None))
            continue
        seen.add(sha)
        entries.append((path, sha, digest))

    def parse(i: int, path: Path, digest: tuple) -> tuple[ParsedFile, RawSpill]:
        parsed = read_file(path, _profile_for(path, profiles), job=job.sub(i / n, (i + 0.75) / n),
                           business_tz=tz, digest=digest)
        spill = RawSpill(parsed.records.pop("raw"))   # the raw texts wait on disk, not in memory
        spills.append(spill)
        recs = parsed.records       # columns null on every row are not held (written as NULL)
        parsed.records = recs.drop(columns=[c for c in recs.columns if c not in ("record_id", "row_hash")
                                            and recs[c].isna().all()])
        del recs
        pa.default_memory_pool().release_unused()
        return parsed, spill

    results: list[FileImport] = []
    touched: list[np.ndarray] = []
    kept: list[pd.DataFrame] = []
    flagged_all: list[int] = []
    to_parse = [i for i, (_, _, digest) in enumerate(entries) if digest is not None]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-parse") as pool:
        ahead: dict[int, object] = {}

        def submit_next(after: int) -> None:
            nxt = next((i for i in to_parse if i > after and i not in ahead), None)
            if nxt is not None:
                ahead[nxt] = pool.submit(parse, nxt, entries[nxt][0], entries[nxt][2])

        try:
            submit_next(-1)
            if to_parse:
                ahead[to_parse[0]].result()          # the first file parsed before the transaction opens
            with workbook.session() as s:
                pg = s.get_bind().dialect.name == "postgresql"
                if pg:
                    # shared store: one importer at a time; a file someone imported meanwhile is unchanged
                    s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_IMPORT_LOCK})
                    known = _known_batches(s)
                current: dict[str, pd.DataFrame] = {}
                rebuild: list[str] | None = None
                for i, (path, sha, digest) in enumerate(entries):
                    job.check()
                    if digest is None or (pg and sha in known):   # identical to an earlier import
                        bid, prof, system = known.get(sha, (None, None, None))
                        results.append(FileImport(path=path, status="unchanged", batch_id=bid, profile=prof,
                                                  system=system, confidence=None))
                        if digest is not None:
                            submit_next(i)
                        continue
                    if i not in ahead:
                        ahead[i] = pool.submit(parse, i, path, digest)
                    parsed, spill = ahead.pop(i).result()
                    submit_next(i)                   # the next file parses while this one is written
                    job.step((i + 0.75) / n, f"loading {path.name}")
                    if rebuild is None:   # SQLite bulk: indexes dropped once, rebuilt after the last file
                        rebuild = _drop_indexes_for_bulk(s, _estimated_rows(parsed, entries))
                    if parsed.system not in current:  # the versions current before this import wrote any
                        current[parsed.system] = _current(s, parsed.system)
                    fi, ids, written = _load_one(s, workbook.user, parsed, current, spill)
                    parsed.records = None     # the file's frame is no longer needed
                    spill.close()
                    results.append(fi)
                    flagged_all += fi.flagged_case_ids
                    touched.append(ids)
                    if keep_records and len(ids):
                        kept.append(_kept_frame(written, ids, parsed))
                    del written, parsed
                    pa.default_memory_pool().release_unused()
                job.check()
                if rebuild:
                    job.step(0.99, "loading indexes")
                    rebuild_indexes(s.connection(), rebuild)
        except BaseException:
            for future in ahead.values():    # a parse not started yet is not started at all
                future.cancel()
            raise
    job.step(1.0, "import done")
    batch_ids = [f.batch_id for f in results if f.status == "imported"]
    records = None
    if keep_records:
        records = pd.concat(kept, ignore_index=True) if kept else _kept_frame(None, np.zeros(0, np.int64), None)
    ids_all = np.concatenate(touched) if touched else np.zeros(0, dtype=np.int64)
    return ImportSummary(files=results, touched_record_ids=[int(x) for x in np.sort(ids_all)],
                         flagged_case_ids=sorted(set(flagged_all)), batch_ids=batch_ids, records=records)


def _estimated_rows(first: ParsedFile, entries: list) -> int:
    """Rows this call will add, from the first parsed file's rows per byte and the sizes of
    all the files to parse (the others are still being parsed when the decision is made)."""
    size = max(1, int(first.size or 1))
    total = sum(path.stat().st_size for path, _, digest in entries if digest is not None)
    return int(len(first.records) * total / size)


def _known_batches(s: Session) -> dict[str, tuple[int, str, str]]:
    return {sha: (bid, prof, system) for sha, bid, prof, system in s.execute(
        select(ImportBatch.sha256, ImportBatch.id, ImportBatch.profile, ImportBatch.system)
        .order_by(ImportBatch.id))}


def _drop_indexes_for_bulk(s: Session, rows: int) -> list[str]:
    """SQLite: when the load adds more than a fifth to source_records (or it is empty), drop its
    plain indexes (rebuilt once after the load, same transaction); returns their CREATE
    statements. Nothing on other databases."""
    conn = s.connection()
    if conn.dialect.name != "sqlite" or rows == 0:
        return []
    top = conn.exec_driver_sql("SELECT max(id) FROM source_records").scalar()
    if top and rows <= _BULK_SHARE * top:
        return []
    return drop_plain_indexes(conn, ("source_records",))


def _reserve_ids(s: Session, n: int) -> int:
    """First of n consecutive free source_records ids, inside the write transaction (SQLite:
    the transaction holds the write lock; PostgreSQL: the import advisory lock is held and the
    id sequence is moved past the block before the rows are written)."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        top = conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('source_records', 'id'), "
            "GREATEST((SELECT COALESCE(max(id), 0) FROM source_records), "
            "(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
            f"FROM {_pg_sequence(conn)})) + {int(n)})").scalar()
        return int(top) - n + 1
    top = conn.exec_driver_sql("SELECT max(id) FROM source_records").scalar()
    return int(top or 0) + 1


def _pg_sequence(conn) -> str:
    return conn.exec_driver_sql("SELECT pg_get_serial_sequence('source_records', 'id')").scalar()


def _load_one(s: Session, user: str, parsed: ParsedFile, current: dict[str, pd.DataFrame],
              raw: RawSpill) -> tuple[FileImport, np.ndarray, pd.DataFrame]:
    """Write one parsed file: its batch, the new records and new versions (explicit ids), the
    old versions retired and worked cases flagged. Returns (FileImport, ids written, rows
    written); `current[system]` is updated to the versions now current."""
    recs = parsed.records
    system = parsed.system
    existing = current[system]
    if len(existing):
        merged = recs[["record_id", "row_hash"]].merge(existing, how="left", on="record_id", suffixes=("", "_old"))
        merged.index = recs.index
    else:   # nothing of this system yet: every row is new (no merge, no copy of the keys)
        merged = pd.DataFrame({"old_id": pd.Series(np.nan, index=recs.index), "old_version": np.nan})
    is_new = merged["old_id"].isna()
    changed = ~is_new & (merged["row_hash"] != merged["row_hash_old"]) if len(existing) else ~is_new
    unchanged = ~is_new & ~changed
    write_mask = (is_new | changed).to_numpy(dtype=bool)
    write = recs if write_mask.all() else recs[write_mask]
    versions = merged.loc[write_mask, "old_version"].fillna(0).astype("int64").to_numpy() + 1
    n_changed = int(changed.sum())
    report = dict(parsed.report)
    report.update({"rows_new": int(is_new.sum()), "rows_changed": n_changed,
                   "rows_unchanged": int(unchanged.sum())})
    batch = ImportBatch(file_name=parsed.path.name, file_path=str(parsed.path.resolve()), sha256=parsed.sha256,
                        size_bytes=parsed.size, system=system, profile=parsed.profile,
                        confidence=float(parsed.confidence), rows_total=int(parsed.rows_total),
                        rows_loaded=len(write), rows_updated=n_changed,
                        rows_skipped=int(parsed.rows_skipped),
                        report=json.dumps(report, default=str, sort_keys=True),
                        raw_columns=json.dumps(list(parsed.raw_columns), ensure_ascii=False),
                        imported_by=user)
    s.add(batch)
    s.flush()
    old_ids = [int(x) for x in merged.loc[changed, "old_id"]]
    flagged: list[int] = []
    if old_ids:
        for chunk in _chunks(old_ids):
            s.execute(update(SourceRecord).where(SourceRecord.id.in_(chunk)).values(is_current=False),
                      execution_options={"synchronize_session": False})
        flagged = _flag_worked_cases(s, user, old_ids, merged.loc[changed], parsed)
    ids = np.zeros(0, dtype=np.int64)
    if len(write):
        first = _reserve_ids(s, len(write))
        ids = np.arange(first, first + len(write), dtype=np.int64)
        _bulk_insert(s, write, write_mask, raw, ids, versions, batch.id, system, parsed.profile)
        # what is current now: earlier versions of rewritten records replaced by the new rows
        now = pd.DataFrame({"old_id": ids, "record_id": write["record_id"].to_numpy(),
                            "row_hash_old": write["row_hash"].to_numpy(), "old_version": versions})
        now["record_id"] = now["record_id"].astype("string")
        if len(existing):
            still = ~pc.is_in(pa.array(existing["record_id"]), value_set=pa.array(now["record_id"])).to_numpy(
                zero_copy_only=False)
            now = pd.concat([existing[still], now], ignore_index=True)
        current[system] = now
    audit.record(s, user, "import", entity="import_batch", after={
        "batch_id": batch.id, "file": parsed.path.name, "sha256": parsed.sha256, "system": system,
        "profile": parsed.profile, "confidence": parsed.confidence, "rows_total": parsed.rows_total,
        "rows_loaded": len(write), "rows_updated": n_changed, "rows_skipped": parsed.rows_skipped,
        "skipped_by_kind": parsed.skipped_by_kind})
    fi = FileImport(path=parsed.path, status="imported", batch_id=batch.id, profile=parsed.profile,
                    system=system, confidence=parsed.confidence, rows_loaded=len(write),
                    rows_updated=n_changed, rows_skipped=parsed.rows_skipped,
                    rows_unchanged=int(unchanged.sum()), skipped_by_kind=dict(parsed.skipped_by_kind),
                    flagged_case_ids=flagged)
    return fi, ids, write


def _kept_frame(write: pd.DataFrame | None, ids: np.ndarray, parsed: ParsedFile | None) -> pd.DataFrame:
    """The rows written, as reconcile reads them back (Arrow-backed strings, UTC times)."""
    n = len(ids)
    out = pd.DataFrame({"rid": pd.Series(ids, dtype="int64")})
    for name in ("system", "profile"):
        value = getattr(parsed, name) if parsed is not None else None
        out[name] = pd.Series(pd.array(pa.repeat(pa.scalar(value, pa.string()), n), dtype="string"))
    for c in KEPT_COLUMNS[3:]:
        if write is None or c not in write:
            col = pd.Series(pd.NA, index=out.index, dtype="Int64" if c == "amount_minor" else
                            UTC_DTYPE if c in TIME_COLUMNS else "string")
        else:
            col = write[c].reset_index(drop=True)
        out[c] = col
    return out[list(KEPT_COLUMNS)]


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


def _bulk_insert(s: Session, recs: pd.DataFrame, mask: np.ndarray, raw: RawSpill, ids: np.ndarray,
                 versions: np.ndarray, batch_id: int, system: str, profile: str) -> None:
    """The rows as Arrow columns (a column null on every row is left to its NULL default),
    written by store.frames.insert_columns on the session's transaction in one call (so a big
    file goes through SQLite bulk staging). `mask` picks the written rows' raw texts."""
    n = len(recs)
    pg = s.get_bind().dialect.name == "postgresql"
    columns: dict[str, pa.Array] = {
        "id": pa.array(ids, type=pa.int64()),
        "batch_id": pa.repeat(pa.scalar(int(batch_id), pa.int64()), n),
        "system": pa.repeat(pa.scalar(system, pa.string()), n),
        "profile": pa.repeat(pa.scalar(profile, pa.string()), n),
        "version": pa.array(versions, type=pa.int64()),
        "is_current": pa.repeat(pa.scalar(True), n) if pg else pa.repeat(pa.scalar(1, pa.int64()), n),
    }
    for c in _RECORD_COLUMNS:
        if c == "raw" or c not in recs:
            continue
        arr = _arrow(recs[c])
        arr = db_column(arr, "time", pg) if c in TIME_COLUMNS else arr
        if arr.type == pa.large_string():
            arr = arr.cast(pa.string())
        if arr.null_count < n:
            columns[c] = arr
    # the file's written raw texts, back from the spill file (one file's worth at a time)
    columns["raw"] = raw.select(mask)
    insert_columns(s.connection(), "source_records", columns)   # SQLite: ADBC staging when big


def _arrow(values: pd.Series) -> pa.Array:
    """A frame column as one Arrow array (zero-copy for Arrow-backed strings)."""
    arr = values.array
    data = getattr(arr, "_pa_array", None)
    if data is None:
        data = pa.array(arr, from_pandas=True)
    return data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data


class RawSpill:
    """A file's raw row texts in a temporary Arrow IPC file (batches of BATCH rows), so that
    parsing every file before writing does not hold all their raw rows in memory."""

    BATCH = 100_000

    def __init__(self, raw: pd.Series) -> None:
        import tempfile

        import pyarrow.ipc as ipc

        self._file = tempfile.TemporaryFile(prefix="workbench-raw-")
        arr = _arrow(raw)
        schema = pa.schema([("raw", pa.string())])    # 32-bit offsets: what the staging write takes
        with ipc.new_stream(self._file, schema) as writer:
            for start in range(0, len(arr), self.BATCH):
                writer.write_batch(pa.record_batch([arr.slice(start, self.BATCH).cast(pa.string())],
                                                   schema=schema))

    def batches(self):
        """(first row, texts) per batch, in row order."""
        import pyarrow.ipc as ipc

        self._file.seek(0)
        first = 0
        for batch in ipc.open_stream(self._file):
            texts = batch.column(0)
            yield first, texts
            first += len(texts)

    def select(self, mask: np.ndarray) -> pa.ChunkedArray:
        """The texts of the rows where `mask` is True (chunked: no copy into one array)."""
        every = bool(mask.all())
        parts = [texts if every else texts.filter(pa.array(mask[first:first + len(texts)]))
                 for first, texts in self.batches()]
        return pa.chunked_array(parts, type=pa.string())

    def close(self) -> None:
        self._file.close()
