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
