"""Shared helpers for the ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exports"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def table_counts(workbook) -> dict[str, int]:
    from workbench.core.store.models import AuditEvent, Case, ImportBatch, SourceRecord

    with workbook.sessions() as s:
        return {m.__tablename__: s.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (ImportBatch, SourceRecord, AuditEvent, Case)}
