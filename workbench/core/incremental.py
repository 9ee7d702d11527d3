"""Re-diagnosis after an import: everything for a new workbook, only what the new records
touch for a workbook that already holds cases (issue 8: a second month, or a re-export,
costs what it changes, not the whole store). The CLI and the import dialog both call this."""

from __future__ import annotations

from sqlalchemy import select

from workbench.core.jobs import Job
from workbench.core.reconcile import ReconcileSummary, reconcile
from workbench.core.settings import BusinessSettings
from workbench.core.store.models import Case


def has_cases(workbook) -> bool:
    with workbook.sessions() as s:
        return s.execute(select(Case.id).limit(1)).first() is not None


def reconcile_after_import(workbook, imported, settings: BusinessSettings | None = None, job: Job | None = None,
                           full: bool = False) -> ReconcileSummary:
    """`imported`: what import_files returned (ideally with keep_records=True, so its rows are
    handed over instead of read back); its .records and .touched_record_ids are taken over
    (emptied) - print what you need from it first. Import writes no cases, so cases in the store now were
    there before it: then only the cases its records touch are re-diagnosed (others keep their
    diagnosis, made at their own as-of), unless `full`. A settings change needs `full`."""
    only = None
    if imported is not None and not full and has_cases(workbook):
        only = list(imported.touched_record_ids)
    if imported is not None:
        # taken over like .records: a list of 3.2M ids is 160 MB at a million returns
        imported.touched_record_ids = []
    handover = imported if getattr(imported, "records", None) is not None else None
    return reconcile(workbook, settings, job=job, imported=handover, only_record_ids=only)
