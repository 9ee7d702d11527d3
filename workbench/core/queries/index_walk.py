"""SQLite: the first ids of a filtered, sorted case list by walking the sort column's index.

The general plan for a filtered list (case_list.ids_statement) lets the filter use its own
index, then sorts every matching case: its cost grows with the number of matches (40,000
cases of one symptom at a million returns are 40,000 row visits and a sort), although the
table needs only the first chunk of ids. When the matches are not rare, walking an index that
is already in the sort order and testing the filter on each row finds the first chunk after
`chunk / share of matches` rows and stops (a LIMIT-friendly plan): 200 ids of a filter that
keeps 4 % of the cases cost about 5,000 row visits, whatever the number of cases.

Which plan wins depends on how many rows match, which SQLite cannot know for a LIKE or a
subquery. So `walk_ids` first measures the share of matching cases on a sample (one
sequential read of the first SAMPLE_ROWS rows) and walks only when the walk is expected to be
short. The walk's filter terms are written `+cases.x` so that the sort column's index is the
only one the planner can use; the plan is checked (EXPLAIN QUERY PLAN: no sort step) and the
walk runs under a time budget (SQLite's progress handler interrupts it). When any of that
fails, `walk_ids` returns None and the caller runs the general plan. The ids are the same
either way: the same WHERE terms and ORDER BY key, id (an index holds the rowid as its last
column, so ties come in id order in both directions).

Only for SQLite; PostgreSQL plans LIMIT queries from its own statistics.
"""

from __future__ import annotations

import sqlite3
import time

from sqlalchemy import and_, case, event, func, literal_column, select, true
from sqlalchemy.exc import OperationalError

from workbench.core.queries.tables import Case, cases

# Sort keys whose index starts with is_active (the default list of active cases walks it with
# is_active = 1); other sort keys walk their single-column index and test is_active per row.
ACTIVE_FIRST = {"first_event_at", "amount_minor"}
WALKABLE = ACTIVE_FIRST | {"customer", "order_ref", "status", "boundary", "assignee", "period", "id"}

SAMPLE_ROWS = 10_000        # cases tested to measure the share that matches
MAX_WALK_ROWS = 40_000      # walk only when the chunk is expected within this many rows
BUDGET_SECONDS = 0.1        # and give the walk this long before falling back
CHECK_EVERY = 5_000        # SQLite VM steps between two looks at the clock


def _sample_share(conn, where) -> float:
    """Share of the cases among the first SAMPLE_ROWS ids that match: a sequential read of a
    rowid range (the first pages of the table)."""
    first = conn.execute(select(func.min(Case.id))).scalar()
    in_sample = [] if first is None else [literal_column("cases.id") < first + SAMPLE_ROWS]
    seen, hits = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((where, 1), else_=0)), 0))
        .select_from(cases).where(*in_sample)).one()
    return hits / seen if seen else 0.0


def _plan(conn, stmt) -> list[str]:
    """EXPLAIN QUERY PLAN of `stmt` as SQLAlchemy would run it (same binds and types)."""
    def explain(_conn, _cursor, statement, parameters, _context, _many):
        return "EXPLAIN QUERY PLAN " + statement, parameters

    event.listen(conn, "before_cursor_execute", explain, retval=True)
    try:
        return [str(row[3]) for row in conn.execute(stmt).cursor.fetchall()]
    finally:
        event.remove(conn, "before_cursor_execute", explain)


def walk_ids(conn, flt, sort, plus_terms, *, limit: int, offset: int = 0,
             budget: float = BUDGET_SECONDS) -> list[int] | None:
    """The ids `case_list.ids_statement` gives for this LIMIT/OFFSET, found by walking the sort
    index; None when the walk is not expected to pay off, would sort, or ran out of its budget
    (then run the general plan). `plus_terms`: the filter's WHERE terms without the is_active
    test, written with `+cases.x` columns (case_list.conditions(..., plus=True))."""
    if sort.key not in WALKABLE or flt.include_inactive or not plus_terms:
        return None
    active = (Case.is_active == true()) if sort.key in ACTIVE_FIRST else (literal_column("+cases.is_active") == 1)
    where = and_(active, *plus_terms)
    share = _sample_share(conn, where)
    if share <= 0 or (offset + limit) / share > MAX_WALK_ROWS:
        return None
    col = getattr(Case, sort.key)
    order = [col.desc(), Case.id.desc()] if sort.descending else [col.asc(), Case.id.asc()]
    if sort.key == "id":
        order = order[:1]
    stmt = select(Case.id).where(where).order_by(*order).limit(limit).offset(offset)
    if any("TEMP B-TREE" in step for step in _plan(conn, stmt)):
        return None         # the planner would sort every match: not a walk
    dbapi = conn.connection.driver_connection
    deadline = time.perf_counter() + budget
    dbapi.set_progress_handler(lambda: 1 if time.perf_counter() > deadline else 0, CHECK_EVERY)
    try:
        result = conn.execute(stmt)
        return [row[0] for row in result.cursor.fetchall()]
    except (OperationalError, sqlite3.OperationalError) as exc:
        if "interrupt" in str(getattr(exc, "orig", None) or exc).lower():
            return None
        raise
    finally:
        dbapi.set_progress_handler(None, 0)


__all__ = ["walk_ids", "ACTIVE_FIRST", "WALKABLE", "SAMPLE_ROWS", "MAX_WALK_ROWS", "BUDGET_SECONDS"]
