"""The case list: filter and sort in SQL, return ids; fetch row data for a page of ids.

The UI's case table holds only the ordered id list from `case_ids()` and asks `fetch_rows()`
for the rows it is about to show (a page at a time). Filter-panel counts come from GROUP BY
queries (`symptom_counts()`, `facet_counts()`). Everything here is Qt-free and returns plain
values, so it can run on the background worker or on the UI thread.

Filtering uses the indexed columns of `cases` (status, assignee, boundary, amount_minor,
first_event_at, period) and `findings.symptom` / `tags.tag` through indexed subqueries.
Free text matches `cases.search_text` (references and customer, lower case) as a substring.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, func, literal_column, not_, or_, select, true
from sqlalchemy.sql import ColumnElement

from workbench.core.queries.index_walk import walk_ids
from workbench.core.store.database import Workbook
from workbench.core.queries.tables import Case, Finding, Tag, cases

CLEAN = "clean"            # pseudo-symptom: a case without findings
UNASSIGNED = ""            # assignee filter value meaning "nobody"
PAGE_SIZE = 100            # ids per row fetch: a screenful and a half; one page costs ~10 ms at 1M cases


@dataclass(frozen=True)
class CaseFilter:
    """What the filter panel asks for. Empty tuples / None mean "no restriction".

    Within one facet the values are alternatives (OR); facets combine with AND.
    """

    symptoms: tuple[str, ...] = ()          # finding codes, or CLEAN
    boundaries: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()         # UNASSIGNED ('') = no assignee
    systems_present: tuple[str, ...] = ()   # all of these systems have a record
    systems_absent: tuple[str, ...] = ()    # none of these systems has a record
    amount_min_minor: int | None = None     # on cases.amount_minor (reference amount)
    amount_max_minor: int | None = None
    date_from: datetime | None = None       # aware; on cases.first_event_at, inclusive
    date_to: datetime | None = None         # aware; exclusive
    text: str = ""                          # substring of any reference or the customer
    include_inactive: bool = False          # cases no record links to any more

    def without(self, facet: str) -> "CaseFilter":
        """This filter with one facet cleared (counts for a facet ignore its own selection)."""
        default = CaseFilter.__dataclass_fields__[facet].default
        return replace(self, **{facet: default})

    @property
    def is_empty(self) -> bool:
        return self == CaseFilter(include_inactive=self.include_inactive)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sortable: bool = True
    visible: bool = True            # shown by default
    kind: str = "text"              # text | money | time | int


# The columns the case table can show, in default order. `key` is a field of a fetched row.
COLUMNS: tuple[Column, ...] = (
    Column("case_key", "Case"),
    Column("status", "Status"),
    Column("symptoms", "Symptoms"),
    Column("amount_minor", "Amount", kind="money"),
    Column("boundary", "Boundary"),
    Column("order_ref", "Order"),
    Column("customer", "Customer"),
    Column("portal_amount_minor", "Portal amount", kind="money", visible=False),
    Column("processor_amount_minor", "Processor amount", kind="money", visible=False),
    Column("erp_amount_minor", "ERP amount", kind="money", visible=False),
    Column("systems_present", "Systems"),
    Column("first_event_at", "First event", kind="time"),
    Column("last_event_at", "Last event", kind="time", visible=False),
    Column("period", "Period", visible=False),
    Column("assignee", "Assignee"),
    Column("tags", "Tags", sortable=False),
    Column("fix_type", "Fix type", visible=False),
    Column("scope", "Scope", visible=False),
    Column("symptom_count", "Findings", kind="int", visible=False),
    Column("id", "Id", kind="int", visible=False),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
_BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class Sort:
    key: str = "first_event_at"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.key not in _BY_KEY or not _BY_KEY[self.key].sortable:
            raise ValueError(f"cannot sort by {self.key!r} (expected one of the sortable columns)")


def column(key: str) -> Column:
    return _BY_KEY[key]


# --- SQL building ---------------------------------------------------------------------------

def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Columns:
    """Column references for WHERE terms: the mapped columns of `cases`, or (plus=True) the same
    columns written `+cases.x`: SQLite's no-op unary plus keeps a term off every index
    (https://sqlite.org/optoverview.html, "Disqualifying WHERE clause terms using unary +").
    Columns named in `plain` stay as they are (a range on the sort column may use its index)."""

    def __init__(self, plus: bool = False, plain: tuple[str, ...] = ()) -> None:
        self.plus = plus
        self.plain = plain

    def __getattr__(self, name: str):
        col = getattr(Case, name)
        return literal_column(f"+cases.{name}", type_=col.type) if self.plus and name not in self.plain else col


_MAPPED = _Columns()


def _systems_has(system: str, c: _Columns = _MAPPED) -> ColumnElement[bool]:
    # systems_present is ';'-joined; wrap in ';' so 'erp' never matches inside another name
    return (";" + c.systems_present + ";").like(f"%;{_like_escape(system)};%", escape="\\")


def _combo_matches(combo: str, present: tuple[str, ...], absent: tuple[str, ...]) -> bool:
    have = set(combo.split(";")) - {""}
    return all(s in have for s in present) and not any(s in have for s in absent)


def _systems_condition(flt: CaseFilter, combos: list[str] | None,
                      c: _Columns = _MAPPED) -> list[ColumnElement[bool]]:
    """Present/absent systems. With the workbook's few distinct `systems_present` values known,
    the test becomes an indexed IN list; without them, a LIKE per system."""
    if not (flt.systems_present or flt.systems_absent):
        return []
    if combos is not None:
        return [c.systems_present.in_(
            [combo for combo in combos if _combo_matches(combo, flt.systems_present, flt.systems_absent)])]
    terms = [_systems_has(system, c) for system in flt.systems_present]
    terms += [not_(_systems_has(system, c)) for system in flt.systems_absent]
    return terms


def conditions(flt: CaseFilter, combos: list[str] | None = None, *,
               plus: bool = False, plain: tuple[str, ...] = ()) -> list[ColumnElement[bool]]:
    """The WHERE terms for a filter (on the `cases` table). `combos`: the distinct
    systems_present values (see `system_combos`), to turn system filters into an IN list.
    `plus`: every column but those in `plain` written `+cases.x` (SQLite: kept off indexes)."""
    c = _Columns(plus, plain)
    terms: list[ColumnElement[bool]] = []
    if not flt.include_inactive:
        terms.append(c.is_active == true())
    if flt.symptoms:
        codes = [s for s in flt.symptoms if s != CLEAN]
        alts: list[ColumnElement[bool]] = []
        if codes:
            alts.append(c.id.in_(select(Finding.case_id).where(Finding.symptom.in_(codes))))
        if CLEAN in flt.symptoms:
            alts.append(c.symptoms == "")
        terms.append(or_(*alts))
    if flt.boundaries:
        terms.append(c.boundary.in_(flt.boundaries))
    if flt.statuses:
        terms.append(c.status.in_(flt.statuses))
    if flt.tags:
        terms.append(c.id.in_(select(Tag.case_id).where(Tag.tag.in_(flt.tags))))
    if flt.assignees:
        named = [a for a in flt.assignees if a != UNASSIGNED]
        alts = []
        if named:
            alts.append(c.assignee.in_(named))
        if UNASSIGNED in flt.assignees:
            alts.append(or_(c.assignee.is_(None), c.assignee == ""))
        terms.append(or_(*alts))
    terms += _systems_condition(flt, combos, c)
    if flt.amount_min_minor is not None:
        terms.append(c.amount_minor >= flt.amount_min_minor)
    if flt.amount_max_minor is not None:
        terms.append(c.amount_minor <= flt.amount_max_minor)
    if flt.date_from is not None:
        terms.append(c.first_event_at >= flt.date_from)
    if flt.date_to is not None:
        terms.append(c.first_event_at < flt.date_to)
    text = flt.text.strip().lower()
    if text:
        for word in text.split():
            terms.append(c.search_text.like(f"%{_like_escape(word)}%", escape="\\"))
    return terms


def _where(flt: CaseFilter, combos: list[str] | None = None) -> ColumnElement[bool]:
    terms = conditions(flt, combos)
    return and_(*terms) if terms else true()


def ids_statement(flt: CaseFilter, sort: Sort = Sort(), combos: list[str] | None = None,
                  dialect: str = "sqlite"):
    """SELECT id ... WHERE <filter> ORDER BY <sort>, id.

    SQLite: without a filter, the order comes straight from the covering indexes
    (is_active, first_event_at) / (is_active, amount_minor). WITH a filter, walking such an
    index would visit every row at random to test the filter, which is far slower than letting
    the filter use its own index (or one sequential scan) and sorting the few rows that match:
    so the order and the is_active test are written with SQLite's no-op unary `+`, which
    keeps them off the indexes (https://sqlite.org/optoverview.html, "Disqualifying WHERE
    clause terms using unary +")."""
    col = getattr(Case, sort.key)
    if dialect == "sqlite" and not flt.is_empty:
        terms = conditions(replace(flt, include_inactive=True), combos)
        if not flt.include_inactive:
            terms.insert(0, literal_column("+cases.is_active") == 1)
        where = and_(*terms)
        key = literal_column(f"+cases.{col.key}")
        order = [key.desc() if sort.descending else key.asc()]
    elif dialect == "sqlite" and not flt.include_inactive and sort.key not in ("first_event_at", "amount_minor"):
        # no filter, a sort key with its own single-column index (customer, order_ref, ...): an
        # indexed is_active = 1 makes SQLite take (is_active, first_event_at) and sort a million
        # rows (0.6 s at 1M); with `+` it walks the sort key's index and stops after the first
        # page (0.01 s) - nearly every case is active
        where = literal_column("+cases.is_active") == 1
        order = [col.desc() if sort.descending else col.asc()]
    else:
        where = _where(flt, combos)
        order = [col.desc() if sort.descending else col.asc()]
    if sort.key != "id":
        order.append(Case.id.desc() if sort.descending else Case.id.asc())
    return select(Case.id).where(where).order_by(*order)


def system_combos(workbook: Workbook) -> list[str]:
    """The distinct `systems_present` values (a handful; read from their index)."""
    with workbook.engine.connect() as conn:
        return [v or "" for (v,) in conn.execute(select(Case.systems_present).distinct())]


# --- queries --------------------------------------------------------------------------------

def case_ids(workbook: Workbook, flt: CaseFilter = CaseFilter(), sort: Sort = Sort(), job=None, *,
             limit: int | None = None, offset: int = 0, text_index=None) -> list[int]:
    """The ids of the cases matching `flt`, in `sort` order (ties broken by id); with `limit`,
    only that many from `offset` on (the table loads the list a chunk at a time).

    `text_index` (a current text_index.TextIndex, optional): for a free-text filter it names
    the few candidate cases of a rare word; the LIKE terms stay in the query, so the result is
    the same as without it."""
    combos = system_combos(workbook) if (flt.systems_present or flt.systems_absent) else None
    dialect = workbook.engine.dialect.name
    stmt = ids_statement(flt, sort, combos, dialect)
    words = flt.text.strip().lower().split()
    candidates = text_index.candidates(words) if (text_index is not None and words) else None
    if candidates is not None:
        if not candidates:
            return []
        stmt = stmt.where(Case.id.in_(candidates))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    with workbook.engine.connect() as conn:
        if limit is not None and dialect == "sqlite" and not flt.is_empty and candidates is None:
            # a LIMIT-friendly walk of the sort index when the matches are not rare
            terms = conditions(replace(flt, include_inactive=True), combos, plus=True, plain=(sort.key,))
            walked = walk_ids(conn, flt, sort, terms, limit=limit, offset=offset)
            if walked is not None:
                return walked
        result = conn.execute(stmt)
        # plain integers: read the driver's rows directly, skipping per-row Row objects
        return [row[0] for row in result.cursor.fetchall()]


def count_cases(workbook: Workbook, flt: CaseFilter = CaseFilter()) -> int:
    with workbook.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases).where(_where(flt))).scalar_one()


_ROW_COLUMNS = [getattr(Case, k) for k in COLUMN_KEYS if k != "tags"] + [Case.currency]


def fetch_rows(workbook: Workbook, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Row data for these case ids (any order; missing ids are absent from the result).

    Each row is a plain dict with every COLUMNS key plus 'currency'; times are aware UTC,
    money integer minor units, 'tags' a sorted list.
    """
    out: dict[int, dict[str, Any]] = {}
    ids = list(ids)
    with workbook.engine.connect() as conn:
        for start in range(0, len(ids), PAGE_SIZE):
            chunk = ids[start:start + PAGE_SIZE]
            for row in conn.execute(select(*_ROW_COLUMNS).where(Case.id.in_(chunk))):
                data = dict(row._mapping)
                data["tags"] = []
                out[data["id"]] = data
            for case_id, tag in conn.execute(
                select(Tag.case_id, Tag.tag).where(Tag.case_id.in_(chunk)).order_by(Tag.case_id, Tag.tag)
            ):
                if case_id in out:
                    out[case_id]["tags"].append(tag)
    return out


def _scan_where(flt: CaseFilter, workbook: Workbook) -> ColumnElement[bool]:
    """WHERE for a counting scan: like `_where`, with is_active kept off the indexes (SQLite:
    a sequential scan beats visiting every row through an index on is_active)."""
    if workbook.engine.dialect.name != "sqlite":
        return _where(flt)
    terms = conditions(replace(flt, include_inactive=True))
    if not flt.include_inactive:
        terms.insert(0, literal_column("+cases.is_active") == 1)
    return and_(*terms) if terms else true()


def _add_symptoms(counts: dict[str, int], combo: str | None, n: int) -> None:
    codes = [c for c in (combo or "").split(";") if c]
    if not codes:
        counts[CLEAN] = counts.get(CLEAN, 0) + n
    for code in codes:
        counts[code] = counts.get(code, 0) + n


def symptom_counts(workbook: Workbook, flt: CaseFilter = CaseFilter()) -> dict[str, int]:
    """{symptom code: number of cases} among the cases matching `flt` without its symptom
    selection (so the panel shows what each choice would give), plus CLEAN.

    One GROUP BY over `cases.symptoms` (the ';'-joined codes: a few hundred combinations at
    most), split per code here: a single scan of cases, no join with findings."""
    where = _scan_where(flt.without("symptoms"), workbook)
    counts: dict[str, int] = {CLEAN: 0}
    with workbook.engine.connect() as conn:
        stmt = select(Case.symptoms, func.count()).select_from(cases).where(where).group_by(Case.symptoms)
        for combo, n in conn.execute(stmt):
            _add_symptoms(counts, combo, n)
    return counts


_FACET_COLUMNS = {"boundaries": Case.boundary, "statuses": Case.status, "assignees": Case.assignee}


def facet_counts(workbook: Workbook, facet: str, flt: CaseFilter = CaseFilter()) -> dict[str, int]:
    """{value: cases} for 'boundaries', 'statuses', 'assignees' or 'tags' (GROUP BY), among the
    cases matching `flt` without that facet's own selection. A missing assignee counts as ''."""
    base = flt.without(facet)
    where = _scan_where(base, workbook)
    with workbook.engine.connect() as conn:
        if facet == "tags":
            # driven from the (few) tags, each case looked up by its key
            stmt = (
                select(Tag.tag, func.count())
                .join(cases, Case.id == Tag.case_id)
                .where(where)
                .group_by(Tag.tag)
            )
        elif facet in _FACET_COLUMNS:
            col = _FACET_COLUMNS[facet]
            stmt = select(col, func.count()).select_from(cases).where(where).group_by(col)
        else:
            raise ValueError(f"unknown facet {facet!r} (expected boundaries, statuses, assignees or tags)")
        out: dict[str, int] = {}
        for value, n in conn.execute(stmt):
            key = value or ""
            if facet == "boundaries" and not key:
                continue   # clean cases have no boundary
            out[key] = out.get(key, 0) + n
    return out


FACETS = ("boundaries", "statuses", "tags", "assignees")


def filter_counts(workbook: Workbook, flt: CaseFilter = CaseFilter(), job=None) -> dict[str, Any]:
    """Everything the filter panel counts, for one filter: {'symptoms': {...}, 'boundaries':
    {...}, 'statuses': ..., 'tags': ..., 'assignees': ..., 'systems': [...]}. Plain values, so
    it can run on the background worker."""
    out: dict[str, Any] = {}
    if not (flt.symptoms or flt.boundaries or flt.statuses or flt.assignees):
        # no selection in these facets: all their counts come from ONE scan of the cases
        out.update(_joint_counts(workbook, flt))
    else:
        out["symptoms"] = symptom_counts(workbook, flt)
        for facet in ("boundaries", "statuses", "assignees"):
            if job is not None:
                job.check()
            out[facet] = facet_counts(workbook, facet, flt)
    if job is not None:
        job.check()
    out["tags"] = facet_counts(workbook, "tags", flt)
    out["systems"] = known_systems(workbook)
    out["total"] = (sum(out["statuses"].values()) if not flt.statuses else count_cases(workbook, flt))
    return out


def _joint_counts(workbook: Workbook, flt: CaseFilter) -> dict[str, dict[str, int]]:
    cols = (Case.symptoms, Case.boundary, Case.status, Case.assignee)
    stmt = select(*cols, func.count()).select_from(cases).where(_scan_where(flt, workbook)).group_by(*cols)
    symptoms: dict[str, int] = {CLEAN: 0}
    boundaries: dict[str, int] = {}
    statuses: dict[str, int] = {}
    assignees: dict[str, int] = {}
    with workbook.engine.connect() as conn:
        for combo, boundary, status, assignee, n in conn.execute(stmt):
            _add_symptoms(symptoms, combo, n)
            if boundary:
                boundaries[boundary] = boundaries.get(boundary, 0) + n
            statuses[status] = statuses.get(status, 0) + n
            assignees[assignee or ""] = assignees.get(assignee or "", 0) + n
    return {"symptoms": symptoms, "boundaries": boundaries, "statuses": statuses, "assignees": assignees}


def known_systems(workbook: Workbook) -> list[str]:
    """Systems that appear in any case (for the present/absent choices)."""
    from workbench.core.canonical import SYSTEMS

    seen: set[str] = set()
    for value in system_combos(workbook):
        seen.update(s for s in value.split(";") if s)
    return [s for s in SYSTEMS if s in seen] + sorted(seen - set(SYSTEMS))


def neighbours(ids: Sequence[int], case_id: int, step: int) -> int | None:
    """The id `step` places after `case_id` in the list (None at either end or if absent)."""
    try:
        index = ids.index(case_id)
    except ValueError:
        return None
    target = index + step
    return ids[target] if 0 <= target < len(ids) else None


__all__ = [
    "CLEAN", "UNASSIGNED", "PAGE_SIZE", "CaseFilter", "Column", "COLUMNS", "COLUMN_KEYS", "Sort",
    "case_ids", "count_cases", "fetch_rows", "system_combos", "filter_counts", "FACETS", "symptom_counts", "facet_counts", "known_systems",
    "conditions", "ids_statement", "column",
]
