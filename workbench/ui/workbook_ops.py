"""Plain (Qt-free) compositions of core calls the window runs on the background worker."""

from __future__ import annotations

from pathlib import Path

from workbench import paths
from workbench.core.jobs import Job, ensure_job

DEMO_WORKBOOK_NAME = "demo-month.rwb"
_DEMO_SUFFIXES = {".csv", ".xlsx", ".xls"}


def demo_files() -> list[Path]:
    """The bundled demo month's exports (truth.csv is the answer key, not an export)."""
    folder = paths.demo_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in _DEMO_SUFFIXES and p.name != "truth.csv" and p.is_file())


def import_and_reconcile(workbook, files, job: Job | None = None):
    """Import the files (one transaction) then diagnose; returns the ReconcileSummary."""
    from workbench.core.incremental import reconcile_after_import
    from workbench.core.ingest import import_files

    job = ensure_job(job)
    imported = import_files(workbook, [str(f) for f in files], job=job.sub(0.0, 0.6), keep_records=True)
    return reconcile_after_import(workbook, imported, job=job.sub(0.6, 1.0))


def reconcile_all(workbook, job: Job | None = None):
    """Re-diagnose every case with the workbook's current business settings."""
    from workbench.core.reconcile import reconcile

    return reconcile(workbook, settings=workbook.business_settings(), job=job)
