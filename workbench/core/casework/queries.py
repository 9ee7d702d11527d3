"""Reading cases for the CLI (and anything else that wants plain dicts): list and detail."""

from __future__ import annotations

from sqlalchemy import select

from workbench.core.casework.adjustments import adjustment_dict
from workbench.core.casework.refs import display_id, resolve_case
from workbench.core.money import to_decimal
from workbench.core.store.models import (
    Adjustment, AuditEvent, Case, CaseLink, Finding, Note, Review, SourceRecord, Tag,
)


def list_cases(workbook, *, symptom: str | None = None, status: str | None = None,
               assignee: str | None = None, tag: str | None = None, period: str | None = None,
               active_only: bool = True, limit: int | None = None) -> list[dict]:
    q = select(Case.id, Case.case_key, Case.status, Case.assignee, Case.symptoms, Case.period, Case.amount_minor,
               Case.currency, Case.customer, Case.version).order_by(Case.id)   # Core rows: fast at scale
    if active_only:
        q = q.where(Case.is_active.is_(True))
    if symptom:
        q = q.where(Case.id.in_(select(Finding.case_id).where(Finding.symptom == symptom)))
    if status:
        q = q.where(Case.status == status)
    if assignee:
        q = q.where(Case.assignee == assignee)
    if period:
        q = q.where(Case.period == period)
    if tag:
        q = q.where(Case.id.in_(select(Tag.case_id).where(Tag.tag == tag)))
    if limit:
        q = q.limit(limit)
    with workbook.sessions() as s:
        return [{
            "case_id": display_id(c.id), "id": c.id, "case_key": c.case_key, "status": c.status,
            "assignee": c.assignee or "", "symptoms": c.symptoms, "period": c.period or "",
            "amount": "" if c.amount_minor is None else str(to_decimal(c.amount_minor, c.currency)),
            "currency": c.currency or "", "customer": c.customer or "", "version": c.version,
        } for c in s.execute(q).all()]


def case_detail(workbook, ref) -> dict:
    with workbook.sessions() as s:
        c = resolve_case(s, ref)
        links = s.execute(select(CaseLink, SourceRecord).join(SourceRecord, SourceRecord.id == CaseLink.record_id)
                          .where(CaseLink.case_id == c.id).order_by(CaseLink.system, SourceRecord.record_id)).all()
        return {
            "case_id": display_id(c.id), "id": c.id, "case_key": c.case_key, "status": c.status,
            "assignee": c.assignee, "version": c.version, "period": c.period, "symptoms": c.symptoms,
            "boundary": c.boundary, "fix_type": c.fix_type, "scope": c.scope, "customer": c.customer,
            "records": [{"system": link.system, "record_id": rec.record_id, "rule": link.rule,
                         "confidence": link.confidence, "duplicate": link.is_duplicate,
                         "amount": None if rec.amount_minor is None else str(to_decimal(rec.amount_minor, rec.currency)),
                         "stage": rec.stage} for link, rec in links],
            "findings": [{"symptom": f.symptom, "evidence": f.evidence, "boundary": f.boundary}
                         for f in s.execute(select(Finding).where(Finding.case_id == c.id)).scalars()],
            "tags": sorted(s.execute(select(Tag.tag).where(Tag.case_id == c.id)).scalars()),
            "notes": [{"id": n.id, "author": n.author, "at": n.created_at.isoformat(), "body": n.body}
                      for n in s.execute(select(Note).where(Note.case_id == c.id).order_by(Note.id)).scalars()],
            "adjustments": [{**adjustment_dict(a), "created_by": a.created_by, "reviewed_by": a.reviewed_by}
                            for a in s.execute(select(Adjustment).where(Adjustment.case_id == c.id)
                                               .order_by(Adjustment.id)).scalars()],
            "reviews": [{"decision": r.decision, "reviewer": r.reviewer, "comment": r.comment}
                        for r in s.execute(select(Review).where(Review.case_id == c.id).order_by(Review.id)).scalars()],
            "history": [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action}
                        for e in s.execute(select(AuditEvent).where(AuditEvent.case_id == c.id)
                                           .order_by(AuditEvent.seq)).scalars()],
        }
