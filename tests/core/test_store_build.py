"""build_workbook: a new SQLite workbook appears whole or not at all."""

import pytest
from sqlalchemy import text

from workbench.core.errors import SchemaError
from workbench.core.ingest import import_files
from workbench.core.reconcile import reconcile
from workbench.core.store import build_workbook, is_new_sqlite_file, open_workbook



def _demo_files():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "resources" / "demo"
    return sorted(p for p in root.iterdir() if p.suffix in (".csv", ".xlsx") and p.name != "truth.csv")


def test_build_creates_a_wal_workbook_with_everything(tmp_path):
    target = tmp_path / "month.rwb"
    assert is_new_sqlite_file(target)
    with build_workbook(target) as wb:
        assert not target.exists()            # built beside it until the end
        import_files(wb, _demo_files())
        summary = reconcile(wb)
    assert target.exists() and not is_new_sqlite_file(target)
    assert not (tmp_path / "month.rwb.partial").exists()
    wb = open_workbook(target)
    try:
        with wb.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("SELECT count(*) FROM cases WHERE is_active")).scalar() == summary.cases
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        wb.close()


def test_a_failed_build_leaves_no_file(tmp_path):
    target = tmp_path / "month.rwb"
    with pytest.raises(RuntimeError):
        with build_workbook(target) as wb:
            import_files(wb, _demo_files())
            raise RuntimeError("cancelled")
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_an_existing_workbook(tmp_path):
    target = tmp_path / "month.rwb"
    open_workbook(target).close()
    with pytest.raises(SchemaError):
        with build_workbook(target):
            pass
