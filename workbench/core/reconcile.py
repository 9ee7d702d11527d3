"""Reconcile: read the current source records, link them into cases, diagnose, persist.

Set-based from end to end: one read of `source_records` (or only of the records an import did
not just hand over), pandas for linking and diagnosis, and one transaction of chunked driver
writes (SQLite executemany fed by Arrow, PostgreSQL COPY; never per-row ORM objects): cases are
upserted by `case_key` (status, assignee, tags, notes and adjustments stay with the case),
case_links / link_candidates / findings are replaced, and one audit event 'reconcile' states
the counts and the settings used. A cancel (`job.check()`) before the commit leaves the store
as it was.

Incremental (`only_record_ids`): linking still sees every record (a new record can only be
placed correctly against all others), but only the cases those records touch, now or before,
are rewritten and re-diagnosed; other cases keep their stored diagnosis.

Versions: every case whose stored diagnosis this run changes (new summary, reactivated or
deactivated) gets cases.version + 1, so a person holding the old version gets
ConcurrentEditError instead of overwriting it.

Signed-off periods: cases whose stored period is signed off (and not reopened) are frozen -
their summary, findings, candidates and links stay exactly as stored, and their records take
no part in linking (they belong to the frozen case). A computed case that would take over a
frozen case's key (e.g. a new version of its anchor record) is not written either; its
records stay unlinked until the period is reopened. Counted as `frozen_signed_off`.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core import audit
from workbench.core.canonical import UTC_DTYPE
from workbench.core.diagnose import default_as_of, diagnose_cases
from workbench.core.jobs import Job, ensure_job
from workbench.core import memory
from workbench.core.link import LinkResult, link_records
from workbench.core.link.overrides import apply_overrides
from workbench.core.settings import BusinessSettings
from workbench.core.store import sqlite_bulk
from workbench.core.store.database import Workbook
from workbench.core.store.indexes import drop_plain_indexes, rebuild_indexes
from workbench.core.store.frames import STR_MAP, db_column, execute_chunked, fetch_frame, insert_columns
from workbench.core.store.postgres import RECONCILE_LOCK, team_lock

_RECORD_COLUMNS = (
    "rid", "system", "profile", "record_id", "return_ref", "order_ref", "refund_ref", "customer",
    "amount_minor", "currency", "stage", "status_raw", "occurred_at", "approved_at", "refunded_at",
    "updated_at",
)
_RECORD_SCHEMA = {c: ("int" if c in ("rid", "amount_minor") else "time" if c.endswith("_at") else "str")
                  for c in _RECORD_COLUMNS}
_RECORD_SQL = (
    "SELECT id, system, profile, record_id, return_ref, order_ref, refund_ref, customer, "
    "amount_minor, currency, stage, status_raw, occurred_at, approved_at, refunded_at, updated_at "
    "FROM source_records WHERE is_current = {ph}"
)
_SUMMARY_COLUMNS = (
    "symptoms", "symptom_count", "boundary", "fix_type", "scope", "cause", "order_ref", "customer",
    "currency", "portal_amount_minor", "processor_amount_minor", "erp_amount_minor", "amount_minor",
    "systems_present", "first_event_at", "last_event_at", "period", "search_text",
)
_FINDING_COLUMNS = ("case_id", "symptom", "boundary", "fix_type", "scope", "cause", "evidence", "steps",
                    "systems", "fields", "window_closes_at", "amount_delta_minor")


@dataclass
class ReconcileSummary:
    cases: int                       # active cases
    cases_with_findings: int
    by_symptom: dict[str, int]
    changed_case_ids: tuple[int, ...]
    records: int = 0
    new_cases: int = 0
    deactivated_cases: int = 0
    candidates: int = 0
    as_of: datetime | None = None
    incremental: bool = False
    frozen_signed_off: int = 0       # cases of signed-off periods kept exactly as stored
    rewritten_cases: int = 0         # cases re-diagnosed and rewritten (all of them unless incremental)
    seconds: dict[str, float] = field(default_factory=dict)


def read_records(conn, exclude_batch_ids=()) -> pd.DataFrame:
    """Current source records as the linker's frame (times aware UTC), in id order;
    `exclude_batch_ids`: leave out the records of these import batches."""
    where = _batch_filter(conn, exclude_batch_ids)
    frame = _fetch_sqlite_packed(conn, _RECORD_SCHEMA, where) if conn.dialect.name == "sqlite" else None
    if frame is None:
        frame = fetch_frame(conn, _RECORD_SQL + where + " ORDER BY id", (True,), _RECORD_SCHEMA)
    frame["rid"] = frame["rid"].astype("int64")
    return frame


def _batch_filter(conn, exclude) -> str:
    """SQL keeping only the records of batches other than `exclude` ('' = all batches). The
    other batches are named (an IN list the batch_id index serves); none at all - a month
    imported into a new workbook - reads nothing."""
    exclude = {int(i) for i in exclude if i is not None}
    if not exclude:
        return ""
    others = sorted(set(int(r[0]) for r in conn.exec_driver_sql("SELECT id FROM import_batches").all()) - exclude)
    return f" AND batch_id IN ({', '.join(str(i) for i in others)})" if others else " AND 1 = 0"


def current_records(conn, imported=None) -> pd.DataFrame:
    """The frame read_records returns. With `imported` (an ingest ImportSummary that kept its
    records, `.records` + `.batch_ids`): only the store's current records outside those batches
    are read, and the handed-over frame is appended - the same rows, dtypes and order."""
    handed = getattr(imported, "records", None) if imported is not None else None
    if handed is None:
        return read_records(conn)
    batch_ids = list(getattr(imported, "batch_ids", None) or ())
    handed = _current_only(conn, conform_records(handed), batch_ids)
    stored = read_records(conn, batch_ids)
    if len(stored) and len(handed):     # never the same row twice, whatever the batches said
        stored = stored[~stored["rid"].isin(handed["rid"])]
    parts = [p for p in (stored, handed) if len(p)]
    del handed
    if not parts:
        return stored
    frame = parts[0].reset_index(drop=True) if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    if not frame["rid"].is_monotonic_increasing:
        frame = frame.sort_values("rid", kind="stable").reset_index(drop=True)
    return frame


def _current_only(conn, frame: pd.DataFrame, batch_ids: list) -> pd.DataFrame:
    """The handed-over rows that are still current: when one import wrote the same record
    twice (two files of one system), the first is superseded already - as the store says (the
    is_current index finds the few such rows)."""
    ids = sorted({int(b) for b in batch_ids if b is not None})
    if not ids or frame.empty:
        return frame
    ph = "%s" if conn.dialect.name == "postgresql" else "?"
    stale = [int(r[0]) for r in conn.exec_driver_sql(
        f"SELECT id FROM source_records WHERE is_current = {ph} AND batch_id IN ({', '.join(map(str, ids))})",
        (False,)).all()]
    return frame[~frame["rid"].isin(stale)] if stale else frame


def conform_records(frame: pd.DataFrame) -> pd.DataFrame:
    """A records frame from elsewhere (import) with read_records' columns and dtypes."""
    missing = [c for c in _RECORD_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"imported records lack the columns {', '.join(missing)}")
    out = frame[list(_RECORD_COLUMNS)]
    want = {c: ("int64" if c == "rid" else "Int64" if kind == "int" else UTC_DTYPE if kind == "time"
                else "string") for c, kind in _RECORD_SCHEMA.items()}
    casts = {c: w for c, w in want.items() if str(out[c].dtype) != w or (w == "string" and out[c].dtype != "string")}
    return out.astype(casts) if casts else out


_ROW, _FIELD, _NULL = "\x1e", "\x1f", "\x1d"
_PACK_ROWS = 250_000


def _fetch_sqlite_packed(conn, schema: dict[str, str], where: str = "") -> pd.DataFrame | None:
    """SQLite: let the engine pack a quarter of a million rows into one string (fields and rows
    joined by control characters) and split them with Arrow kernels: a handful of Python objects
    instead of one per cell. None if a value holds one of the separators (then read plainly)."""
    select = _RECORD_SQL.split(" FROM ")[0].removeprefix("SELECT ")
    if where.endswith("1 = 0"):
        return fetch_frame(conn, _RECORD_SQL + where, (True,), schema)
    fields = [f.strip() for f in _split_select(select)]
    packed = " || char(31) || ".join(f"ifnull({f}, char(29))" for f in fields)
    sql = (f"SELECT group_concat(r, char(30)), max(id), count(*) FROM (SELECT id, {packed} AS r "
           f"FROM source_records WHERE is_current = ? AND id > ?{where} ORDER BY id LIMIT {_PACK_ROWS})")
    cur = conn.connection.driver_connection.cursor()
    chunks, last = [], 0
    try:
        while True:
            text_, top, n = cur.execute(sql, (True, last)).fetchone()
            if not n:
                break
            chunks.append(text_)
            last = top
    finally:
        cur.close()
    width = len(schema)
    if not chunks:
        return fetch_frame(conn, _RECORD_SQL + where + " ORDER BY id", (True,), schema)
    rows = pc.list_flatten(pc.split_pattern(pa.array(chunks, type=pa.large_string()), _ROW))
    del chunks
    cells = pc.split_pattern(rows, _FIELD)
    if pc.min(pc.list_value_length(cells)).as_py() != width or pc.max(pc.list_value_length(cells)).as_py() != width:
        return None
    flat = pc.list_flatten(cells)
    n = len(rows)
    data = {}
    for j, (name, kind) in enumerate(schema.items()):
        col = flat.take(pa.array(np.arange(j, n * width, width)))
        col = pc.if_else(pc.equal(col, _NULL), pa.scalar(None, col.type), col)
        if kind in ("int", "bool"):
            values = pd.array(pc.cast(col, pa.int64()).to_pandas(), dtype="Int64")
            data[name] = values if kind == "int" else pd.array(values.fillna(0).astype(bool), dtype=bool)
        elif kind == "time":
            text_col = pd.Series(pc.cast(col, pa.string()).to_pandas(types_mapper=STR_MAP.get), dtype="string")
            data[name] = pd.to_datetime(text_col, utc=True, format="ISO8601").astype(UTC_DTYPE).array
        else:
            data[name] = pd.array(pc.cast(col, pa.string()).to_pandas(types_mapper=STR_MAP.get), dtype="string")
    return pd.DataFrame(data)


def _split_select(select: str) -> list[str]:
    """The column expressions of a SELECT list (commas inside parentheses kept)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(select):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(select[start:i])
            start = i + 1
    out.append(select[start:])
    return out


_CASE_SCHEMA = {"id": "int", "case_key": "str", "is_active": "bool",
                **{c: ("time" if c.endswith("_at") else "int" if c.endswith("_minor") or c == "symptom_count"
                       else "str") for c in (
                    "symptoms", "symptom_count", "boundary", "fix_type", "scope", "cause", "order_ref", "customer",
                    "currency", "portal_amount_minor", "processor_amount_minor", "erp_amount_minor",
                    "amount_minor", "systems_present", "first_event_at", "last_event_at", "period",
                    "search_text")}}


def read_cases(conn) -> pd.DataFrame:
    frame = fetch_frame(conn, f"SELECT {', '.join(_CASE_SCHEMA)} FROM cases", (), _CASE_SCHEMA)
    frame["id"] = frame["id"].astype("int64")
    return frame


@dataclass
class _Frozen:
    """Cases of signed-off periods: left exactly as stored."""
    periods: tuple[str, ...] = ()
    case_ids: frozenset = frozenset()
    active: int = 0
    with_findings: int = 0
    by_symptom: dict = field(default_factory=dict)

    def where(self, column: str = "case_id") -> tuple[str, tuple]:
        """SQL (with '?' marks) that keeps a statement off the frozen cases, and its parameters."""
        if not self.case_ids:
            return "", ()
        marks = ", ".join("?" * len(self.periods))
        return f" AND {column} NOT IN (SELECT id FROM cases WHERE period IN ({marks}))", self.periods


def _read_frozen(conn, existing: pd.DataFrame) -> _Frozen:
    periods = tuple(sorted(r[0] for r in conn.exec_driver_sql(
        "SELECT DISTINCT period FROM period_signoffs WHERE reopened_at IS NULL").all()))
    if not periods:
        return _Frozen()
    held = existing[existing["period"].isin(periods).fillna(False).to_numpy(dtype=bool)]
    if held.empty:
        return _Frozen()
    active = held[held["is_active"].to_numpy(dtype=bool)]
    ph = "%s" if conn.dialect.name == "postgresql" else "?"
    marks = ", ".join([ph] * len(periods))
    rows = conn.exec_driver_sql(
        f"SELECT f.symptom, count(*) FROM findings f JOIN cases c ON c.id = f.case_id "
        f"WHERE c.is_active = {ph} AND c.period IN ({marks}) GROUP BY f.symptom", (True, *periods)).all()
    return _Frozen(periods=periods, case_ids=frozenset(int(i) for i in held["id"]), active=len(active),
                   with_findings=int((active["symptom_count"].fillna(0) > 0).sum()),
                   by_symptom={str(k): int(v) for k, v in rows})


def reconcile(workbook: Workbook, settings: BusinessSettings | None = None, job: Job | None = None,
              only_record_ids=None, imported=None) -> ReconcileSummary:
    """Link and diagnose every current record and persist the cases.

    `imported`: the ImportSummary of an import_files(..., keep_records=True) just before; its
    records are not read back from the store. The frame is handed over: reconcile drops the
    summary's reference to it (imported.records = None) so its memory is freed before saving."""
    # on a PostgreSQL team store one reconcile at a time: it plans case ids and changes from
    # what it read, so a second one waits and then reads the first one's result
    with team_lock(workbook.engine, RECONCILE_LOCK):
        return _reconcile(workbook, settings, job, only_record_ids, imported)


def _reconcile(workbook: Workbook, settings: BusinessSettings | None, job: Job | None,
               only_record_ids, imported) -> ReconcileSummary:
    job = ensure_job(job)
    settings = (settings or workbook.business_settings()).validated()
    clock = _Clock()
    job.step(0.0, "Reading records")
    with workbook.engine.connect() as conn:
        # the read's Arrow scratch (the packed text of millions of rows) goes back to the system
        # when it is done, instead of staying in Arrow's pool (2.9 GB resident at 1M otherwise)
        with memory.system_pool():
            records = current_records(conn, imported)
        if imported is not None and getattr(imported, "records", None) is not None:
            try:
                imported.records = None      # ours now: freed with `records` below
            except AttributeError:
                pass
        existing = read_cases(conn)
        old_links = fetch_frame(conn, "SELECT record_id, case_id, is_override FROM case_links", (),
                                {"rid": "int", "case_id": "int", "is_override": "bool"})
        old_links = old_links.astype({"rid": "int64", "case_id": "int64"})
        frozen = _read_frozen(conn, existing)
    clock.lap("read")
    job.check()

    diag_settings = settings
    if frozen.case_ids:
        # the records of frozen cases stay theirs: out of linking (the as-of stays that of all data)
        if settings.as_of is None:
            diag_settings = replace(settings, as_of=default_as_of(records))
        held = old_links["case_id"].isin(frozen.case_ids)
        records = records[~records["rid"].isin(old_links.loc[held, "rid"])].reset_index(drop=True)
        old_links = old_links[~held]
    pins = old_links.loc[old_links["is_override"], ["rid", "case_id"]]

    job.step(0.2, "Linking")
    linked = link_records(records, settings)
    pin_frame = _pin_anchors(pins, existing, records)
    unresolved_pins = pin_frame[pin_frame["anchor"].isna()]
    pin_frame = pin_frame.dropna().astype("int64")
    links = apply_overrides(linked.links, pin_frame)
    if not unresolved_pins.empty:   # pinned to a case that no longer has an anchor: leave as pinned
        links = links[~links["rid"].isin(unresolved_pins["rid"])]
    linked = LinkResult(links=links, candidates=linked.candidates, keys=linked.keys)
    del links
    # the profile (the linker's convention source) is not needed to diagnose: drop its text
    # before the diagnosis' peak (80 MB at a million returns)
    records = records.drop(columns=["profile"])
    memory.release_memory()
    clock.lap("link")
    job.check()

    job.step(0.5, "Diagnosing")
    diag = diagnose_cases(records, linked, diag_settings)
    clock.lap("diagnose")
    job.check()

    job.step(0.7, "Saving")
    n_records = len(records)
    work = _Result(links=linked.links, candidates=linked.candidates, cases=diag.cases,
                   findings=diag.findings, as_of=diag.as_of)
    del records, linked, diag      # keys, facts and the records frame are not needed to save
    summary = _persist(workbook, settings, n_records, work, existing, old_links, frozen,
                       only_record_ids, job, clock)
    summary.seconds = clock.laps
    job.step(1.0, "Reconciled")
    return summary


@dataclass
class _Result:
    links: pd.DataFrame
    candidates: pd.DataFrame
    cases: pd.DataFrame
    findings: pd.DataFrame
    as_of: datetime


def _pin_anchors(pins: pd.DataFrame, existing: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """rid -> the anchor record of the case a person pinned it to (NaN: that case has no
    current anchor record)."""
    if pins.empty:
        return pd.DataFrame({"rid": pd.Series([], dtype="int64"), "anchor": pd.Series([], dtype="float64")})
    key_of = existing.set_index("id")["case_key"]
    keys = records["system"] + ":" + records["record_id"]
    anchor_of_key = pd.Series(records["rid"].to_numpy(), index=keys.to_numpy())
    return pd.DataFrame({"rid": pins["rid"].astype("int64").to_numpy(),
                         "anchor": key_of.reindex(pins["case_id"]).map(anchor_of_key).to_numpy()})


class _Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.t, 3)
        self.t = now


# --- persistence ------------------------------------------------------------------------------

@dataclass
class _Plan:
    """What the save writes: every computed case (with its id), the ones in scope, the links
    in scope, the cases to deactivate, and the computed cases held back by a sign-off."""
    cases: pd.DataFrame          # computed cases by anchor, + case_id, is_new
    in_scope: pd.DataFrame       # the cases written, + differs
    scope_anchors: pd.Index
    link_in_scope: np.ndarray    # per row of the links frame
    gone: pd.DataFrame           # existing cases no record links to any more
    blocked: pd.Index            # computed cases that would take over a frozen case
    incremental: bool
    everything: bool             # a full run with nothing blocked: every computed case is written

    @property
    def case_of_anchor(self) -> pd.Series:
        return self.cases["case_id"]

    def changed(self) -> tuple[int, ...]:
        ids = self.in_scope["case_id"].to_numpy()[self.in_scope["differs"].to_numpy(dtype=bool)]
        return tuple(sorted(set(ids.tolist()) | set(self.gone["id"].tolist())))


def _plan(work: _Result, existing: pd.DataFrame, old_links: pd.DataFrame, frozen: _Frozen,
          only_record_ids) -> _Plan:
    cases, links = work.cases, work.links
    # case ids: existing by case_key, new ones numbered after the current maximum
    id_by_key = existing.set_index("case_key")["id"]
    case_id = id_by_key.reindex(cases["case_key"]).to_numpy(dtype="float64", na_value=float("nan")).copy()
    is_new = np.isnan(case_id)
    next_id = int(existing["id"].max()) + 1 if len(existing) else 1
    case_id[is_new] = np.arange(next_id, next_id + int(is_new.sum()))
    cases = cases.assign(case_id=case_id.astype("int64"), is_new=is_new)
    # a computed case that would take over a frozen (signed-off) case is not written
    blocked = cases.index[cases["case_id"].isin(frozen.case_ids).to_numpy()] if frozen.case_ids else cases.index[:0]

    incremental = only_record_ids is not None
    if incremental:
        scope_anchors = _scope(np.unique(np.asarray(list(only_record_ids), dtype="int64")), links, old_links,
                               cases)
    else:
        scope_anchors = cases.index
    if len(blocked):
        scope_anchors = scope_anchors.difference(blocked)
    in_scope_mask = cases.index.isin(scope_anchors)
    in_scope = cases if in_scope_mask.all() else cases.loc[in_scope_mask]
    in_scope = in_scope.assign(differs=_summary_differs(in_scope, existing))
    everything = not incremental and not len(blocked)      # a full run: every computed case
    link_in_scope = np.ones(len(links), dtype=bool) if everything else links["anchor"].isin(scope_anchors).to_numpy()

    # cases no record links to any more (frozen cases are never deactivated here)
    active_before = existing["is_active"].to_numpy(dtype=bool) & ~existing["id"].isin(frozen.case_ids).to_numpy()
    if incremental:
        scope_rids = links.loc[link_in_scope, "rid"]
        lost = np.setdiff1d(old_links.loc[old_links["rid"].isin(scope_rids), "case_id"].to_numpy(),
                            cases["case_id"].to_numpy())
        gone = existing[existing["id"].isin(lost).to_numpy() & active_before]
    else:
        gone = existing[~existing["id"].isin(cases["case_id"]).to_numpy() & active_before]
    return _Plan(cases=cases, in_scope=in_scope, scope_anchors=scope_anchors, link_in_scope=link_in_scope,
                 gone=gone, blocked=blocked, incremental=incremental, everything=everything)


def _persist(workbook: Workbook, settings: BusinessSettings, n_records: int, work: _Result,
             existing: pd.DataFrame, old_links: pd.DataFrame, frozen: _Frozen, only_record_ids,
             job: Job, clock: "_Clock") -> ReconcileSummary:
    plan = _plan(work, existing, old_links, frozen, only_record_ids)
    changed = plan.changed()
    job.check()
    with _save_session(workbook) as session:
        _write(session.connection(), plan, work, frozen, clock)
        after = _counts(plan, work, frozen, n_records)
        after.update(as_of=work.as_of.isoformat(), settings=settings.to_json())
        audit.record(session, workbook.user, "reconcile", entity="cases", after=after)
        job.check()   # the last chance: raising here rolls everything back
    clock.lap("write_commit")
    return ReconcileSummary(
        cases=after["cases"], cases_with_findings=after["cases_with_findings"],
        by_symptom=after["by_symptom"], changed_case_ids=changed, records=int(n_records),
        new_cases=after["new_cases"], deactivated_cases=after["deactivated_cases"],
        candidates=after["link_candidates"], as_of=work.as_of, incremental=plan.incremental,
        frozen_signed_off=after["frozen_signed_off"], rewritten_cases=after["rewritten_cases"])


def _write(conn, plan: _Plan, work: _Result, frozen: _Frozen, clock: "_Clock") -> None:
    pg = conn.dialect.name == "postgresql"
    now = datetime.now(UTC)
    links, gone, scope, case_of_anchor = work.links, plan.gone, plan.scope_anchors, plan.case_of_anchor
    written = plan.link_in_scope & ~links["is_override"].to_numpy(dtype=bool)

    def link_columns():
        return _link_columns(links[written], case_of_anchor)

    def candidate_columns():
        cands = work.candidates
        return _candidate_columns(cands[cands["anchor"].isin(case_of_anchor.index if plan.everything else scope)],
                                  case_of_anchor)

    def finding_columns():
        findings = work.findings if plan.everything else work.findings[work.findings["anchor"].isin(scope)]
        return _finding_columns(findings, case_of_anchor)

    with _Overlap(conn, 5) as overlap:
        # SQLite: the worker stages the first half of the new cases, then prepares and stages
        # links, candidates and findings (Arrow + the ADBC driver, mostly without the GIL) while
        # this thread deletes, stages the other half of the cases and writes them
        new = plan.in_scope["is_new"].to_numpy(dtype=bool)
        case_parts = overlap.split(_new_case_columns(plan.in_scope, new, now))
        staged = [overlap.submit(make) for make in (link_columns, candidate_columns, finding_columns)]
        if plan.incremental:
            _delete_scope(conn, set(plan.in_scope["case_id"]) | set(gone["id"]) - frozen.case_ids,
                          links.loc[plan.link_in_scope, "rid"])
        else:
            _delete_all(conn, pg, frozen)
        # a full rewrite loads faster without the secondary indexes; they are rebuilt below
        rebuild = [] if plan.incremental or pg else \
            drop_plain_indexes(conn, ("case_links", "findings", "link_candidates"))
        clock.lap("write_delete")
        # the cases' indexes are rebuilt with the others at the end, once the worker is done:
        # SQLite's sorter then has both cores, and the worker overlaps the single-threaded copies
        _write_cases(conn, pg, plan.in_scope, now, plan.incremental, frozen,
                     insert_new=lambda: overlap.insert_parts("cases", case_parts), rebuild_later=rebuild)
        clock.lap("write_cases")
        if len(gone):
            n = len(gone)
            execute_chunked(
                conn, "UPDATE cases SET is_active = ?, symptoms = '', symptom_count = 0, boundary = NULL, "
                      "fix_type = NULL, scope = NULL, cause = NULL, diagnosed_at = ?, version = version + 1 "
                      "WHERE id = ?",
                [pa.repeat(False, n), pa.repeat(_stamp(now), n), db_column(gone["id"].to_numpy())])
        overlap.insert("case_links", staged[0])
        clock.lap("write_links")
        overlap.insert("link_candidates", staged[1])
        overlap.insert("findings", staged[2])
        clock.lap("write_findings")
    rebuild_indexes(conn, rebuild)
    clock.lap("write_indexes")


_OVERLAP = True   # the save's second thread (benchmarks switch it off to compare)


class _Overlap:
    """One worker thread that builds a table's Arrow columns and writes them to a
    store/sqlite_bulk staging file while the caller's thread goes on with its transaction;
    `insert` then copies the staged rows in on the caller's thread (the only one that ever
    touches its connection). Tables too small to stage come back as columns and go through
    insert_columns (executemany). Off - everything on the caller's thread, in order - for
    PostgreSQL, without the ADBC driver, or when the connection has too few attachment slots.
    Leaving the block waits for the worker and deletes every staging file not copied (an error
    on either thread: the transaction rolls back and nothing stays behind)."""

    def __init__(self, conn, tables: int) -> None:
        self.conn = conn
        self.pool = None
        if _OVERLAP and conn.dialect.name == "sqlite":
            dbapi = conn.connection.driver_connection
            # every staging file stays attached until the transaction ends: one slot per table part
            if sqlite_bulk.usable(None, sqlite_bulk.MIN_ROWS) and sqlite_bulk.free_slots(dbapi) >= tables:
                self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-save")
        self.futures: list[Future] = []

    def __enter__(self) -> "_Overlap":
        return self

    def submit(self, make_columns) -> "_Ticket":
        """Start building (and staging) a table's columns; `make_columns` returns them or None."""
        ticket = _Ticket(make_columns)
        if self.pool is not None:
            ticket.future = self.pool.submit(_prepare_and_stage, make_columns)
            self.futures.append(ticket.future)
        return ticket

    def split(self, columns: dict | None) -> list["_Ticket"]:
        """A big table in two halves by rows: the first staged on the worker (ahead of what is
        submitted later), the second left to `insert_parts` on the caller's thread - the two
        staging writes run at the same time. Copied in row order: the same rows as one insert."""
        n = len(next(iter(columns.values()))) if columns else 0
        if self.pool is None or n < max(2, 2 * sqlite_bulk.MIN_ROWS):
            return [_Ticket(lambda: columns)]
        half = n // 2
        first = {k: a.slice(0, half) for k, a in columns.items()}
        second = {k: a.slice(half) for k, a in columns.items()}
        return [self.submit(lambda: first), _Ticket(lambda: second)]

    def insert(self, table: str, ticket: "_Ticket") -> None:
        make_columns, ticket.make_columns = ticket.make_columns, None    # its columns freed after
        if ticket.future is None:          # the caller's thread: prepared, staged, copied here
            _insert(self.conn, table, make_columns())
            return
        result = ticket.future.result()    # the worker's error, if any, is raised here
        if isinstance(result, sqlite_bulk.Staged):
            sqlite_bulk.copy(self.conn.connection.driver_connection, table, result)
        else:
            _insert(self.conn, table, result)

    def insert_parts(self, table: str, tickets: list["_Ticket"]) -> None:
        """Insert split parts in order; the caller's own parts are staged before the worker's
        part is waited for."""
        if self.pool is None:
            for ticket in tickets:
                self.insert(table, ticket)
            return
        own = [None if t.future is not None else _staged_here(t.make_columns()) for t in tickets]
        for ticket in tickets:
            ticket.make_columns = None      # the columns are freed once staged / copied
        try:
            for ticket, mine in zip(tickets, own):
                if ticket.future is not None:
                    self.insert(table, ticket)
                elif isinstance(mine, sqlite_bulk.Staged):
                    sqlite_bulk.copy(self.conn.connection.driver_connection, table, mine)
                else:
                    _insert(self.conn, table, mine)
        finally:
            for mine in own:
                if isinstance(mine, sqlite_bulk.Staged):
                    sqlite_bulk.discard(mine)      # a no-op for the ones copied in

    def __exit__(self, *exc) -> None:
        if self.pool is None:
            return
        self.pool.shutdown(wait=True, cancel_futures=True)
        for future in self.futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                result = future.result()
                if isinstance(result, sqlite_bulk.Staged):
                    sqlite_bulk.discard(result)      # a no-op for the ones copied in


class _Ticket:
    """A table submitted to _Overlap: its column maker, and the worker's future (None: to be
    done on the caller's thread)."""

    __slots__ = ("make_columns", "future")

    def __init__(self, make_columns) -> None:
        self.make_columns = make_columns
        self.future: Future | None = None


def _staged_here(columns: dict | None):
    """On the caller's thread: columns staged if big enough (like insert_columns would)."""
    if not columns or len(next(iter(columns.values()))) < sqlite_bulk.MIN_ROWS:
        return columns
    names = list(columns)
    return sqlite_bulk.stage(names, [columns[n] for n in names])


def _prepare_and_stage(make_columns):
    """Worker: the table's columns, staged when big enough for the bulk path (else returned)."""
    columns = make_columns()
    if columns is None:
        return None
    names = list(columns)
    arrays = [columns[n] for n in names]
    if not arrays or len(arrays[0]) < sqlite_bulk.MIN_ROWS:
        return columns
    del columns
    return sqlite_bulk.stage(names, arrays)


def _counts(plan: _Plan, work: _Result, frozen: _Frozen, n_records: int) -> dict:
    """The audit event's counts: computed cases as written, frozen cases as stored."""
    blocked = plan.blocked
    counted = plan.cases if not len(blocked) else plan.cases.loc[~plan.cases.index.isin(blocked)]
    findings = work.findings if not len(blocked) else work.findings[~work.findings["anchor"].isin(blocked)]
    by_symptom = {str(k): int(v) for k, v in findings["symptom"].value_counts().items()}
    for code, count in frozen.by_symptom.items():
        by_symptom[code] = by_symptom.get(code, 0) + count
    return {
        "records": int(n_records), "cases": int(len(counted)) + frozen.active,
        "cases_with_findings": int((counted["symptom_count"] > 0).sum()) + frozen.with_findings,
        "new_cases": int(plan.in_scope["is_new"].sum()), "deactivated_cases": int(len(plan.gone)),
        "rewritten_cases": int(len(plan.in_scope)), "incremental": plan.incremental,
        "link_candidates": int(len(work.candidates)),
        "frozen_signed_off": len(frozen.case_ids), "frozen_periods": list(frozen.periods),
        "frozen_held_records": int(work.links["anchor"].isin(blocked).sum()) if len(blocked) else 0,
        "by_symptom": dict(sorted(by_symptom.items())),
    }


@contextmanager
def _save_session(workbook: Workbook):
    """The save's one transaction. On SQLite its connection has foreign-key checks off: every
    case and record id written comes from rows read or written in this same transaction, and
    checking the parents of millions of links doubled their insert time. The connection gets
    them back before it returns to the pool (or is discarded if that cannot be done)."""
    if not workbook.is_sqlite:
        with workbook.session() as session:
            yield session
        return
    with workbook.engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        dbapi.execute("PRAGMA foreign_keys=OFF")
        try:
            with workbook.sessions(bind=conn) as session, session.begin():
                yield session
        finally:
            if dbapi.in_transaction:
                conn.invalidate()
            else:
                dbapi.execute("PRAGMA foreign_keys=ON")


_BULK_SCOPE = 20_000   # ids from which an incremental delete goes through a temporary id table


def _delete_scope(conn, case_ids: set, scope_rids: pd.Series) -> None:
    """Incremental: remove the links, candidates and findings of the cases and records in scope.
    A big scope (a further month's records) is deleted set-based through temporary id tables,
    not one statement per id."""
    ids = np.array(sorted(int(i) for i in case_ids), dtype="int64")
    rids = np.sort(scope_rids.to_numpy(dtype="int64"))
    if len(ids) + len(rids) < _BULK_SCOPE:
        execute_chunked(conn, "DELETE FROM findings WHERE case_id = ?", [pa.array(ids)])
        execute_chunked(conn, "DELETE FROM link_candidates WHERE case_id = ?", [pa.array(ids)])
        execute_chunked(conn, "DELETE FROM link_candidates WHERE record_id = ?", [pa.array(rids)])
        execute_chunked(conn, "DELETE FROM case_links WHERE record_id = ? AND is_override = ?",
                        [pa.array(rids), pa.repeat(False, len(rids))])
        return
    _id_table(conn, "rc_scope_cases", ids)
    _id_table(conn, "rc_scope_records", rids)
    ph = "%s" if conn.dialect.name == "postgresql" else "?"
    conn.exec_driver_sql("DELETE FROM findings WHERE case_id IN (SELECT id FROM rc_scope_cases)")
    conn.exec_driver_sql("DELETE FROM link_candidates WHERE case_id IN (SELECT id FROM rc_scope_cases)")
    conn.exec_driver_sql("DELETE FROM link_candidates WHERE record_id IN (SELECT id FROM rc_scope_records)")
    conn.exec_driver_sql(f"DELETE FROM case_links WHERE is_override = {ph} "
                         f"AND record_id IN (SELECT id FROM rc_scope_records)", (False,))
    conn.exec_driver_sql("DROP TABLE rc_scope_cases")
    conn.exec_driver_sql("DROP TABLE rc_scope_records")


def _id_table(conn, name: str, ids: np.ndarray) -> None:
    """A temporary one-column table of ids (dropped by the caller, inside its transaction)."""
    conn.exec_driver_sql(f"CREATE TEMP TABLE {name} (id BIGINT PRIMARY KEY)")
    if conn.dialect.name == "sqlite":     # one int per row; sqlite_bulk stages into main only
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.executemany(f"INSERT INTO temp.{name} (id) VALUES (?)", ((i,) for i in ids.tolist()))
        finally:
            cur.close()
    else:
        insert_columns(conn, name, {"id": pa.array(ids)})


def _delete_all(conn, pg: bool, frozen: _Frozen) -> None:
    """Full run: remove every link (but a person's overrides), candidate and finding - except
    those of frozen (signed-off) cases."""
    keep, params = frozen.where()
    ph = "%s" if pg else "?"
    keep = keep.replace("?", ph)
    conn.exec_driver_sql("DELETE FROM findings WHERE 1 = 1" + keep, params)
    conn.exec_driver_sql("DELETE FROM link_candidates WHERE 1 = 1" + keep, params)
    conn.exec_driver_sql(f"DELETE FROM case_links WHERE is_override = {ph}" + keep, (False, *params))


def _scope(only: np.ndarray, links: pd.DataFrame, old_links: pd.DataFrame, cases: pd.DataFrame) -> pd.Index:
    """Anchors of the cases the given records touch now, or touched before this run (numpy
    set operations: a further month's scope is millions of records)."""
    now_anchors = links.loc[links["rid"].isin(only), "anchor"].to_numpy()
    before_cases = np.unique(old_links.loc[old_links["rid"].isin(only), "case_id"].to_numpy())
    # those earlier cases' records may now sit in other cases: include those too
    before_rids = old_links.loc[old_links["case_id"].isin(before_cases), "rid"].to_numpy()
    moved = links.loc[links["rid"].isin(before_rids), "anchor"].to_numpy()
    still = cases.index[cases["case_id"].isin(before_cases).to_numpy()].to_numpy()
    return pd.Index(np.union1d(np.union1d(now_anchors, moved), still))


def _summary_differs(in_scope: pd.DataFrame, existing: pd.DataFrame) -> np.ndarray:
    """Per in-scope case: is it new, reactivated, or is any stored summary column different?"""
    if existing.empty:    # a first reconcile: every case is new
        return np.ones(len(in_scope), dtype=bool)
    prev = existing.set_index("id").reindex(in_scope["case_id"])
    differs = prev["case_key"].isna().to_numpy() | ~prev["is_active"].fillna(False).astype(bool).to_numpy()
    if differs.all():     # all new (a first reconcile): nothing to compare
        return differs
    for col in _SUMMARY_COLUMNS:
        new = in_scope[col].reset_index(drop=True)
        old = prev[col].reset_index(drop=True)
        if col.endswith("_at"):
            same = (new == old) | (new.isna() & old.isna())
        elif col.endswith("_minor") or col == "symptom_count":
            a, b = new.astype("Int64"), old.astype("Int64")
            same = (a == b).fillna(False) | (a.isna() & b.isna())
        else:
            same = new.astype("string").fillna("\0") == old.astype("string").fillna("\0")
        differs |= ~same.fillna(False).to_numpy(dtype=bool)
    return differs


def _stamp(value: datetime) -> str:
    """An aware time as models.UTCDateTime stores it in SQLite (naive UTC text); PostgreSQL
    reads the same text for its timestamp columns."""
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")




def _take(frame: pd.DataFrame, col: str, mask: np.ndarray | None):
    """One column as a driver-ready Arrow array, only the rows of `mask` (None: all)."""
    arr = db_column(frame[col])
    return arr if mask is None else arr.filter(pa.array(mask))


def _write_cases(conn, pg: bool, cases: pd.DataFrame, now: datetime, incremental: bool, frozen: _Frozen,
                 insert_new=None, rebuild_later: list | None = None) -> None:
    """Insert new cases, update those whose summary changed (version + 1), stamp diagnosed_at
    on the rest. `insert_new`: inserts the new cases' rows (already prepared by the caller);
    `rebuild_later`: the indexes dropped for a bulk load are added to it, for the caller to
    rebuild, instead of being rebuilt here."""
    stamp = _stamp(now)
    new = cases["is_new"].to_numpy(dtype=bool)
    update = cases["differs"].to_numpy(dtype=bool) & ~new
    rebuild: list[str] = []
    if not pg and (new.sum() + update.sum()) > 0.2 * max(len(cases), 1) and len(cases) > 10_000:
        rebuild = drop_plain_indexes(conn, ("cases",))    # a bulk load: rebuild the indexes once after it
    if new.any():
        if insert_new is None:
            _insert(conn, "cases", _new_case_columns(cases, new, now))
        else:
            insert_new()
        if pg:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                                 "(SELECT max(id) FROM cases))")
    if update.any():
        n = int(update.sum())
        sets = ", ".join(f"{c} = ?" for c in _SUMMARY_COLUMNS)
        execute_chunked(
            conn, f"UPDATE cases SET {sets}, is_active = ?, diagnosed_at = ?, version = version + 1, "
                  # someone has worked this case: flag that its records changed since
                  f"source_changed = CASE WHEN status <> 'open' OR assignee IS NOT NULL THEN TRUE "
                  f"ELSE source_changed END WHERE id = ?",
            [*(_take(cases, c, update) for c in _SUMMARY_COLUMNS), pa.repeat(True, n), pa.repeat(stamp, n),
             _take(cases, "case_id", update)])
    same = ~new & ~update
    if same.any():
        if incremental:
            execute_chunked(conn, "UPDATE cases SET diagnosed_at = ? WHERE id = ?",
                            [pa.repeat(stamp, int(same.sum())), _take(cases, "case_id", same)])
        else:
            keep, params = frozen.where("id")
            sql = "UPDATE cases SET diagnosed_at = ? WHERE is_active = ?" + keep
            conn.exec_driver_sql(sql.replace("?", "%s") if pg else sql, (stamp, True, *params))
    if rebuild_later is None:
        rebuild_indexes(conn, rebuild)
    else:
        rebuild_later[:0] = rebuild


def _new_case_columns(cases: pd.DataFrame, new: np.ndarray, now: datetime) -> dict | None:
    if not new.any():
        return None
    mask = None if new.all() else new
    n = int(new.sum())
    columns = {c: _take(cases, c, mask) for c in _SUMMARY_COLUMNS}
    columns.update(id=_take(cases, "case_id", mask), case_key=_take(cases, "case_key", mask),
                   status=pa.repeat("open", n), is_active=pa.repeat(True, n),
                   source_changed=pa.repeat(False, n), diagnosed_at=pa.repeat(_stamp(now), n),
                   version=pa.repeat(1, n))
    return columns


def _case_ids(case_of_anchor: pd.Series, anchors: pd.Series) -> pa.Array:
    return pa.array(case_of_anchor.reindex(anchors.to_numpy()).to_numpy(dtype="int64"))


def _link_columns(links: pd.DataFrame, case_of_anchor: pd.Series) -> dict | None:
    if links.empty:
        return None
    # in record order: the unique record_id index then grows at its end
    order = np.argsort(links["rid"].to_numpy(dtype="int64"), kind="stable")
    links = links.take(order)
    del order
    return {
        "case_id": _case_ids(case_of_anchor, links["anchor"]),
        "record_id": db_column(links["rid"].to_numpy(dtype="int64")),
        "system": db_column(links["system"]), "rule": db_column(links["rule"]),
        "confidence": db_column(links["confidence"].to_numpy(dtype="float64")),
        "is_duplicate": db_column(links["is_duplicate"].to_numpy(dtype=bool)),
        "repaired": db_column(links["repaired"].astype("string")),
        "is_override": pa.repeat(False, len(links))}


def _candidate_columns(cands: pd.DataFrame, case_of_anchor: pd.Series) -> dict | None:
    if cands.empty:
        return None
    return {
        "case_id": _case_ids(case_of_anchor, cands["anchor"]),
        "record_id": db_column(cands["rid"].to_numpy(dtype="int64")),
        "rule": db_column(cands["rule"].astype("string")),
        "score": db_column(cands["score"].to_numpy(dtype="float64")),
        "note": db_column(cands["note"].astype("string"))}


def _finding_columns(findings: pd.DataFrame, case_of_anchor: pd.Series) -> dict | None:
    if findings.empty:
        return None
    columns = {"case_id": _case_ids(case_of_anchor, findings["anchor"])}
    for c in _FINDING_COLUMNS[1:]:
        if c == "window_closes_at":
            columns[c] = db_column(findings[c].astype(UTC_DTYPE), "time")
        elif c == "amount_delta_minor":
            columns[c] = db_column(findings[c].astype("Int64"))
        else:
            columns[c] = db_column(findings[c].astype("string"))
    return columns


def _insert(conn, table: str, columns: dict | None) -> None:
    if columns is not None:
        insert_columns(conn, table, columns)
