"""Several users on one PostgreSQL store: no lost updates, one linear audit chain."""

import multiprocessing
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from workbench.core import audit
from workbench.core.store import open_workbook
from workbench.core.store.models import AuditEvent, Case

pytestmark = pytest.mark.postgres


def _one_case(wb) -> int:
    with wb.session() as s:
        case = Case(case_key="portal:84213", status="open")
        s.add(case)
        s.flush()
        return case.id


def test_second_save_of_the_same_version_is_refused_not_lost(pg_workbook):
    """Both load version 1. Ann saves first (her row lock makes Bob's UPDATE wait); Bob's
    update, re-checked against version 1 after Ann commits, matches no row and is refused."""
    case_id = _one_case(pg_workbook)
    ann, bob = pg_workbook.sessions(), pg_workbook.sessions()
    try:
        a = ann.get(Case, case_id)
        b = bob.get(Case, case_id)
        assert a.version == b.version == 1
        a.status = "investigating"
        ann.flush()                                   # Ann holds the row, not yet committed
        b.assignee = "bob"
        outcome: dict = {}

        def bob_saves():
            try:
                bob.commit()
                outcome["ok"] = True
            except StaleDataError as exc:
                outcome["error"] = exc
                bob.rollback()

        t = threading.Thread(target=bob_saves)
        t.start()
        t.join(0.5)
        assert t.is_alive(), "Bob's save should wait for Ann's transaction"
        ann.commit()
        t.join(10)
        assert not t.is_alive()
        assert "error" in outcome and "ok" not in outcome
    finally:
        ann.close()
        bob.close()
    with pg_workbook.sessions() as s:
        case = s.get(Case, case_id)
        assert (case.status, case.assignee, case.version) == ("investigating", None, 2)


def test_casework_refuses_a_stale_save_with_a_clear_message(pg_workbook):
    """Through the casework API (issue 6): Ann and Bob both saw version 1; Ann's change is
    saved, Bob's (still based on version 1) is refused with a message to refresh."""
    casework = pytest.importorskip("workbench.core.casework")
    from workbench.core.errors import ConcurrentEditError

    case_id = _one_case(pg_workbook)
    changes = casework.set_status(pg_workbook, [case_id], "investigating", expected={case_id: 1}, actor="ann")
    saved = changes.versions[case_id]
    assert saved > 1
    with pytest.raises(ConcurrentEditError, match="changed by ann.*refresh and try again"):
        casework.assign(pg_workbook, [case_id], "bob", expected={case_id: 1}, actor="bob")
    with pg_workbook.sessions() as s:
        case = s.get(Case, case_id)
        assert (case.status, case.assignee, case.version) == ("investigating", None, saved)
    # after a refresh Bob's change goes through
    casework.assign(pg_workbook, [case_id], "bob", expected={case_id: saved}, actor="bob")
    with pg_workbook.sessions() as s:
        assert s.get(Case, case_id).assignee == "bob"
        assert audit.verify_chain(s).ok


def test_casework_race_between_check_and_write_is_refused(pg_workbook):
    """Bob's casework call passes the version check (he and Ann both see version 1) while
    Ann's uncommitted save holds the row; when Ann commits, Bob's write matches no row and
    he gets ConcurrentEditError, not a silent overwrite."""
    casework = pytest.importorskip("workbench.core.casework")
    from workbench.core.errors import ConcurrentEditError

    case_id = _one_case(pg_workbook)
    ann = pg_workbook.sessions()
    outcome: dict = {}
    try:
        case = ann.get(Case, case_id)
        case.status = "investigating"
        ann.flush()                                    # row locked by Ann, version 2 not yet visible

        def bob():
            try:
                casework.assign(pg_workbook, [case_id], "bob", expected={case_id: 1}, actor="bob")
                outcome["ok"] = True
            except Exception as exc:  # noqa: BLE001 - examined below
                outcome["error"] = exc

        t = threading.Thread(target=bob)
        t.start()
        t.join(0.5)
        assert t.is_alive(), "Bob's write should wait for Ann's transaction"
        ann.commit()
        t.join(10)
    finally:
        ann.close()
    assert isinstance(outcome.get("error"), ConcurrentEditError), outcome
    assert "refresh and try again" in str(outcome["error"])
    with pg_workbook.sessions() as s:
        case = s.get(Case, case_id)
        assert (case.status, case.assignee) == ("investigating", None)
        assert audit.verify_chain(s).ok and audit.chain_head(s)[0] == 0   # Bob's event rolled back


def _append(url: str, actor: str, n: int) -> None:
    wb = open_workbook(url, user=actor)
    try:
        for i in range(n):
            with wb.session() as s:
                audit.record(s, actor, "note.add", case_id=i, after={"i": i, "by": actor})
    finally:
        wb.close()


def _assert_linear(wb, expected: int, actors: set[str]) -> None:
    with wb.sessions() as s:
        seqs = s.execute(select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
        assert seqs == list(range(1, expected + 1))
        report = audit.verify_chain(s)
        assert report.ok, report.problem
        assert report.events == expected
        prevs = s.execute(select(func.count(func.distinct(AuditEvent.prev_hash)))).scalar_one()
        assert prevs == expected                       # no two events chain from the same parent
        assert set(s.execute(select(AuditEvent.actor).distinct()).scalars()) == actors


def test_audit_chain_stays_linear_under_concurrent_threads(pg_url):
    open_workbook(pg_url).close()
    actors = [f"user{i}" for i in range(6)]
    barrier = threading.Barrier(len(actors))
    errors = []

    def worker(actor):
        try:
            barrier.wait()
            _append(pg_url, actor, 25)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    wb = open_workbook(pg_url)
    try:
        _assert_linear(wb, 6 * 25, set(actors))
    finally:
        wb.close()


def test_audit_chain_stays_linear_under_concurrent_processes(pg_url):
    open_workbook(pg_url).close()
    ctx = multiprocessing.get_context("spawn")
    actors = [f"proc{i}" for i in range(3)]
    procs = [ctx.Process(target=_append, args=(pg_url, a, 20)) for a in actors]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    wb = open_workbook(pg_url)
    try:
        _assert_linear(wb, 3 * 20, set(actors))
    finally:
        wb.close()


def _import(url: str, files: list[str], barrier, results) -> None:
    from workbench.core.ingest import import_files

    wb = open_workbook(url)
    try:
        barrier.wait()
        results.put(sorted({f.status for f in import_files(wb, files).files}))
    except Exception as exc:  # noqa: BLE001 - reported by the test
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        wb.close()


def test_two_people_importing_the_same_month_at_once_load_it_once(pg_url, tmp_path):
    """Both parse the files before either writes; the second to write finds them imported
    (before the fix, every record was loaded twice as two current versions)."""
    demo = pytest.importorskip("workbench.core.demo")
    pytest.importorskip("workbench.core.ingest")
    from sqlalchemy import text

    files = [str(p) for p in demo.generate_demo(tmp_path / "m", returns=200, seed=2).files]
    open_workbook(pg_url).close()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_import, args=(pg_url, files, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
    outcomes = sorted(str(results.get(timeout=5)) for _ in procs)
    assert outcomes == [str(["imported"]), str(["unchanged"])]
    wb = open_workbook(pg_url)
    try:
        with wb.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM import_batches")).scalar_one() == len(files)
            twice = conn.execute(text(
                "SELECT count(*) FROM (SELECT system, record_id FROM source_records WHERE is_current "
                "GROUP BY system, record_id HAVING count(*) > 1) d")).scalar_one()
            assert twice == 0
    finally:
        wb.close()


def _reconcile(url: str, barrier, results) -> None:
    from workbench.core.reconcile import reconcile

    wb = open_workbook(url)
    try:
        barrier.wait()
        results.put(f"ok {reconcile(wb).cases}")
    except Exception as exc:  # noqa: BLE001 - reported by the test
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        wb.close()


def test_two_reconciles_at_once_on_the_team_store(pg_url, tmp_path):
    """Before they were serialised, the second crashed on a duplicate case id; and a second
    reconcile over existing cases failed reading PostgreSQL booleans."""
    demo = pytest.importorskip("workbench.core.demo")
    reconcile_mod = pytest.importorskip("workbench.core.reconcile")
    from sqlalchemy import text

    from workbench.core.ingest import import_files

    files = [str(p) for p in demo.generate_demo(tmp_path / "m", returns=150, seed=4).files]
    wb = open_workbook(pg_url)
    import_files(wb, files)
    wb.close()
    ctx = multiprocessing.get_context("spawn")
    for _round in range(2):          # first on an empty case table, then over existing cases
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_reconcile, args=(pg_url, barrier, results)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
        outcomes = [str(results.get(timeout=5)) for _ in procs]
        assert all(o.startswith("ok ") for o in outcomes), outcomes
        assert len(set(outcomes)) == 1
    wb = open_workbook(pg_url)
    try:
        with wb.engine.connect() as conn:
            n, keys = conn.execute(text("SELECT count(*), count(DISTINCT case_key) FROM cases")).one()
            assert n == keys == int(outcomes[0].split()[1])
        with wb.sessions() as s:
            assert audit.verify_chain(s).ok
        assert reconcile_mod.reconcile(wb).cases == n
    finally:
        wb.close()
