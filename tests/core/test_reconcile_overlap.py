"""reconcile's save on SQLite: links, candidates and findings are prepared and staged (ADBC
files) on one worker thread while the main thread writes the cases. The store must come out
exactly as with everything in order on one thread; an error on either thread rolls the whole
save back and leaves no staging file behind."""

import shutil
import tempfile
import threading

import pytest
from sqlalchemy import text

from tests.core.test_reconcile_imported import assert_same, demo_files
from workbench.core import reconcile as rc
from workbench.core.ingest import import_files
from workbench.core.store import open_workbook, sqlite_bulk

pytest.importorskip("adbc_driver_sqlite")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Staging files go to a folder of the test's own; every table is big enough to stage."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(sqlite_bulk, "MIN_ROWS", 0)
    return folder


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "base" / "m.rwb"
    path.parent.mkdir()
    wb = open_workbook(path)
    import_files(wb, demo_files())
    wb.close()
    return path


def _copy(src, tmp_path, name):
    dst = tmp_path / name / "m.rwb"
    dst.parent.mkdir()
    shutil.copy(src, dst)
    return dst


def _staging_threads(monkeypatch) -> list[tuple[str, list[str]]]:
    """Record (thread name, columns) of every staging write."""
    calls = []
    stage = sqlite_bulk.stage

    def recording(names, arrays):
        calls.append((threading.current_thread().name, list(names)))
        return stage(names, arrays)

    monkeypatch.setattr(sqlite_bulk, "stage", recording)
    return calls


def _counts(path) -> dict[str, int]:
    wb = open_workbook(path)
    try:
        with wb.engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                    for t in ("cases", "case_links", "findings", "link_candidates", "audit_events")}
    finally:
        wb.close()


def test_overlapped_save_writes_the_same_rows_as_the_plain_save(imported, tmp_path, scratch, monkeypatch):
    plain, overlapped = _copy(imported, tmp_path, "plain"), _copy(imported, tmp_path, "overlapped")
    calls = _staging_threads(monkeypatch)
    for path, overlap in ((plain, False), (overlapped, True)):
        monkeypatch.setattr(rc, "_OVERLAP", overlap)
        calls.clear()
        wb = open_workbook(path)
        rc.reconcile(wb)
        rc.reconcile(wb)       # a second run replaces everything once more (cases updated in place)
        wb.close()
        on_worker = {tuple(names)[:2] for thread, names in calls if thread.startswith("workbench-save")}
        if overlap:            # the links and findings really were staged on the worker
            assert ("case_id", "record_id") in on_worker and ("case_id", "symptom") in on_worker
        else:
            assert not on_worker
    assert_same(plain, overlapped)
    assert list(scratch.iterdir()) == []


def _fail_on_worker(monkeypatch, columns: str):
    stage = sqlite_bulk.stage

    def failing(names, arrays):
        if threading.current_thread().name.startswith("workbench-save") and columns in names:
            raise RuntimeError("disk full while staging")
        return stage(names, arrays)

    monkeypatch.setattr(sqlite_bulk, "stage", failing)


@pytest.mark.parametrize("columns", ["record_id", "symptom"])   # the first / the last table staged
def test_an_error_on_the_worker_rolls_the_save_back(imported, scratch, monkeypatch, columns):
    wb = open_workbook(imported)
    rc.reconcile(wb)
    wb.close()
    before = _counts(imported)
    assert before["cases"] > 0 and before["case_links"] > 0 and before["findings"] > 0
    _fail_on_worker(monkeypatch, columns)
    wb = open_workbook(imported)
    try:
        with pytest.raises(RuntimeError, match="disk full while staging"):
            rc.reconcile(wb)
    finally:
        wb.close()
    assert _counts(imported) == before
    assert list(scratch.iterdir()) == []


def test_an_error_on_the_main_thread_deletes_what_the_worker_staged(imported, scratch, monkeypatch):
    staged = []      # (columns, Staged)
    stage = sqlite_bulk.stage
    monkeypatch.setattr(sqlite_bulk, "stage", lambda n, a: staged.append((list(n), stage(n, a))) or staged[-1][1])
    write_cases = rc._write_cases

    def failing_cases(*args, **kwargs):
        write_cases(*args, **kwargs)
        for _ in range(3000):          # until the worker has staged the findings, its last table
            if any("symptom" in names for names, _ in staged):
                break
            threading.Event().wait(0.01)
        raise RuntimeError("cancelled")

    monkeypatch.setattr(rc, "_write_cases", failing_cases)
    wb = open_workbook(imported)
    try:
        with pytest.raises(RuntimeError, match="cancelled"):
            rc.reconcile(wb)
    finally:
        wb.close()
    tables = {("case_key" in names, "symptom" in names, "rule" in names and "system" in names): s.attached
              for names, s in staged}
    # only the cases were copied in; links and findings were staged but never attached
    assert tables[(True, False, False)] is True
    assert tables[(False, False, True)] is False and tables[(False, True, False)] is False
    assert _counts(imported)["cases"] == 0
    assert list(scratch.iterdir()) == []


def test_a_failed_stage_leaves_no_file(scratch):
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(Exception):
        sqlite_bulk.stage(["a", "b"], [pa.array([1, 2]), pa.array([1, 2, 3])])   # unequal lengths
    assert list(scratch.iterdir()) == []
