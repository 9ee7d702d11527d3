"""store/frames writers: Arrow columns -> rows in chunks, values exactly as the ORM stores them."""

from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
from sqlalchemy import select

from workbench.core.store import frames
from workbench.core.store.frames import db_column, execute_chunked, insert_columns
from workbench.core.store.models import Case


def test_insert_columns_in_chunks_round_trips_through_the_orm(workbook, monkeypatch):
    monkeypatch.setattr(frames, "CHUNK_CELLS", 10)      # 1,000-row floor: 2,500 rows in three chunks
    n = 2_500
    first = pd.Series(pd.to_datetime(["2026-10-01T04:00:02.5Z", None] * (n // 2), utc=True, format="ISO8601"),
                      dtype="datetime64[us, UTC]")
    amount = pd.Series([1999, None] * (n // 2), dtype="Int64")
    customer = pd.Series(["ann@x.com", None] * (n // 2), dtype="string")
    with workbook.session() as s:
        insert_columns(s.connection(), "cases", {
            "id": db_column(pd.Series(range(1, n + 1), dtype="int64")),
            "case_key": db_column(pd.Series([f"portal:{i}" for i in range(n)], dtype="string")),
            "status": pa.repeat("open", n), "symptoms": pa.repeat("", n), "symptom_count": pa.repeat(0, n),
            "systems_present": pa.repeat("portal", n), "search_text": pa.repeat("", n),
            "customer": db_column(customer), "amount_minor": db_column(amount),
            "first_event_at": db_column(first), "is_active": pa.repeat(True, n),
            "source_changed": pa.repeat(False, n), "version": pa.repeat(1, n)})
    with workbook.session() as s:
        rows = s.execute(select(Case).order_by(Case.id)).scalars().all()
        assert len(rows) == n
        a, b = rows[0], rows[1]
        assert a.first_event_at == datetime(2026, 10, 1, 4, 0, 2, 500_000, tzinfo=UTC) and b.first_event_at is None
        assert (a.amount_minor, b.amount_minor, a.customer, b.customer) == (1999, None, "ann@x.com", None)
        assert a.is_active is True and a.source_changed is False and rows[-1].case_key == f"portal:{n - 1}"


def test_execute_chunked_updates_every_row(workbook, monkeypatch):
    monkeypatch.setattr(frames, "CHUNK_CELLS", 10)
    n = 2_100
    with workbook.session() as s:
        conn = s.connection()
        insert_columns(conn, "cases", {"id": pa.array(range(1, n + 1)),
                                       "case_key": pa.array([f"k{i}" for i in range(n)]),
                                       "status": pa.repeat("open", n), "symptoms": pa.repeat("", n),
                                       "symptom_count": pa.repeat(0, n), "systems_present": pa.repeat("", n),
                                       "search_text": pa.repeat("", n), "is_active": pa.repeat(True, n),
                                       "source_changed": pa.repeat(False, n), "version": pa.repeat(1, n)})
        execute_chunked(conn, "UPDATE cases SET symptom_count = ?, version = version + 1 WHERE id = ?",
                        [pa.array(range(n)), pa.array(range(1, n + 1))])
    with workbook.session() as s:
        got = s.execute(select(Case.symptom_count, Case.version).order_by(Case.id)).all()
    assert [g[0] for g in got] == list(range(n)) and {g[1] for g in got} == {2}


def test_db_column_refuses_times_outside_utc():
    import pytest

    local = pd.Series(pd.to_datetime(["2026-10-01T04:00:00Z"], utc=True)).dt.tz_convert("Europe/Berlin")
    with pytest.raises(ValueError, match="UTC"):
        db_column(local)
