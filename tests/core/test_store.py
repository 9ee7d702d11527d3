from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from workbench.core.errors import SchemaError
from workbench.core.settings import BusinessSettings
from workbench.core.store import open_workbook
from workbench.core.store.migrate import current_revision, head_revision
from workbench.core.store.models import Base, Case, ImportBatch, SourceRecord


def test_migrations_build_exactly_the_models(tmp_path):
    wb = open_workbook(tmp_path / "m.rwb")
    assert current_revision(wb.engine) == head_revision()
    with wb.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    names = set(inspect(wb.engine).get_table_names())
    assert {"import_batches", "source_records", "cases", "case_links", "findings", "tags",
            "notes", "adjustments", "audit_events", "settings"} <= names


def test_sqlite_pragmas(workbook):
    with workbook.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_reopen_is_idempotent(tmp_path):
    path = tmp_path / "r.rwb"
    open_workbook(path).close()
    wb = open_workbook(path)
    assert current_revision(wb.engine) == head_revision()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.rwb"
    open_workbook(path).close()
    eng = create_engine(f"sqlite:///{path}")
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num='9999_future'"))
    with pytest.raises(SchemaError, match="newer"):
        open_workbook(path)


def test_missing_workbook_without_create(tmp_path):
    with pytest.raises(SchemaError, match="no workbook"):
        open_workbook(tmp_path / "nope.rwb", create=False)


def test_times_round_trip_as_utc_and_money_exact(workbook):
    berlin = timezone(timedelta(hours=1))
    with workbook.session() as s:
        b = ImportBatch(file_name="x.csv", sha256="a" * 64, size_bytes=1, system="portal",
                        profile="loop_returns", imported_by="t")
        s.add(b)
        s.flush()
        s.add(SourceRecord(batch_id=b.id, system="portal", profile="loop_returns", source_row=2,
                           record_id="R1", amount_minor=9999, currency="USD",
                           occurred_at=datetime(2026, 10, 31, 23, 30, tzinfo=berlin),
                           raw="{}", row_hash="h"))
    with workbook.sessions() as s:
        r = s.execute(select(SourceRecord)).scalar_one()
        assert r.occurred_at == datetime(2026, 10, 31, 22, 30, tzinfo=UTC)
        assert r.occurred_at.tzinfo is UTC
        assert r.amount_minor == 9999 and isinstance(r.amount_minor, int)


def test_naive_datetime_is_refused(workbook):
    with pytest.raises(Exception, match="naive"):
        with workbook.session() as s:
            s.add(Case(case_key="k", first_event_at=datetime(2026, 1, 1)))


def test_case_optimistic_version(workbook):
    from sqlalchemy.orm.exc import StaleDataError

    with workbook.session() as s:
        s.add(Case(case_key="portal:R1"))
    s1, s2 = workbook.sessions(), workbook.sessions()
    c1 = s1.execute(select(Case)).scalar_one()
    c2 = s2.execute(select(Case)).scalar_one()
    c1.status = "investigating"
    s1.commit()
    c2.status = "resolved"
    with pytest.raises(StaleDataError):
        s2.commit()


def test_business_settings_round_trip(workbook):
    assert workbook.business_settings() == BusinessSettings()
    changed = BusinessSettings().with_changes(timezone="Europe/Berlin", latency_window_hours=48,
                                              as_of=datetime(2026, 11, 1, tzinfo=UTC))
    workbook.save_business_settings(changed)
    assert workbook.business_settings() == changed


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        BusinessSettings(timezone="Mars/Olympus").validated()
    with pytest.raises(ValueError, match="YYYY-MM"):
        BusinessSettings(period="2026-13").validated()


def test_unopenable_workbook_is_one_clear_error(tmp_path):
    with pytest.raises(SchemaError, match="cannot open workbook .*missing.*unable to open database file"):
        open_workbook(tmp_path / "missing" / "x.rwb")
