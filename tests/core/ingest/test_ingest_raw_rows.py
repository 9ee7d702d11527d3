"""Raw rows as JSON arrays (store revision 0002), explicit ids, the bulk-load index rebuild and
the hand-over of the written rows to reconcile (keep_records)."""

from __future__ import annotations

import csv
import hashlib
import json

import pandas as pd
from sqlalchemy import create_engine, select, text

from workbench.core.canonical import UTC_DTYPE
from workbench.core.ingest import import_files
from workbench.core.store import open_workbook
from workbench.core.store.migrate import upgrade
from workbench.core.store.models import ImportBatch, SourceRecord

LOOP_HEADER = ["id", "state", "return_type", "created_at", "updated_at", "order_id", "order_name", "customer",
               "currency", "total", "handling_fee", "refund", "outcome", "channel", "product_type"]
ODD_CUSTOMER = 'Zoë "Z" Müller \\ co\nline two\x01'     # quote, backslash, newline, control character


def _loop_rows(n=3, customer=ODD_CUSTOMER):
    return [[str(84213 + i), "closed", "refund", "2026-10-03T14:05:11Z", "2026-10-06T09:00:00Z", str(5550001 + i),
             f"#{1001 + i}", customer if i == 0 else f"c{i}@example.com", "USD", "99.99", "0.00", "99.99", "refund",
             "online", "Shoes"] for i in range(n)]


def _write(path, header, rows, order=None):
    order = order or list(range(len(header)))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([header[i] for i in order])
        w.writerows([[r[i] for i in order] for r in rows])
    return path


def _migrated_from_object_form(tmp_path, header, cells) -> tuple[str, str, list]:
    """What revision 0002 makes of the same row stored in the old form (a JSON object in the
    file's column order, as import wrote it before)."""
    path = tmp_path / "old.rwb"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    old_raw = json.dumps(dict(zip(header, cells)), ensure_ascii=False, separators=(",", ":"))
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO import_batches (id, file_name, sha256, size_bytes, system, profile, confidence, "
            "rows_total, rows_loaded, rows_updated, rows_skipped, imported_by, imported_at) VALUES "
            "(1, 'loop.csv', 'abc', 10, 'portal', 'loop_returns', 1.0, 1, 1, 0, 0, 'ana', '2026-10-01 00:00:00.000000')"))
        conn.execute(text(
            "INSERT INTO source_records (id, batch_id, system, profile, source_row, record_id, raw, row_hash, "
            "version, is_current) VALUES (1, 1, 'portal', 'loop_returns', 2, :rid, :raw, 'old', 1, 1)"),
            {"raw": old_raw, "rid": cells[0]})
    engine.dispose()
    wb = open_workbook(path)
    try:
        with wb.engine.connect() as conn:
            cols = conn.execute(text("SELECT raw_columns FROM import_batches WHERE id = 1")).scalar()
            raw, row_hash = conn.execute(text("SELECT raw, row_hash FROM source_records WHERE id = 1")).one()
    finally:
        wb.close()
    return raw, row_hash, json.loads(cols)


def test_imported_row_equals_what_migration_0002_makes_of_the_old_form(workbook, tmp_path):
    rows = _loop_rows()
    import_files(workbook, [_write(tmp_path / "loop_returns.csv", LOOP_HEADER, rows)])
    with workbook.sessions() as s:
        rec = s.execute(select(SourceRecord).where(SourceRecord.record_id == "84213")).scalar_one()
        batch = s.get(ImportBatch, rec.batch_id)
        raw, row_hash, columns = rec.raw, rec.row_hash, json.loads(batch.raw_columns)
    old_raw, old_hash, old_columns = _migrated_from_object_form(tmp_path, LOOP_HEADER, rows[0])
    assert columns == old_columns == sorted(LOOP_HEADER)
    assert raw == old_raw and row_hash == old_hash
    assert row_hash == hashlib.sha256(raw.encode("utf-8")).hexdigest()
    assert dict(zip(columns, json.loads(raw)))["customer"] == ODD_CUSTOMER


def test_reordered_columns_are_unchanged_records(workbook, tmp_path):
    rows = _loop_rows()
    first = import_files(workbook, [_write(tmp_path / "a.csv", LOOP_HEADER, rows)])
    order = [3, 0, 14, 7, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 13]
    again = import_files(workbook, [_write(tmp_path / "b.csv", LOOP_HEADER, rows, order)])
    f = again.files[0]
    assert f.status == "imported" and (f.rows_loaded, f.rows_updated, f.rows_unchanged) == (0, 0, 3)
    assert again.touched_record_ids == [] and again.batch_ids == [f.batch_id] != first.batch_ids
    with workbook.sessions() as s:
        cols = s.execute(select(ImportBatch.raw_columns).order_by(ImportBatch.id)).scalars().all()
    assert cols[0] == cols[1]


def test_keep_records_hands_over_exactly_the_written_rows(workbook, tmp_path, fixtures):
    from workbench.core.reconcile import read_records

    a = _write(tmp_path / "a.csv", LOOP_HEADER, _loop_rows(3, customer="ana@example.com"))
    first = import_files(workbook, [a], keep_records=True)
    assert first.records is not None and len(first.records) == 3
    changed = _loop_rows(4, customer="ana@example.com")
    changed[1][9] = "50.00"                                  # 84214 changes, 84216 is new
    summary = import_files(workbook, [_write(tmp_path / "b.csv", LOOP_HEADER, changed),
                                      fixtures / "stripe_balance_transactions.csv"], keep_records=True)
    kept = summary.records
    assert list(kept.columns) == ["rid", "system", "profile", "record_id", "return_ref", "order_ref", "refund_ref",
                                  "customer", "amount_minor", "currency", "stage", "status_raw", "occurred_at",
                                  "approved_at", "refunded_at", "updated_at"]
    assert kept["rid"].dtype == "int64" and kept["amount_minor"].dtype == "Int64"
    assert all(kept[c].dtype == UTC_DTYPE for c in ("occurred_at", "approved_at", "refunded_at", "updated_at"))
    assert kept["record_id"].dtype == "string" and kept["record_id"].dtype.storage == "pyarrow"
    assert sorted(kept["rid"]) == summary.touched_record_ids
    assert sorted(kept.loc[kept["system"] == "portal", "record_id"]) == ["84214", "84216"]
    with workbook.engine.connect() as conn:
        stored = read_records(conn).drop(columns="unkeyed", errors="ignore")
        batch_ids = conn.execute(text("SELECT id FROM import_batches ORDER BY id")).scalars().all()
    assert summary.batch_ids == batch_ids[1:]
    expect = stored[stored["rid"].isin(summary.touched_record_ids)].sort_values("rid").reset_index(drop=True)
    got = kept.sort_values("rid").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expect[list(got.columns)], check_dtype=False)
    assert import_files(workbook, [a]).records is None


def test_bulk_load_rebuilds_indexes_and_ids_follow_on(workbook, tmp_path):
    def index_names():
        with workbook.engine.connect() as conn:
            return sorted(conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'source_records'")).scalars())

    before = index_names()
    assert "ix_source_records_system_record_id" in before
    one = import_files(workbook, [_write(tmp_path / "a.csv", LOOP_HEADER, _loop_rows(3, "x"))])
    two = import_files(workbook, [_write(tmp_path / "b.csv", LOOP_HEADER,
                                         [[str(90000 + i)] + r[1:] for i, r in enumerate(_loop_rows(2, "y"))])])
    assert index_names() == before
    assert one.touched_record_ids == [1, 2, 3] and two.touched_record_ids == [4, 5]
    with workbook.engine.connect() as conn:
        plan = " ".join(str(r) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM source_records WHERE system = 'portal' AND record_id = '1'")))
    assert "ix_source_records_system_record_id" in plan


def test_two_exports_of_one_system_in_one_call_version_each_other(workbook, tmp_path):
    rows = _loop_rows(2, customer="ana@example.com")
    later = [list(r) for r in rows]
    later[0][9] = later[0][11] = "10.00"    # total and refund
    summary = import_files(workbook, [_write(tmp_path / "a.csv", LOOP_HEADER, rows),
                                      _write(tmp_path / "b.csv", LOOP_HEADER, later)])
    assert [(f.rows_loaded, f.rows_updated, f.rows_unchanged) for f in summary.files] == [(2, 0, 0), (1, 1, 1)]
    with workbook.sessions() as s:
        got = s.execute(select(SourceRecord.record_id, SourceRecord.amount_minor, SourceRecord.version,
                               SourceRecord.is_current).order_by(SourceRecord.id)).all()
    assert [tuple(r) for r in got] == [("84213", 9999, 1, False), ("84214", 9999, 1, True),
                                       ("84213", 1000, 2, True)]


def test_bulk_staged_load_writes_what_executemany_writes(tmp_path, monkeypatch):
    """A file big enough for store/sqlite_bulk (ADBC staging + INSERT ... SELECT) gives the same
    rows, byte for byte, as the executemany path."""
    from workbench.core.store import sqlite_bulk

    rows = [[str(100000 + i), "closed" if i % 3 else "open", "refund", f"2026-10-{1 + i % 28:02d}T14:05:{i % 60:02d}Z",
             "" if i % 5 == 0 else "2026-10-29T09:00:00Z", str(5550001 + i), f"#{1001 + i}",
             ODD_CUSTOMER if i == 7 else f"c{i}@example.com", "USD", f"{i % 500}.{i % 100:02d}", "0.00",
             f"{i % 500}.{i % 100:02d}", "refund", "online" if i % 2 else "", "Shoes"] for i in range(25_000)]
    path = _write(tmp_path / "loop_returns.csv", LOOP_HEADER, rows)
    staged = []
    append = sqlite_bulk.append
    monkeypatch.setattr(sqlite_bulk, "append", lambda *a, **k: (staged.append(a[1]), append(*a, **k)))
    dumps = []
    for min_rows in (10**9, sqlite_bulk.MIN_ROWS):
        monkeypatch.setattr(sqlite_bulk, "MIN_ROWS", min_rows)
        wb = open_workbook(tmp_path / f"wb{min_rows}.rwb")
        try:
            summary = import_files(wb, [path])
            with wb.engine.connect() as conn:
                dumps.append(conn.execute(text("SELECT * FROM source_records ORDER BY id")).all())
        finally:
            wb.close()
        assert summary.files[0].rows_loaded == 25_000
    assert staged == ["source_records"]          # the second workbook went through the staging file
    assert len(dumps[0]) == 25_000 and dumps[0] == dumps[1]
