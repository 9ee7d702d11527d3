"""Migrations on a real PostgreSQL server build exactly the models' schema."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from workbench.core.store import open_workbook
from workbench.core.store.migrate import current_revision, head_revision
from workbench.core.store.models import Base, Case

pytestmark = pytest.mark.postgres


def test_migrations_upgrade_from_empty_and_match_models(pg_url):
    wb = open_workbook(pg_url)
    try:
        assert wb.engine.dialect.name == "postgresql"
        assert current_revision(wb.engine) == head_revision()
        with wb.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations differ on PostgreSQL: {diff}"
        tables = set(inspect(wb.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        wb.close()


def test_reopen_is_idempotent_and_store_round_trips(pg_url):
    open_workbook(pg_url).close()
    wb = open_workbook(pg_url)
    try:
        assert current_revision(wb.engine) == head_revision()
        with wb.session() as s:
            s.add(Case(case_key="portal:R1", amount_minor=123456789012))
        with wb.sessions() as s:
            case = s.execute(select(Case)).scalar_one()
            assert case.amount_minor == 123456789012 and case.version == 1
    finally:
        wb.close()


def test_each_test_gets_an_empty_database(pg_workbook):
    with pg_workbook.sessions() as s:
        assert s.execute(select(Case)).first() is None


def _open(url, barrier, results):
    from workbench.core.store import open_workbook as open_

    barrier.wait()
    try:
        open_(url).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported by the test
        results.put(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


def test_several_people_opening_a_fresh_team_store_at_once(pg_url):
    """The first opens create the schema; without serialising the migration, all but one
    crashed with a duplicate-type error from PostgreSQL's catalog."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(pg_url, barrier, results)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [results.get(timeout=5) for _ in procs] == ["ok"] * 4
    wb = open_workbook(pg_url)
    try:
        assert current_revision(wb.engine) == head_revision()
    finally:
        wb.close()
