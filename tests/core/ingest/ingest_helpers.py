"""Helpers shared by the ingest tests (a module of its own: `from conftest import ...` picks
whichever conftest was imported first when tests/pg runs in the same session)."""

from __future__ import annotations

from sqlalchemy import func, select


def table_counts(workbook) -> dict[str, int]:
    from workbench.core.store.models import AuditEvent, Case, ImportBatch, SourceRecord

    with workbook.sessions() as s:
        return {m.__tablename__: s.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (ImportBatch, SourceRecord, AuditEvent, Case)}
