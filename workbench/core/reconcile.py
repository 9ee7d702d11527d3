"""Reconcile: read the current source records, link them into cases, diagnose, persist.

Set-based from end to end: one read of `source_records`, pandas for linking and diagnosis,
and one transaction of driver-level executemany writes (never per-row ORM objects):
cases are upserted by `case_key` (status, assignee, tags, notes and adjustments stay with the
case), case_links / link_candidates / findings are replaced, source_records.key_* are filled,
and one audit event 'reconcile' states the counts and the settings used. A cancel
(`job.check()`) before the commit leaves the store as it was.

Incremental (`only_record_ids`): linking still sees every record (a new record can only be
placed correctly against all others), but only the cases those records touch, now or before,
are rewritten and re-diagnosed; other cases keep their stored diagnosis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core import audit
from workbench.core.canonical import UTC_DTYPE
from workbench.core.diagnose import Diagnosis, diagnose_cases
from workbench.core.jobs import Job, ensure_job
from workbench.core.link import LinkResult, link_records
from workbench.core.link.overrides import apply_overrides
from workbench.core.settings import BusinessSettings
from workbench.core.store.database import Workbook
from workbench.core.store.frames import STR_MAP, fetch_frame
from workbench.core.store.postgres import RECONCILE_LOCK, team_lock

_RECORD_COLUMNS = (
    "rid", "system", "profile", "record_id", "return_ref", "order_ref", "refund_ref", "customer",
    "amount_minor", "currency", "stage", "status_raw", "occurred_at", "approved_at", "refunded_at",
    "updated_at", "unkeyed",
)
_RECORD_SQL = (
    "SELECT id, system, profile, record_id, return_ref, order_ref, refund_ref, customer, "
    "amount_minor, currency, stage, status_raw, occurred_at, approved_at, refunded_at, updated_at, "
    "CASE WHEN key_return IS NULL AND key_order IS NULL AND key_refund IS NULL THEN 1 ELSE 0 END "
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
    seconds: dict[str, float] = field(default_factory=dict)


def read_records(conn) -> pd.DataFrame:
    """Current source records as the linker's frame (times aware UTC)."""
    schema = {c: ("int" if c in ("rid", "amount_minor") else "bool" if c == "unkeyed"
                  else "time" if c.endswith("_at") else "str") for c in _RECORD_COLUMNS}
    frame = _fetch_sqlite_packed(conn, schema) if conn.dialect.name == "sqlite" else None
    if frame is None:
        frame = fetch_frame(conn, _RECORD_SQL, (True,), schema)
    frame["rid"] = frame["rid"].astype("int64")
    return frame


_ROW, _FIELD, _NULL = "\x1e", "\x1f", "\x1d"
_PACK_ROWS = 250_000


def _fetch_sqlite_packed(conn, schema: dict[str, str]) -> pd.DataFrame | None:
    """SQLite: let the engine pack a quarter of a million rows into one string (fields and rows
    joined by control characters) and split them with Arrow kernels: a handful of Python objects
    instead of one per cell. None if a value holds one of the separators (then read plainly)."""
    select = _RECORD_SQL.split(" FROM ")[0].removeprefix("SELECT ")
    fields = [f.strip() for f in _split_select(select)]
    packed = " || char(31) || ".join(f"ifnull({f}, char(29))" for f in fields)
    sql = (f"SELECT group_concat(r, char(30)), max(id), count(*) FROM (SELECT id, {packed} AS r "
           f"FROM source_records WHERE is_current = ? AND id > ? ORDER BY id LIMIT {_PACK_ROWS})")
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
        return fetch_frame(conn, _RECORD_SQL, (True,), schema)
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


def reconcile(workbook: Workbook, settings: BusinessSettings | None = None, job: Job | None = None,
              only_record_ids=None) -> ReconcileSummary:
    # on a PostgreSQL team store one reconcile at a time: it plans case ids and changes from
    # what it read, so a second one waits and then reads the first one's result
    with team_lock(workbook.engine, RECONCILE_LOCK):
        return _reconcile(workbook, settings, job, only_record_ids)


def _reconcile(workbook: Workbook, settings: BusinessSettings | None, job: Job | None,
               only_record_ids) -> ReconcileSummary:
    job = ensure_job(job)
    settings = (settings or workbook.business_settings()).validated()
    clock = _Clock()
    job.step(0.0, "Reading records")
    with workbook.engine.connect() as conn:
        records = read_records(conn)
        existing = read_cases(conn)
        old_links = fetch_frame(conn, "SELECT record_id, case_id, is_override FROM case_links", (),
                           {"rid": "int", "case_id": "int", "is_override": "bool"})
        old_links = old_links.astype({"rid": "int64", "case_id": "int64"})
        pins = old_links.loc[old_links["is_override"], ["rid", "case_id"]]
    clock.lap("read")
    job.check()

    job.step(0.2, "Linking")
    key_of = existing.set_index("id")["case_key"]
    linked = link_records(records, settings)
    anchor_of_key = _anchor_by_key(records)
    pin_frame = pd.DataFrame({"rid": pins["rid"].astype("int64"),
                              "anchor": key_of.reindex(pins["case_id"]).map(anchor_of_key).to_numpy()})
    unresolved_pins = pin_frame[pin_frame["anchor"].isna()]
    pin_frame = pin_frame.dropna().astype("int64")
    links = apply_overrides(linked.links, pin_frame)
    if not unresolved_pins.empty:   # pinned to a case that no longer has an anchor: leave as pinned
        links = links[~links["rid"].isin(unresolved_pins["rid"])]
    linked = LinkResult(links=links, candidates=linked.candidates, keys=linked.keys)
    clock.lap("link")
    job.check()

    job.step(0.5, "Diagnosing")
    diag = diagnose_cases(records, linked, settings)
    clock.lap("diagnose")
    job.check()

    job.step(0.7, "Saving")
    summary = _persist(workbook, settings, records, linked, diag, existing, old_links, pins,
                       only_record_ids, job, clock)
    summary.seconds = clock.laps
    job.step(1.0, "Reconciled")
    return summary


def _anchor_by_key(records: pd.DataFrame) -> pd.Series:
    keys = records["system"] + ":" + records["record_id"]
    return pd.Series(records["rid"].to_numpy(), index=keys.to_numpy())


class _Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.t, 3)
        self.t = now


# --- persistence ------------------------------------------------------------------------------

def _persist(workbook: Workbook, settings: BusinessSettings, records: pd.DataFrame, linked: LinkResult,
             diag: Diagnosis, existing: pd.DataFrame, old_links: pd.DataFrame, pins: pd.DataFrame,
             only_record_ids, job: Job, clock: "_Clock") -> ReconcileSummary:
    cases = diag.cases
    links = linked.links
    pg = workbook.engine.dialect.name == "postgresql"
    ph = "%s" if pg else "?"
    now = datetime.now(UTC)

    # case ids: existing by case_key, new ones numbered after the current maximum
    id_by_key = existing.set_index("case_key")["id"]
    case_id = id_by_key.reindex(cases["case_key"]).to_numpy(dtype="float64", na_value=float("nan")).copy()
    is_new = pd.isna(case_id)
    next_id = int(existing["id"].max()) + 1 if len(existing) else 1
    case_id[is_new] = range(next_id, next_id + int(is_new.sum()))
    cases = cases.assign(case_id=case_id.astype("int64"), is_new=is_new)
    case_of_anchor = cases["case_id"]

    incremental = only_record_ids is not None
    if incremental:
        scope_anchors = _scope(set(int(r) for r in only_record_ids), links, old_links, existing, cases)
    else:
        scope_anchors = cases.index
    in_scope = cases.loc[cases.index.isin(scope_anchors)].copy()
    in_scope["differs"] = _summary_differs(in_scope, existing)
    scope_rids = links.loc[links["anchor"].isin(scope_anchors), "rid"]
    scope_case_ids = set(in_scope["case_id"])

    # cases no record links to any more
    if incremental:
        lost = set(old_links.loc[old_links["rid"].isin(scope_rids), "case_id"]) - set(cases["case_id"])
        gone = existing[existing["id"].isin(lost) & existing["is_active"].astype(bool)]
    else:
        gone = existing[~existing["id"].isin(cases["case_id"]) & existing["is_active"].astype(bool)]

    changed = _changed(in_scope, existing) | set(gone["id"])
    job.check()

    with workbook.session() as session:
        conn = session.connection()
        if incremental:
            ids = [(int(i),) for i in scope_case_ids | set(gone["id"])]
            rids = [(int(r),) for r in scope_rids]
            conn.exec_driver_sql(f"DELETE FROM findings WHERE case_id = {ph}", ids) if ids else None
            conn.exec_driver_sql(f"DELETE FROM link_candidates WHERE case_id = {ph}", ids) if ids else None
            if rids:
                conn.exec_driver_sql(f"DELETE FROM link_candidates WHERE record_id = {ph}", rids)
                conn.exec_driver_sql(f"DELETE FROM case_links WHERE record_id = {ph} AND is_override = {ph}",
                                     [(r, False) for (r,) in rids])
        else:
            conn.exec_driver_sql("DELETE FROM findings")
            conn.exec_driver_sql("DELETE FROM link_candidates")
            conn.exec_driver_sql(f"DELETE FROM case_links WHERE is_override = {ph}", (False,))
        # a full rewrite loads faster without the secondary indexes; they are rebuilt below
        rebuild = [] if incremental or pg else _drop_indexes(conn, ("case_links", "findings", "link_candidates"))
        clock.lap("write_delete")
        _write_cases(conn, ph, pg, in_scope, now, incremental)
        clock.lap("write_cases")
        if len(gone):
            conn.exec_driver_sql(
                f"UPDATE cases SET is_active = {ph}, symptoms = '', symptom_count = 0, boundary = NULL, "
                f"fix_type = NULL, scope = NULL, cause = NULL, diagnosed_at = {ph} WHERE id = {ph}",
                [(False, _t(now, pg), int(i)) for i in gone["id"]])
        new_links = links[links["anchor"].isin(scope_anchors) & ~links["is_override"]]
        _write_links(conn, ph, new_links, case_of_anchor)
        clock.lap("write_links")
        _write_candidates(conn, ph, linked.candidates, case_of_anchor, scope_anchors)
        _write_findings(conn, ph, pg, diag.findings[diag.findings["anchor"].isin(scope_anchors)], case_of_anchor)
        clock.lap("write_findings")
        for statement in rebuild:
            conn.exec_driver_sql(statement)
        clock.lap("write_indexes")
        _write_keys(conn, ph, records, linked.keys, scope_rids if incremental else None)
        clock.lap("write_keys")
        active = cases
        by_symptom = diag.findings["symptom"].value_counts().sort_index()
        after = {
            "records": int(len(records)), "cases": int(len(active)),
            "cases_with_findings": int((active["symptom_count"] > 0).sum()),
            "new_cases": int(in_scope["is_new"].sum()), "deactivated_cases": int(len(gone)),
            "rewritten_cases": int(len(in_scope)), "incremental": incremental,
            "link_candidates": int(len(linked.candidates)),
            "by_symptom": {k: int(v) for k, v in by_symptom.items()},
            "as_of": diag.as_of.isoformat(), "settings": settings.to_json(),
        }
        audit.record(session, workbook.user, "reconcile", entity="cases", after=after)
        job.check()   # the last chance: raising here rolls everything back
    clock.lap("write_commit")
    return ReconcileSummary(
        cases=int(len(active)), cases_with_findings=after["cases_with_findings"],
        by_symptom=after["by_symptom"], changed_case_ids=tuple(sorted(int(i) for i in changed)),
        records=int(len(records)), new_cases=after["new_cases"], deactivated_cases=int(len(gone)),
        candidates=int(len(linked.candidates)), as_of=diag.as_of, incremental=incremental)


def _scope(only: set[int], links: pd.DataFrame, old_links: pd.DataFrame, existing: pd.DataFrame,
           cases: pd.DataFrame) -> pd.Index:
    """Anchors of the cases the given records touch now, or touched before this run."""
    now_anchors = set(links.loc[links["rid"].isin(only), "anchor"])
    before_cases = set(old_links.loc[old_links["rid"].isin(only), "case_id"])
    # those earlier cases' records may now sit in other cases: include those too
    before_rids = set(old_links.loc[old_links["case_id"].isin(before_cases), "rid"])
    now_anchors |= set(links.loc[links["rid"].isin(before_rids), "anchor"])
    still = cases.loc[cases["case_id"].isin(before_cases)].index
    return pd.Index(sorted(now_anchors | set(still)))


def _summary_differs(in_scope: pd.DataFrame, existing: pd.DataFrame) -> np.ndarray:
    """Per in-scope case: is it new, reactivated, or is any stored summary column different?"""
    prev = existing.set_index("id").reindex(in_scope["case_id"])
    differs = prev["case_key"].isna().to_numpy() | ~prev["is_active"].fillna(False).astype(bool).to_numpy()
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


def _changed(in_scope: pd.DataFrame, existing: pd.DataFrame) -> set[int]:
    ids = in_scope["case_id"].to_numpy()
    return set(int(i) for i in ids[in_scope["differs"].to_numpy(dtype=bool)])


def _t(value, pg: bool):
    """An aware UTC time as the column stores it: naive UTC (string in SQLite like SQLAlchemy)."""
    if value is None or pd.isna(value):
        return None
    naive = pd.Timestamp(value).tz_convert("UTC").tz_localize(None).to_pydatetime()
    return naive if pg else naive.strftime("%Y-%m-%d %H:%M:%S.%f")


def _times(series: pd.Series, pg: bool) -> list:
    naive = series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pg:
        return [None if pd.isna(v) else v.to_pydatetime() for v in naive]
    text_ = naive.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object)
    return text_.where(naive.notna(), None).tolist()


def _py(series: pd.Series) -> list:
    """A column as Python values with None for missing (drivers take no numpy scalars)."""
    if str(series.dtype) in ("Int64", "int64"):
        values = series.astype("Int64").astype(object)
        return [None if v is pd.NA else int(v) for v in values]
    if series.dtype == bool:
        return [bool(v) for v in series]
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()


def _drop_indexes(conn, tables: tuple[str, ...]) -> list[str]:
    """SQLite: drop the plain (non-unique, named) indexes of `tables`; return their CREATE
    statements to run after the load."""
    marks = ", ".join("?" * len(tables))
    rows = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%'", tables).all()
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def _write_cases(conn, ph: str, pg: bool, cases: pd.DataFrame, now: datetime, incremental: bool) -> None:
    """Insert new cases, update those whose summary changed, stamp diagnosed_at on the rest."""
    stamp = _t(now, pg)
    new = cases["is_new"].to_numpy(dtype=bool)
    update = cases["differs"].to_numpy(dtype=bool) & ~new
    rebuild: list[str] = []
    if not pg and (new.sum() + update.sum()) > 0.2 * max(len(cases), 1) and len(cases) > 10_000:
        rebuild = _drop_indexes(conn, ("cases",))    # a bulk load: rebuild the indexes once after it
    for mask, insert in ((new, True), (update, False)):
        if not mask.any():
            continue
        sub = cases[mask]
        cols = [(_times(sub[c], pg) if c.endswith("_at") else _py(sub[c])) for c in _SUMMARY_COLUMNS]
        ids = _py(sub["case_id"])
        if insert:
            names = ", ".join(_SUMMARY_COLUMNS)
            marks = ", ".join([ph] * (len(_SUMMARY_COLUMNS) + 8))
            conn.exec_driver_sql(
                f"INSERT INTO cases ({names}, id, case_key, status, is_active, source_changed, diagnosed_at, "
                f"version, assignee) VALUES ({marks})",
                list(zip(*cols, ids, _py(sub["case_key"]), ["open"] * len(sub), [True] * len(sub),
                         [False] * len(sub), [stamp] * len(sub), [1] * len(sub), [None] * len(sub))))
            if pg:
                conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('cases', 'id'), "
                                     "(SELECT max(id) FROM cases))")
        else:
            sets = ", ".join(f"{c} = {ph}" for c in _SUMMARY_COLUMNS)
            conn.exec_driver_sql(
                f"UPDATE cases SET {sets}, is_active = {ph}, diagnosed_at = {ph}, "
                # someone has worked this case: flag that its records changed since
                f"source_changed = CASE WHEN status <> 'open' OR assignee IS NOT NULL THEN TRUE "
                f"ELSE source_changed END WHERE id = {ph}",
                list(zip(*cols, [True] * len(sub), [stamp] * len(sub), ids)))
    same = ~new & ~update
    if same.any():
        if incremental:
            conn.exec_driver_sql(f"UPDATE cases SET diagnosed_at = {ph} WHERE id = {ph}",
                                 [(stamp, int(i)) for i in cases.loc[same, "case_id"]])
        else:
            conn.exec_driver_sql(f"UPDATE cases SET diagnosed_at = {ph} WHERE is_active = {ph}", (stamp, True))
    for statement in rebuild:
        conn.exec_driver_sql(statement)


def _write_links(conn, ph: str, links: pd.DataFrame, case_of_anchor: pd.Series) -> None:
    if links.empty:
        return
    case_ids = case_of_anchor.reindex(links["anchor"]).astype("int64")
    rows = zip(_py(case_ids.reset_index(drop=True)), _py(links["rid"].astype("int64")), _py(links["system"]),
               _py(links["rule"]), [float(c) for c in links["confidence"]],
               [bool(v) for v in links["is_duplicate"]], _py(links["repaired"]), [False] * len(links))
    conn.exec_driver_sql(
        "INSERT INTO case_links (case_id, record_id, system, rule, confidence, is_duplicate, repaired, "
        f"is_override) VALUES ({', '.join([ph] * 8)})", list(rows))


def _write_candidates(conn, ph: str, cands: pd.DataFrame, case_of_anchor: pd.Series, scope) -> None:
    cands = cands[cands["anchor"].isin(scope) & cands["anchor"].isin(case_of_anchor.index)]
    if cands.empty:
        return
    case_ids = case_of_anchor.reindex(cands["anchor"]).astype("int64").reset_index(drop=True)
    rows = zip(_py(case_ids), _py(cands["rid"].astype("int64")), _py(cands["rule"]),
               [float(s) for s in cands["score"]], _py(cands["note"]))
    conn.exec_driver_sql(
        f"INSERT INTO link_candidates (case_id, record_id, rule, score, note) VALUES ({', '.join([ph] * 5)})",
        list(rows))


def _write_findings(conn, ph: str, pg: bool, findings: pd.DataFrame, case_of_anchor: pd.Series) -> None:
    if findings.empty:
        return
    f = findings.assign(case_id=case_of_anchor.reindex(findings["anchor"]).to_numpy()).reset_index(drop=True)
    cols = [(_times(f[c], pg) if c == "window_closes_at" else _py(f[c])) for c in _FINDING_COLUMNS]
    conn.exec_driver_sql(
        f"INSERT INTO findings ({', '.join(_FINDING_COLUMNS)}) VALUES ({', '.join([ph] * len(_FINDING_COLUMNS))})",
        list(zip(*cols)))


def _write_keys(conn, ph: str, records: pd.DataFrame, keys: pd.DataFrame, only_rids) -> None:
    """Store the normalised keys of records not keyed yet (a record's keys never change: they
    depend on its own references only)."""
    k = keys.reindex(records["rid"].to_numpy())
    todo = records["unkeyed"].to_numpy(dtype=bool) & k.notna().any(axis=1).to_numpy()
    if only_rids is not None:
        todo &= records["rid"].isin(set(only_rids)).to_numpy()
    if not todo.any():
        return
    sub = k[todo]
    rids = records["rid"].to_numpy()[todo]
    rows = zip(_py(sub["key_return"]), _py(sub["key_order"]), _py(sub["key_refund"]), [int(r) for r in rids])
    conn.exec_driver_sql(
        f"UPDATE source_records SET key_return = {ph}, key_order = {ph}, key_refund = {ph} WHERE id = {ph}",
        list(rows))
