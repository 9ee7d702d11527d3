"""Case list queries: filters, sort and counts in SQL, against hand-made cases (no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.core.queries.case_list import (
    CLEAN,
    UNASSIGNED,
    CaseFilter,
    Sort,
    case_ids,
    count_cases,
    facet_counts,
    fetch_rows,
    known_systems,
    symptom_counts,
)
from workbench.core.store.models import Case, Finding, Tag


def _case(session, key, *, symptoms=(), boundary=None, status="open", assignee=None, amount=None,
          systems="portal;processor;erp", first=None, search="", active=True, customer=None):
    case = Case(case_key=key, status=status, assignee=assignee, symptoms=";".join(sorted(symptoms)),
                symptom_count=len(symptoms), boundary=boundary, amount_minor=amount, currency="USD",
                systems_present=systems, first_event_at=first, search_text=search, is_active=active,
                customer=customer)
    session.add(case)
    session.flush()
    for code in symptoms:
        session.add(Finding(case_id=case.id, symptom=code, boundary=boundary or "", fix_type="x",
                            scope="ops", cause="process", evidence="e"))
    return case.id


@pytest.fixture
def cases(workbook):
    t = lambda d: datetime(2026, 10, d, 12, tzinfo=UTC)  # noqa: E731
    with workbook.session() as s:
        ids = {
            "a": _case(s, "portal:1", symptoms=("rounding",), boundary="processor -> ERP posting",
                       amount=10_000, first=t(3), search="loop-84213 #1001 ana@x.com", customer="Ana"),
            "b": _case(s, "portal:2", symptoms=("missing_handoff", "timing_latency"),
                       boundary="portal -> ERP middleware", amount=2_500, first=t(1),
                       systems="portal;processor", search="loop-84214 #1002 bo@y.com", assignee="kim"),
            "c": _case(s, "portal:3", amount=99_999, first=t(9), search="loop-84215 #1003 cy_z@z.com",
                       status="resolved"),
            "d": _case(s, "processor:re_9", symptoms=("missing_handoff",), boundary="portal -> ERP middleware",
                       amount=5_000, first=t(5), systems="processor", search="re_9 100% off"),
            "gone": _case(s, "portal:4", symptoms=("rounding",), amount=1, first=t(2), active=False),
        }
        s.add(Tag(case_id=ids["a"], tag="vip", created_by="analyst1"))
        s.add(Tag(case_id=ids["a"], tag="escalated", created_by="analyst1"))
        s.add(Tag(case_id=ids["d"], tag="vip", created_by="analyst1"))
    return ids


def test_default_list_is_active_cases_by_first_event(workbook, cases):
    assert case_ids(workbook) == [cases["b"], cases["a"], cases["d"], cases["c"]]
    assert case_ids(workbook, sort=Sort("first_event_at", descending=True)) == [cases["c"], cases["d"], cases["a"], cases["b"]]
    assert cases["gone"] in case_ids(workbook, CaseFilter(include_inactive=True))


def test_sort_by_amount_and_key(workbook, cases):
    assert case_ids(workbook, sort=Sort("amount_minor")) == [cases["b"], cases["d"], cases["a"], cases["c"]]
    assert case_ids(workbook, sort=Sort("case_key", descending=True))[0] == cases["d"]
    with pytest.raises(ValueError):
        Sort("tags")


def test_symptom_filter_and_counts(workbook, cases):
    assert set(case_ids(workbook, CaseFilter(symptoms=("missing_handoff",)))) == {cases["b"], cases["d"]}
    assert set(case_ids(workbook, CaseFilter(symptoms=("rounding", CLEAN)))) == {cases["a"], cases["c"]}
    counts = symptom_counts(workbook)
    assert counts == {"rounding": 1, "missing_handoff": 2, "timing_latency": 1, CLEAN: 1}
    # counts follow the other facets but ignore the symptom selection itself
    narrowed = symptom_counts(workbook, CaseFilter(symptoms=("rounding",), assignees=("kim",)))
    assert narrowed == {"missing_handoff": 1, "timing_latency": 1, CLEAN: 0}


def test_other_facets(workbook, cases):
    assert case_ids(workbook, CaseFilter(statuses=("resolved",))) == [cases["c"]]
    assert set(case_ids(workbook, CaseFilter(tags=("vip",)))) == {cases["a"], cases["d"]}
    assert case_ids(workbook, CaseFilter(assignees=("kim",))) == [cases["b"]]
    assert set(case_ids(workbook, CaseFilter(assignees=(UNASSIGNED,)))) == {cases["a"], cases["c"], cases["d"]}
    assert set(case_ids(workbook, CaseFilter(boundaries=("portal -> ERP middleware",)))) == {cases["b"], cases["d"]}
    assert facet_counts(workbook, "boundaries") == {"processor -> ERP posting": 1, "portal -> ERP middleware": 2}
    assert facet_counts(workbook, "tags") == {"vip": 2, "escalated": 1}
    assert facet_counts(workbook, "assignees") == {"kim": 1, "": 3}
    assert facet_counts(workbook, "statuses", CaseFilter(statuses=("resolved",))) == {"open": 3, "resolved": 1}


def test_systems_present_absent(workbook, cases):
    assert set(case_ids(workbook, CaseFilter(systems_absent=("erp",)))) == {cases["b"], cases["d"]}
    assert case_ids(workbook, CaseFilter(systems_absent=("portal",))) == [cases["d"]]
    assert set(case_ids(workbook, CaseFilter(systems_present=("erp", "portal")))) == {cases["a"], cases["c"]}
    assert known_systems(workbook) == ["portal", "processor", "erp"]
    # counts use the LIKE form of the same condition: both forms agree
    assert count_cases(workbook, CaseFilter(systems_absent=("erp",))) == 2
    assert count_cases(workbook, CaseFilter(systems_present=("processor",), systems_absent=("portal",))) == 1


def test_amount_and_date_ranges(workbook, cases):
    assert set(case_ids(workbook, CaseFilter(amount_min_minor=5_000, amount_max_minor=10_000))) == {cases["a"], cases["d"]}
    flt = CaseFilter(date_from=datetime(2026, 10, 2, tzinfo=UTC), date_to=datetime(2026, 10, 5, 12, tzinfo=UTC))
    assert case_ids(workbook, flt) == [cases["a"]]


def test_free_text_matches_any_reference_and_escapes_wildcards(workbook, cases):
    assert case_ids(workbook, CaseFilter(text="LOOP-84214")) == [cases["b"]]
    assert case_ids(workbook, CaseFilter(text="#1003")) == [cases["c"]]
    assert case_ids(workbook, CaseFilter(text="100%")) == [cases["d"]]
    assert case_ids(workbook, CaseFilter(text="y_z")) == [cases["c"]]     # '_' is literal
    assert case_ids(workbook, CaseFilter(text="yxz")) == []
    assert count_cases(workbook, CaseFilter(text="loop")) == 3


def test_filter_counts_bundle(workbook, cases):
    from workbench.core.queries.case_list import filter_counts

    counts = filter_counts(workbook, CaseFilter(statuses=("open",)))
    assert counts["symptoms"] == {"rounding": 1, "missing_handoff": 2, "timing_latency": 1, CLEAN: 0}
    assert counts["statuses"] == {"open": 3, "resolved": 1}
    assert counts["systems"] == ["portal", "processor", "erp"]


def test_one_scan_counts_agree_with_per_facet_counts(workbook, cases):
    from workbench.core.queries.case_list import filter_counts

    for flt in (CaseFilter(), CaseFilter(text="loop"), CaseFilter(systems_absent=("erp",))):
        joint = filter_counts(workbook, flt)        # no facet selected: the one-scan path
        assert joint["symptoms"] == symptom_counts(workbook, flt)
        for facet in ("boundaries", "statuses", "assignees", "tags"):
            assert joint[facet] == facet_counts(workbook, facet, flt), (flt, facet)
    assert filter_counts(workbook, CaseFilter(text="loop"))["symptoms"] == {
        "rounding": 1, "missing_handoff": 1, "timing_latency": 1, CLEAN: 1}


def test_fetch_rows_returns_plain_values_in_pages(workbook, cases):
    rows = fetch_rows(workbook, [cases["a"], cases["d"], 999_999])
    assert set(rows) == {cases["a"], cases["d"]}
    a = rows[cases["a"]]
    assert a["amount_minor"] == 10_000 and a["currency"] == "USD"
    assert a["tags"] == ["escalated", "vip"]
    assert a["first_event_at"] == datetime(2026, 10, 3, 12, tzinfo=UTC)
    assert a["symptoms"] == "rounding"


def test_limit_and_offset_page_through_the_same_order(workbook, cases):
    full = case_ids(workbook, sort=Sort("amount_minor", descending=True))
    pages = [case_ids(workbook, sort=Sort("amount_minor", descending=True), limit=3, offset=o) for o in (0, 3)]
    assert pages[0] + pages[1] == full and len(pages[1]) == 1
    assert case_ids(workbook, CaseFilter(symptoms=("missing_handoff",)), limit=1, offset=1) == [cases["d"]]


# --- the LIMIT-friendly walk of the sort index (core/queries/index_walk.py) -----------------

@pytest.fixture
def many(workbook):
    """300 cases with repeating values (ties in every sort key), some inactive, some tagged."""
    import random

    rnd = random.Random(5)
    codes = ("rounding", "missing_handoff", "amount_mismatch", "")
    with workbook.session() as s:
        for i in range(300):
            code = rnd.choice(codes)
            _case(s, f"portal:{i}", symptoms=(code,) if code else (),
                  boundary="processor -> ERP posting" if code in ("rounding", "amount_mismatch") else
                  ("portal -> ERP middleware" if code else None),
                  status=rnd.choice(("open", "open", "resolved")), assignee=rnd.choice((None, "kim", "lee")),
                  amount=rnd.choice((None, 500, 1_000, 2_500, 9_999)),
                  systems=rnd.choice(("portal;processor;erp", "portal;processor", "processor")),
                  first=None if i % 17 == 0 else datetime(2026, 10, 1 + i % 9, tzinfo=UTC),
                  search=f"loop-{i} #{i % 40} c{i % 23}@x.com", active=i % 11 != 0,
                  customer=rnd.choice((None, "Ana", "Bo", "Cy")))
        for i in range(1, 300, 7):
            s.add(Tag(case_id=i, tag="vip", created_by="analyst1"))
    return workbook


WALK_FILTERS = (
    CaseFilter(symptoms=("rounding",)),
    CaseFilter(symptoms=("rounding", CLEAN)),
    CaseFilter(boundaries=("processor -> ERP posting",), statuses=("open",)),
    CaseFilter(systems_absent=("erp",)),
    CaseFilter(systems_present=("portal",)),
    CaseFilter(text="loop-1"),
    CaseFilter(text="c3@"),
    CaseFilter(amount_min_minor=900, amount_max_minor=2_500),
    CaseFilter(assignees=(UNASSIGNED, "kim")),
    CaseFilter(tags=("vip",)),
    CaseFilter(date_from=datetime(2026, 10, 3, tzinfo=UTC), date_to=datetime(2026, 10, 6, tzinfo=UTC)),
)
WALK_SORTS = (Sort(), Sort("first_event_at", True), Sort("amount_minor"), Sort("amount_minor", True),
              Sort("customer"), Sort("status", True), Sort("boundary"), Sort("case_key"), Sort("id", True))


def test_the_index_walk_gives_the_ids_of_the_general_plan(many, monkeypatch):
    from workbench.core.queries import case_list, index_walk

    walked = []
    real = index_walk.walk_ids

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        walked.append(out is not None)
        return out

    monkeypatch.setattr(case_list, "walk_ids", spy)
    monkeypatch.setattr(index_walk, "BUDGET_SECONDS", 5.0)      # never interrupted here
    combos = case_list.system_combos(many)
    for flt in WALK_FILTERS:
        for sort in WALK_SORTS:
            with many.engine.connect() as conn:
                general = [r[0] for r in conn.execute(case_list.ids_statement(flt, sort, combos))]
            assert general, flt
            for limit, offset in ((7, 0), (25, 10), (1000, 0)):
                assert case_ids(many, flt, sort, limit=limit, offset=offset) == general[offset:offset + limit], \
                    (flt, sort, limit, offset)
    assert sum(walked) > len(walked) // 2        # most of them really walked an index
    assert not all(walked)                       # and some fell back (case_key has no walk)


def test_a_walk_out_of_budget_or_sorting_falls_back_to_the_general_plan(many, monkeypatch):
    from workbench.core.queries import case_list, index_walk

    flt, sort = CaseFilter(symptoms=("rounding",)), Sort("amount_minor", True)
    expected = case_ids(many, flt, sort)
    monkeypatch.setattr(index_walk, "CHECK_EVERY", 1)         # look at the clock at every step
    with many.engine.connect() as conn:
        terms = case_list.conditions(CaseFilter(symptoms=("rounding",), include_inactive=True), plus=True,
                                     plain=(sort.key,))
        assert index_walk.walk_ids(conn, flt, sort, terms, limit=5, budget=5.0) == expected[:5]
        assert index_walk.walk_ids(conn, flt, sort, terms, limit=5, budget=-1.0) is None   # interrupted
        # the connection is usable afterwards (no progress handler left behind)
        assert index_walk.walk_ids(conn, flt, sort, terms, limit=5, budget=5.0) == expected[:5]
    monkeypatch.setattr(index_walk, "BUDGET_SECONDS", -1.0)
    assert case_ids(many, flt, sort, limit=5) == expected[:5]
    # a filter no sampled case matches is never walked
    with many.engine.connect() as conn:
        none = case_list.conditions(CaseFilter(text="no-such-text", include_inactive=True), plus=True)
        assert index_walk.walk_ids(conn, CaseFilter(text="no-such-text"), Sort(), none, limit=5) is None


# --- the in-memory search text (core/queries/text_index.py) ---------------------------------

def test_text_index_search_equals_the_like_scan(many):
    from workbench.core.queries.text_index import TextIndex

    with many.session() as s:      # wildcards, ASCII case, non-ASCII, a separator-like space
        _case(s, "portal:x1", search="loop-77 100%_off müller@x.com", first=datetime(2026, 10, 2, tzinfo=UTC))
        _case(s, "portal:x2", search="LOOP-78 MIXED case", first=datetime(2026, 10, 2, tzinfo=UTC))
        _case(s, "portal:x3", search="", first=datetime(2026, 10, 2, tzinfo=UTC))
    index = TextIndex.build(many)
    try:
        assert index is not None and index.is_current()
        for text in ("loop-1", "c3@", "#7 ", "100%", "%_o", "_", "müller", "MÜLLER", "loop-78", "mixed",
                     "loop-77 müller", "no such", "x.com loop-29", "c22@x"):
            flt = CaseFilter(text=text)
            for sort in (Sort(), Sort("amount_minor", True)):
                assert case_ids(many, flt, sort, text_index=index) == case_ids(many, flt, sort), (text, sort)
                assert case_ids(many, flt, sort, limit=3, text_index=index) == case_ids(many, flt, sort)[:3]
        words = ["loop-1"]
        assert set(index.candidates(words)) >= set(case_ids(many, CaseFilter(text="loop-1")))
    finally:
        index.close()


def test_text_index_refuses_to_answer_once_the_workbook_changed(many, monkeypatch):
    from workbench.core.queries import text_index as ti

    index = ti.TextIndex.build(many)
    try:
        assert index.candidates(["loop-12"]) is not None
        with many.session() as s:
            _case(s, "portal:new", search="loop-12 fresh", first=datetime(2026, 10, 2, tzinfo=UTC))
        assert not index.is_current() and index.candidates(["loop-12"]) is None
        # without an answer the query scans: the new case is found
        assert case_ids(many, CaseFilter(text="fresh"), text_index=index) != []
        monkeypatch.setattr(ti, "MAX_CANDIDATES", 3)
        fresh = ti.TextIndex.build(many)
        assert fresh.candidates(["x.com"]) is None          # too frequent: left to SQL
        fresh.close()
    finally:
        index.close()


def test_unfiltered_sort_by_an_indexed_key_walks_that_index(many, workbook):
    """No filter, sort by customer: SQLite must walk ix_cases_customer and stop after a page,
    not take (is_active, first_event_at) and sort every case (0.6 s at a million)."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from workbench.core.queries.case_list import ids_statement

    stmt = ids_statement(CaseFilter(), Sort("customer"), dialect="sqlite").limit(200)
    sql = str(stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
    with workbook.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        ids = [r[0] for r in conn.exec_driver_sql(sql)]
        expected = [r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM cases WHERE is_active = 1 ORDER BY customer, id LIMIT 200")]
    assert "ix_cases_customer" in plan and "TEMP B-TREE" not in plan
    assert ids == expected
