"""reconcile(imported=...): the records an import hands over are not read back, and the result
is exactly that of a plain reconcile - on the demo month and on a second month on top of it."""

import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import text

from workbench.core.ingest import import_files
from workbench.core.reconcile import conform_records, current_records, read_records, reconcile
from workbench.core.store import open_workbook

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
TABLES = {
    "cases": "SELECT * FROM cases ORDER BY id",
    "case_links": "SELECT case_id, record_id, system, rule, confidence, is_duplicate, repaired, is_override "
                  "FROM case_links ORDER BY record_id",
    "findings": "SELECT case_id, symptom, boundary, fix_type, scope, cause, evidence, steps, systems, fields, "
                "window_closes_at, amount_delta_minor FROM findings ORDER BY case_id, symptom",
    "link_candidates": "SELECT case_id, record_id, rule, score, note FROM link_candidates "
                       "ORDER BY case_id, record_id, rule",
}


def demo_files(folder: Path = DEMO) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx") and p.name != "truth.csv")


def handed_over(wb, batch_ids) -> SimpleNamespace:
    """What import_files(keep_records=True) hands over, built from the store: the current
    records of the given batches, in id order, as read_records returns them."""
    with wb.engine.connect() as conn:
        ids = {r[0] for r in conn.execute(text(
            f"SELECT id FROM source_records WHERE batch_id IN ({', '.join(str(int(b)) for b in batch_ids)})"))}
        frame = read_records(conn)
    frame = frame[frame["rid"].isin(ids)].reset_index(drop=True)
    # an import's own frame: other string flavours and a shuffled order must not matter
    frame = frame.sample(frac=1.0, random_state=3).astype({"system": "str", "profile": "str"})
    return SimpleNamespace(records=frame, batch_ids=list(batch_ids))


def tables(path: Path) -> dict[str, pd.DataFrame]:
    wb = open_workbook(path)
    try:
        with wb.engine.connect() as conn:
            out = {name: pd.read_sql_query(text(sql), conn) for name, sql in TABLES.items()}
    finally:
        wb.close()
    out["cases"] = out["cases"].drop(columns=["diagnosed_at"])   # the time of the run
    return out


def assert_same(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    for name in TABLES:
        assert len(ta[name]) > 0 or name == "link_candidates", name
        pd.testing.assert_frame_equal(ta[name], tb[name], check_dtype=False, obj=name)


def import_batch_ids(wb, paths) -> list[int]:
    summary = import_files(wb, paths)
    return [f.batch_id for f in summary.files if f.status == "imported"]


def test_handed_over_records_give_the_same_store_as_a_plain_reconcile(tmp_path):
    plain, handed = tmp_path / "plain.rwb", tmp_path / "handed.rwb"
    wb = open_workbook(plain)
    batches = import_batch_ids(wb, demo_files())
    wb.close()
    shutil.copy(plain, handed)

    wb = open_workbook(plain)
    expected = reconcile(wb)
    wb.close()
    wb = open_workbook(handed)
    summary = handed_over(wb, batches)
    with wb.engine.connect() as conn:   # nothing read back: the store part is empty
        assert len(read_records(conn, batches)) == 0
    got = reconcile(wb, imported=summary)
    wb.close()
    assert summary.records is None      # handed over: reconcile freed the caller's reference
    assert (got.cases, got.cases_with_findings, got.by_symptom, got.records, got.new_cases) == \
        (expected.cases, expected.cases_with_findings, expected.by_symptom, expected.records, expected.new_cases)
    assert got.changed_case_ids == expected.changed_case_ids
    assert_same(plain, handed)


def test_a_second_month_on_top_of_the_first_handed_over_equals_plain(tmp_path):
    from workbench.core.demo import generate_demo

    demo = generate_demo(tmp_path / "demo", returns=150, seed=4, months=2, csv_only=True)
    first = [p for p in demo.files if "2026-10" in p.name]
    second = [p for p in demo.files if "2026-11" in p.name]
    assert first and second
    plain, handed = tmp_path / "plain.rwb", tmp_path / "handed.rwb"
    wb = open_workbook(plain)
    import_files(wb, first)
    reconcile(wb)
    batches = import_batch_ids(wb, second)
    wb.close()
    shutil.copy(plain, handed)

    wb = open_workbook(plain)
    expected = reconcile(wb)
    wb.close()
    wb = open_workbook(handed)
    summary = handed_over(wb, batches)
    with wb.engine.connect() as conn:
        stored = read_records(conn, batches)
        assert len(stored) > 0 and not stored["rid"].isin(summary.records["rid"]).any()
        combined = current_records(conn, summary)
        assert combined.equals(read_records(conn))   # same rows, dtypes and order
    got = reconcile(wb, imported=summary)
    wb.close()
    assert got.changed_case_ids == expected.changed_case_ids and got.by_symptom == expected.by_symptom
    assert_same(plain, handed)


def test_conform_records_names_missing_columns():
    with pytest.raises(ValueError, match="updated_at"):
        conform_records(pd.DataFrame({"rid": [1]}))


def test_ingest_keep_records_hands_over_the_same_frame(workbook):
    """The real hand-over, once import_files offers keep_records (the ingest side's contract)."""
    import inspect

    if "keep_records" not in inspect.signature(import_files).parameters:
        pytest.skip("import_files has no keep_records yet")
    summary = import_files(workbook, demo_files(), keep_records=True)
    with workbook.engine.connect() as conn:
        stored = read_records(conn)
    pd.testing.assert_frame_equal(conform_records(summary.records).reset_index(drop=True), stored)


def test_staged_bulk_save_equals_the_executemany_save(tmp_path, monkeypatch):
    """SQLite with ADBC: the big inserts go through a scratch file and INSERT ... SELECT; the
    store must come out exactly as with executemany, and no scratch file stays behind."""
    from workbench.core.store import sqlite_bulk

    if not sqlite_bulk.usable(None, sqlite_bulk.MIN_ROWS):
        pytest.skip("adbc_driver_sqlite not installed")
    direct, staged = tmp_path / "direct" / "m.rwb", tmp_path / "staged" / "m.rwb"
    direct.parent.mkdir()
    staged.parent.mkdir()
    wb = open_workbook(direct)
    import_files(wb, demo_files())
    wb.close()
    shutil.copy(direct, staged)
    for path, threshold in ((direct, 10**12), (staged, 0)):
        monkeypatch.setattr(sqlite_bulk, "MIN_ROWS", threshold)
        wb = open_workbook(path)
        reconcile(wb)
        reconcile(wb)          # a second run rewrites everything once more
        wb.close()
    assert_same(direct, staged)
    assert sorted(p.name for p in staged.parent.iterdir()) == ["m.rwb"] or "stage" not in " ".join(
        p.name for p in staged.parent.iterdir())


def _handed_from_store(wb, include_old_versions: bool, batch_ids) -> SimpleNamespace:
    """Every row of the store (old versions too, if asked) as an import might hand them over."""
    from workbench.core.reconcile import _RECORD_SCHEMA, _RECORD_SQL
    from workbench.core.store.frames import fetch_frame

    sql = _RECORD_SQL.replace("WHERE is_current = {ph}", "WHERE is_current = {ph} OR is_current = {ph}")
    with wb.engine.connect() as conn:
        frame = fetch_frame(conn, sql + " ORDER BY id", (True, not include_old_versions), _RECORD_SCHEMA)
    return SimpleNamespace(records=frame.astype({"rid": "int64"}), batch_ids=batch_ids)


def test_a_record_written_twice_by_one_import_counts_once(tmp_path):
    from sqlalchemy import update

    from tests.core.test_reconcile import AS_OF, BASE, load, rec
    from workbench.core.settings import BusinessSettings
    from workbench.core.store.models import SourceRecord

    plain, handed = tmp_path / "plain.rwb", tmp_path / "handed.rwb"
    wb = open_workbook(plain)
    load(wb, BASE)            # batch 1
    with wb.session() as s:   # batch 2 (same import): a new version of CM1 supersedes batch 1's
        s.execute(update(SourceRecord).where(SourceRecord.record_id == "CM1").values(is_current=False))
    load(wb, [rec("erp", "CM1", 9999, at="2026-10-02T09:00:00Z", return_ref="LOOP-84214", version=2)])
    wb.close()
    shutil.copy(plain, handed)
    settings = BusinessSettings(as_of=AS_OF)
    wb = open_workbook(plain)
    expected = reconcile(wb, settings)
    wb.close()
    wb = open_workbook(handed)
    summary = _handed_from_store(wb, include_old_versions=True, batch_ids=[1, 2])
    assert len(summary.records) == len(BASE) + 1
    got = reconcile(wb, settings, imported=summary)
    wb.close()
    assert got.records == expected.records == len(BASE)
    assert_same(plain, handed)


def test_handed_rows_the_batches_do_not_name_are_not_read_twice(tmp_path):
    from tests.core.test_reconcile import AS_OF, BASE, load
    from workbench.core.settings import BusinessSettings

    plain, handed = tmp_path / "plain.rwb", tmp_path / "handed.rwb"
    wb = open_workbook(plain)
    load(wb, BASE)
    wb.close()
    shutil.copy(plain, handed)
    settings = BusinessSettings(as_of=AS_OF)
    wb = open_workbook(plain)
    reconcile(wb, settings)
    wb.close()
    wb = open_workbook(handed)
    got = reconcile(wb, settings, imported=_handed_from_store(wb, include_old_versions=False, batch_ids=[]))
    wb.close()
    assert got.records == len(BASE)
    assert_same(plain, handed)
