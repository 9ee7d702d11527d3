"""What a resolution log holds, read from the workbook with set-based queries.

`gather_head` reads everything but the case rows (settings, chain head, counts by SQL GROUP BY,
adjustments, audit trail); `iter_case_rows` streams the case rows in id chunks (a few queries
per chunk, Core rows, never ORM objects), so the CSV log of a million cases never holds them
all in memory. `gather` = both, materialised (XLSX and JSON). Values are typed (str, Decimal,
naive business-zone datetime, int, None); writers format them. E-mail masking happens here,
so every format masks alike.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator

from sqlalchemy import func, select

from workbench.core import audit
from workbench.core.casework.refs import display_id
from workbench.core.export.cells import TEXT, mask_emails
from workbench.core.export.flags import log_insights
from workbench.core.export.tables import SYSTEMS, kind_of
from workbench.core.money import to_decimal
from workbench.core.settings import BusinessSettings
from workbench.core.store.models import Adjustment, AuditEvent, Case, CaseLink, Finding, SourceRecord, Tag
from workbench.core.timeutil import to_business

CHUNK = 20_000

# finding.fields words (canonical column names as core/diagnose writes them) -> the
# side-by-side column suffix they mark
_FIELD_SUFFIX = {"amount": "amount", "amount_minor": "amount", "stage": "stage", "status": "stage",
                 "status_raw": "stage", "time": "time", "date": "time", "occurred_at": "time",
                 "approved_at": "time", "refunded_at": "time", "updated_at": "time",
                 "reference": "refs", "ref": "refs", "id": "refs", "record_id": "refs", "return_ref": "refs",
                 "refund_ref": "refs", "order_ref": "refs", "record": "refs"}


@dataclass
class LogContent:
    settings: BusinessSettings
    period: str
    as_of: datetime | None
    chain_head: tuple[int, str]
    chain_ok: bool
    case_count: int = 0
    cases: list[dict] = field(default_factory=list)
    divergent: list[set[str]] = field(default_factory=list)   # per case row: columns to fill
    adjustments: list[dict] = field(default_factory=list)
    audit_trail: list[dict] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)
    flags: list[dict] = field(default_factory=list)
    insights: object = None   # insights.export.ExportInsights: tables behind the XLSX charts


def _local(value, tz: str):
    local = to_business(value, tz)
    return None if local is None else local.replace(tzinfo=None, microsecond=0)


def _money(minor, currency):
    return None if minor is None else to_decimal(minor, currency)


def _mask_row(row: dict) -> dict:
    return {k: mask_emails(v) if isinstance(v, str) and kind_of(k) == TEXT else v for k, v in row.items()}


_ACTIVE = Case.is_active.is_(True)


def gather_head(workbook, *, mask: bool = False) -> LogContent:
    settings = workbook.business_settings()
    tz = settings.timezone
    with workbook.sessions() as s:
        chain = audit.verify_chain(s)
        head = audit.chain_head(s)
        count, latest_last, latest_first = s.execute(
            select(func.count(), func.max(Case.last_event_at), func.max(Case.first_event_at)).where(_ACTIVE)).one()
        periods = list(s.execute(select(Case.period).where(_ACTIVE, Case.period.is_not(None))
                                 .group_by(Case.period).order_by(Case.period)).scalars())
        by_symptom = Counter(dict(s.execute(
            select(Finding.symptom, func.count()).join(Case, Case.id == Finding.case_id).where(_ACTIVE)
            .group_by(Finding.symptom)).all()))
        by_boundary = Counter({(b or "(none)"): n for b, n in s.execute(
            select(Case.boundary, func.count()).where(_ACTIVE).group_by(Case.boundary)).all()})
        by_status = Counter(dict(s.execute(select(Case.status, func.count()).where(_ACTIVE).group_by(Case.status)).all()))
        adjustments = s.execute(select(*Adjustment.__table__.columns).order_by(Adjustment.id)).all()
        events = s.execute(select(*AuditEvent.__table__.columns).order_by(AuditEvent.seq)).all()
    period = settings.period or (periods[0] if len(periods) == 1 else
                                 f"{periods[0]} to {periods[-1]}" if periods else "none")
    latest = max((t for t in (latest_last, latest_first) if t is not None), default=None)
    insights = log_insights(workbook)
    content = LogContent(settings=settings, period=period, as_of=settings.as_of or latest, chain_head=head,
                         chain_ok=chain.ok, case_count=count, flags=insights.flags, insights=insights)
    content.counts = {"symptom": by_symptom, "boundary": by_boundary, "status": by_status}
    for a in adjustments:
        cur = a.currency
        row = {
            "adjustment_id": a.id, "case_id": display_id(a.case_id), "system": a.system, "field": a.field,
            "amount_from": _money(a.amount_from_minor, cur), "amount_to": _money(a.amount_to_minor, cur),
            "delta": (_money(a.amount_to_minor - (a.amount_from_minor or 0), cur)
                      if a.amount_to_minor is not None else None),
            "currency": cur, "reason_code": a.reason_code, "journal_ref": a.journal_ref, "comment": a.comment,
            "created_by": a.created_by, "created_at": _local(a.created_at, tz),
            "review_status": a.review_status, "reviewed_by": a.reviewed_by,
            "reviewed_at": _local(a.reviewed_at, tz), "review_comment": a.review_comment,
        }
        content.adjustments.append(_mask_row(row) if mask else row)
    for e in events:
        row = {"seq": e.seq, "at": _local(e.at, tz), "actor": e.actor, "action": e.action,
               "case_id": display_id(e.case_id) if e.case_id is not None else None, "case_key": e.case_key,
               "entity": e.entity, "before": e.before, "after": e.after, "hash": e.hash}
        content.audit_trail.append(_mask_row(row) if mask else row)
    return content


def _marks(findings) -> set[str]:
    marks = set()
    for f in findings:
        fields = [x for x in (f.fields or "").split(";") if x] or ["refs"]
        for sys_ in [x for x in (f.systems or "").split(";") if x in SYSTEMS]:
            for fld in fields:
                suffix = _FIELD_SUFFIX.get(fld.strip().lower(), "refs")
                if sys_ == "support" and suffix == "amount":
                    suffix = "refs"       # tickets carry no amount column
                marks.add(f"{sys_}_{suffix}")
    return marks


def iter_case_rows(workbook, *, mask: bool = False, tz: str, chunk: int | None = None,
                   job=None, total: int = 0) -> Iterator[tuple[dict, set[str]]]:
    """(row, divergent columns) per active case, in case id order, read in id chunks."""
    after, done, chunk = 0, 0, chunk or CHUNK
    while True:
        with workbook.sessions() as s:
            cases = s.execute(select(*Case.__table__.columns).where(_ACTIVE, Case.id > after)
                              .order_by(Case.id).limit(chunk)).all()
            if not cases:
                return
            lo, hi = cases[0].id, cases[-1].id
            in_range = (lambda col: col.between(lo, hi))
            refs: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
            live: dict[tuple[int, str], object] = {}
            for rec in s.execute(select(CaseLink.case_id, CaseLink.system, CaseLink.is_duplicate,
                                        SourceRecord.record_id, SourceRecord.stage, SourceRecord.occurred_at)
                                 .join(SourceRecord, SourceRecord.id == CaseLink.record_id)
                                 .where(in_range(CaseLink.case_id))
                                 .order_by(CaseLink.case_id, SourceRecord.record_id)).all():
                refs[rec.case_id][rec.system].append(rec.record_id)
                if not rec.is_duplicate:
                    live.setdefault((rec.case_id, rec.system), rec)
            tags: dict[int, list[str]] = defaultdict(list)
            for case_id, tag in s.execute(select(Tag.case_id, Tag.tag).where(in_range(Tag.case_id))
                                          .order_by(Tag.case_id, Tag.tag)).all():
                tags[case_id].append(tag)
            findings: dict[int, list] = defaultdict(list)
            for f in s.execute(select(Finding.case_id, Finding.symptom, Finding.evidence, Finding.systems,
                                      Finding.fields).where(in_range(Finding.case_id))
                               .order_by(Finding.case_id, Finding.symptom)).all():
                findings[f.case_id].append(f)
            adj_total: dict[int, int] = defaultdict(int)
            for a in s.execute(select(Adjustment.case_id, Adjustment.amount_from_minor, Adjustment.amount_to_minor)
                               .where(in_range(Adjustment.case_id), Adjustment.review_status != "rejected",
                                      Adjustment.amount_to_minor.is_not(None))).all():
                adj_total[a.case_id] += a.amount_to_minor - (a.amount_from_minor or 0)
        for c in cases:
            cur = c.currency
            row = {
                "case_id": display_id(c.id), "status": c.status, "symptoms": c.symptoms or "",
                "boundary": c.boundary, "fix_type": c.fix_type, "scope": c.scope,
                **{f"{sys_}_refs": ";".join(refs[c.id][sys_]) for sys_ in SYSTEMS},
                "order_ref": c.order_ref, "customer": c.customer,
                "portal_amount": _money(c.portal_amount_minor, cur),
                "processor_amount": _money(c.processor_amount_minor, cur),
                "erp_amount": _money(c.erp_amount_minor, cur),
                "currency": cur, "tags": ";".join(tags[c.id]),
                "adjustment_total": _money(adj_total[c.id], cur) if c.id in adj_total else None,
                "evidence": " | ".join(f.evidence for f in findings[c.id]),
                "case_key": c.case_key, "assignee": c.assignee, "period": c.period,
            }
            for sys_ in SYSTEMS:
                rec = live.get((c.id, sys_))
                row[f"{sys_}_stage"] = rec.stage if rec else None
                row[f"{sys_}_time"] = _local(rec.occurred_at, tz) if rec else None
            yield (_mask_row(row) if mask else row), _marks(findings[c.id])
        after = cases[-1].id
        done += len(cases)
        if job is not None:
            job.check()
            if total:
                job.step(min(0.95, 0.05 + 0.9 * done / total), f"{done:,} of {total:,} cases")


def gather(workbook, *, mask: bool = False, job=None) -> LogContent:
    content = gather_head(workbook, mask=mask)
    for row, marks in iter_case_rows(workbook, mask=mask, tz=content.settings.timezone, job=job,
                                     total=content.case_count):
        content.cases.append(row)
        content.divergent.append(marks)
    return content


def settings_json(settings: BusinessSettings) -> dict:
    return json.loads(settings.to_json())
