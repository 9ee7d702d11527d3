"""Revision 0002: a workbook written with raw rows as JSON objects is converted to arrays +
headers per batch, with hashes in the new definition (sha256 of the array text)."""

import hashlib
import json

from sqlalchemy import create_engine, text

from workbench.core.store import open_workbook
from workbench.core.store.migrate import upgrade


def _old_workbook(path):
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    old_raw = json.dumps({"id": "84213", "total": "99.99", "customer": "Zoë \"Z\" Müller"},
                         ensure_ascii=False, separators=(",", ":"))
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO import_batches (id, file_name, sha256, size_bytes, system, profile, confidence, "
            "rows_total, rows_loaded, rows_updated, rows_skipped, imported_by, imported_at) VALUES "
            "(1, 'loop.csv', 'abc', 10, 'portal', 'loop_returns', 1.0, 1, 1, 0, 0, 'ana', '2026-10-01 00:00:00.000000')"))
        conn.execute(text(
            "INSERT INTO source_records (id, batch_id, system, profile, source_row, record_id, raw, row_hash, "
            "version, is_current) VALUES (1, 1, 'portal', 'loop_returns', 2, '84213', :raw, 'old', 1, 1)"),
            {"raw": old_raw})
    engine.dispose()


def test_0002_converts_object_rows_to_arrays(tmp_path):
    path = tmp_path / "old.rwb"
    _old_workbook(path)
    wb = open_workbook(path)      # upgrades to head
    try:
        with wb.engine.connect() as conn:
            cols = conn.execute(text("SELECT raw_columns FROM import_batches WHERE id = 1")).scalar()
            raw, row_hash = conn.execute(text("SELECT raw, row_hash FROM source_records WHERE id = 1")).one()
    finally:
        wb.close()
    assert json.loads(cols) == ["customer", "id", "total"]
    assert json.loads(raw) == ['Zoë "Z" Müller', "84213", "99.99"]
    assert raw == '["Zoë \\"Z\\" Müller","84213","99.99"]'
    assert row_hash == hashlib.sha256(raw.encode("utf-8")).hexdigest()
