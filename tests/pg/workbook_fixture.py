"""A small but complete workbook, written through the ORM and the audit API, and a way to
read every table back for comparison. Used by the copy and CLI tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from workbench.core import audit
from workbench.core.settings import BusinessSettings
from workbench.core.store.models import (
    Adjustment, Base, Case, CaseLink, Finding, ImportBatch, LinkCandidate, Note, PeriodSignoff,
    Review, SourceRecord, Tag, UserRole,
)

T0 = datetime(2026, 10, 3, 14, 5, 11, 123456, tzinfo=UTC)


def populate(wb, cases: int = 5) -> None:
    """Batches, records, cases with links, findings, tags, notes, adjustments, reviews, a
    sign-off, roles, settings and an audit event per change."""
    wb.save_business_settings(BusinessSettings().with_changes(timezone="Europe/Berlin"))
    with wb.session() as s:
        batches = {}
        for system in ("portal", "processor", "erp"):
            b = ImportBatch(file_name=f"{system}.csv", sha256=system[0] * 64, size_bytes=1234,
                            system=system, profile=f"{system}_profile", rows_total=cases,
                            rows_loaded=cases, imported_by="ann", imported_at=T0, report='{"a": 1}')
            s.add(b)
            batches[system] = b
        s.flush()
        s.add(UserRole(user="rita", role="reviewer"))
        for i in range(cases):
            case = Case(case_key=f"portal:{84000 + i}", symptoms="amount_mismatch;rounding" if i % 2 else "",
                        symptom_count=2 if i % 2 else 0, currency="USD", amount_minor=9999 + i,
                        portal_amount_minor=9999 + i, erp_amount_minor=9998 + i,
                        first_event_at=T0 + timedelta(hours=i), period="2026-10",
                        search_text=f"#{1000 + i} c{i}@example.com", is_active=i != 3)
            s.add(case)
            s.flush()
            for system in ("portal", "processor", "erp"):
                rec = SourceRecord(batch_id=batches[system].id, system=system, profile=f"{system}_profile",
                                   source_row=i + 2, record_id=f"{system[:2]}{84000 + i}",
                                   return_ref=str(84000 + i), amount_minor=-(9999 + i) if system == "processor" else 9999 + i,
                                   currency="USD", occurred_at=T0 + timedelta(minutes=i),
                                   raw='{"id": "%d", "note": "caf\u00e9 \\t tab"}' % i, row_hash=f"h{i}",
                                   is_current=True)
                s.add(rec)
                s.flush()
                s.add(CaseLink(case_id=case.id, record_id=rec.id, system=system, rule="anchor" if system == "portal" else "return_ref",
                               confidence=0.95 if system == "erp" else 1.0, repaired="padding" if system == "erp" else None))
                if system == "erp" and i == 0:
                    s.add(LinkCandidate(case_id=case.id, record_id=rec.id, rule="order_ref", score=0.5, note="two cases share #1000"))
            if i % 2:
                for code in ("amount_mismatch", "rounding"):
                    s.add(Finding(case_id=case.id, symptom=code, boundary="processor -> ERP posting",
                                  fix_type="adjust", scope="ops", cause="process",
                                  evidence=f"ERP {9998 + i} vs portal {9999 + i}", steps="look\nfix",
                                  systems="portal;erp", fields="amount", amount_delta_minor=-1,
                                  window_closes_at=T0 + timedelta(days=3)))
            s.add(Tag(case_id=case.id, tag="needs-it" if i % 2 else "ok", is_reason_code=bool(i % 2), created_by="ann", created_at=T0))
            s.add(Note(case_id=case.id, author="ann", body=f"called \"IT\"\nline two; case {i}", created_at=T0))
            audit.record(s, "ann", "tag.add", case_id=case.id, case_key=case.case_key, after={"tag": "x"}, at=T0)
            audit.record(s, "ann", "note.add", case_id=case.id, case_key=case.case_key, after={"body": "caf\u00e9"})
            if i % 2:
                s.add(Adjustment(case_id=case.id, system="erp", field="amount", amount_from_minor=9998 + i,
                                 amount_to_minor=9999 + i, currency="USD", reason_code="rounding",
                                 journal_ref=f"JE-{i}", comment=None, created_by="ann", created_at=T0,
                                 review_status="approved", reviewed_by="rita", reviewed_at=T0 + timedelta(hours=1)))
                s.add(Review(case_id=case.id, decision="approved", comment="ok", reviewer="rita", created_at=T0))
                audit.record(s, "ann", "adjustment.add", case_id=case.id, before={"amount_minor": 9998 + i},
                             after={"amount_minor": 9999 + i})
        s.add(PeriodSignoff(period="2026-09", signed_by="rita", signed_at=T0,
                            reopened_by="rita", reopened_at=T0, reopen_reason="late credit memo"))
        audit.record(s, "rita", "period.signoff", entity="2026-09", after={"period": "2026-09"})


def dump(wb) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, as Python values."""
    out = {}
    with wb.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out
