"""Everything the case detail shows about one case, read in a handful of indexed queries.

`load_case_detail(workbook, case_id)` returns plain frozen dataclasses (no ORM instances), so
the result can cross from the background worker to the UI thread. Times are kept as aware UTC
and also given as text in the business time zone; money stays in integer minor units.

Queries (all by primary key or an indexed case_id): the case, its links joined with their
records and import batches, findings, audit events, tags, notes, adjustments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select

from workbench.core.canonical import SYSTEM_LABELS, SYSTEMS
from workbench.core.settings import BusinessSettings
from workbench.core.store.database import BUSINESS_KEY
from workbench.core.store.models import (
    Adjustment,
    AuditEvent,
    Case,
    CaseLink,
    Finding,
    ImportBatch,
    Note,
    Setting,
    SourceRecord,
    Tag,
)
from workbench.core.timeutil import accounting_period, format_business

# The event times of a record, with what each one means per system (for the timeline).
TIME_FIELDS = ("occurred_at", "approved_at", "refunded_at", "updated_at")
_EVENT_LABELS = {
    ("portal", "occurred_at"): "return requested",
    ("portal", "approved_at"): "return approved",
    ("portal", "refunded_at"): "refund issued by portal",
    ("portal", "updated_at"): "return updated",
    ("processor", "occurred_at"): "refund created",
    ("processor", "refunded_at"): "refund settled",
    ("processor", "updated_at"): "refund updated",
    ("erp", "occurred_at"): "credit posted",
    ("erp", "approved_at"): "return authorised",
    ("erp", "refunded_at"): "refund posted",
    ("erp", "updated_at"): "document updated",
    ("support", "occurred_at"): "ticket opened",
    ("support", "updated_at"): "ticket last updated",
    ("support", "refunded_at"): "ticket solved",
}


def system_label(system: str) -> str:
    if system in SYSTEM_LABELS:
        return SYSTEM_LABELS[system]
    return system.upper() if len(system) <= 4 else system.replace("_", " ").title()


def order_systems(systems) -> list[str]:
    """The four known systems in their usual order, then any further source alphabetically."""
    present = set(systems)
    return [s for s in SYSTEMS] + sorted(present - set(SYSTEMS))


@dataclass(frozen=True)
class RecordView:
    """One source record as the detail shows it (one column of the side-by-side table)."""

    source_id: int                 # source_records.id
    system: str
    record_id: str
    return_ref: str | None
    order_ref: str | None
    refund_ref: str | None
    customer: str | None
    amount_minor: int | None
    currency: str | None
    stage: str | None
    status_raw: str | None
    times_utc: dict[str, datetime | None]   # TIME_FIELDS -> aware UTC
    times_local: dict[str, str]             # TIME_FIELDS -> text in the business zone ('' if none)
    period: str | None                      # accounting period of occurred_at, business zone
    link_rule: str
    link_confidence: float
    repaired: str | None
    is_duplicate: bool
    is_override: bool
    is_current: bool
    version: int
    channel: str | None
    agent: str | None
    source_version: str | None
    file_name: str
    source_row: int
    profile: str
    raw: dict[str, object]


@dataclass(frozen=True)
class SystemRecords:
    system: str
    label: str
    live: RecordView | None
    duplicates: tuple[RecordView, ...] = ()


@dataclass(frozen=True)
class FindingView:
    symptom: str
    boundary: str
    fix_type: str
    scope: str
    cause: str
    evidence: str
    steps: tuple[str, ...]
    systems: tuple[str, ...]
    fields: tuple[str, ...]
    window_closes_at: datetime | None
    window_closes_local: str
    amount_delta_minor: int | None


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime                 # aware UTC
    at_local: str                # business zone
    system: str
    record_id: str
    what: str
    is_duplicate: bool


@dataclass(frozen=True)
class RawRow:
    system: str
    record_id: str
    file_name: str
    source_row: int
    profile: str
    is_duplicate: bool
    values: dict[str, object]


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: datetime
    at_local: str
    actor: str
    action: str
    entity: str | None
    before: object
    after: object


@dataclass(frozen=True)
class TagView:
    tag: str
    is_reason_code: bool
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class NoteView:
    author: str
    body: str
    created_at: datetime
    created_local: str


@dataclass(frozen=True)
class AdjustmentView:
    system: str
    field: str
    amount_from_minor: int | None
    amount_to_minor: int | None
    currency: str | None
    reason_code: str
    journal_ref: str | None
    comment: str | None
    created_by: str
    created_local: str
    review_status: str


@dataclass(frozen=True)
class CaseSummary:
    id: int
    case_key: str
    status: str
    assignee: str | None
    symptoms: tuple[str, ...]
    boundary: str | None
    fix_type: str | None
    scope: str | None
    cause: str | None
    order_ref: str | None
    customer: str | None
    currency: str | None
    amount_minor: int | None
    systems_present: tuple[str, ...]
    period: str | None
    is_active: bool
    source_changed: bool
    version: int
    first_event_local: str
    last_event_local: str


@dataclass(frozen=True)
class CaseDetail:
    case: CaseSummary
    timezone: str
    settings: BusinessSettings
    systems: tuple[SystemRecords, ...]        # every known system (live may be None) + extra sources
    findings: tuple[FindingView, ...]
    timeline: tuple[TimelineEvent, ...]
    raw_rows: tuple[RawRow, ...]
    history: tuple[HistoryEntry, ...]
    tags: tuple[TagView, ...]
    notes: tuple[NoteView, ...]
    adjustments: tuple[AdjustmentView, ...]
    extra: dict = field(default_factory=dict)

    def records(self, system: str) -> SystemRecords | None:
        for entry in self.systems:
            if entry.system == system:
                return entry
        return None

    @property
    def divergent_cells(self) -> set[tuple[str, str]]:
        """(field, system) pairs the findings name as divergent."""
        cells: set[tuple[str, str]] = set()
        for finding in self.findings:
            for system in finding.systems:
                for name in finding.fields:
                    cells.add((name, system))
        return cells


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def _json(text: str | None) -> object:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _raw_dict(text: str | None, columns: str | None = None) -> dict[str, object]:
    """The source row as {header: cell text}: a JSON array (store revision 0002) is paired
    with its batch's raw_columns; an object (older workbooks) is taken as it is."""
    value = _json(text)
    if isinstance(value, dict):
        return value
    headers = _json(columns)
    if isinstance(value, list) and isinstance(headers, list) and len(headers) == len(value):
        return dict(zip(headers, value))
    return {"raw": value} if value is not None else {}


def _record_view(rec, link, batch_file: str, tz: str, raw_columns: str | None = None) -> RecordView:
    times = {name: getattr(rec, name) for name in TIME_FIELDS}
    return RecordView(
        source_id=rec.id, system=rec.system, record_id=rec.record_id,
        return_ref=rec.return_ref, order_ref=rec.order_ref, refund_ref=rec.refund_ref,
        customer=rec.customer, amount_minor=rec.amount_minor, currency=rec.currency,
        stage=rec.stage, status_raw=rec.status_raw,
        times_utc=times,
        times_local={name: format_business(value, tz) for name, value in times.items()},
        period=accounting_period(rec.occurred_at, tz),
        link_rule=link.rule, link_confidence=float(link.confidence), repaired=link.repaired,
        is_duplicate=bool(link.is_duplicate), is_override=bool(link.is_override),
        is_current=bool(rec.is_current), version=rec.version,
        channel=rec.channel, agent=rec.agent, source_version=rec.source_version,
        file_name=batch_file, source_row=rec.source_row, profile=rec.profile,
        raw=_raw_dict(rec.raw, raw_columns),
    )


# The statements, built once (bound by :case_id; every one uses an index on case_id).
_CASE_ID = bindparam("case_id")
_LINKS = (select(CaseLink, SourceRecord, ImportBatch.file_name, ImportBatch.raw_columns)
          .join(SourceRecord, SourceRecord.id == CaseLink.record_id)
          .join(ImportBatch, ImportBatch.id == SourceRecord.batch_id)
          .where(CaseLink.case_id == _CASE_ID)
          .order_by(CaseLink.is_duplicate, SourceRecord.occurred_at, SourceRecord.id))
_FINDINGS = select(Finding).where(Finding.case_id == _CASE_ID).order_by(Finding.symptom)
_AUDIT = select(AuditEvent).where(AuditEvent.case_id == _CASE_ID).order_by(AuditEvent.seq)
_TAGS = select(Tag).where(Tag.case_id == _CASE_ID).order_by(Tag.tag)
_NOTES = select(Note).where(Note.case_id == _CASE_ID).order_by(Note.created_at, Note.id)
_ADJUSTMENTS = (select(Adjustment).where(Adjustment.case_id == _CASE_ID)
                .order_by(Adjustment.created_at, Adjustment.id))


def load_case_detail(workbook, case_id: int, settings: BusinessSettings | None = None) -> CaseDetail | None:
    """The whole detail of one case, or None when there is no such case."""
    with workbook.sessions() as session:
        case = session.get(Case, case_id)
        if case is None:
            return None
        if settings is None:      # read in the same session: one primary-key lookup
            row = session.get(Setting, BUSINESS_KEY)
            settings = BusinessSettings.from_json(row.value if row else None)
        tz = settings.timezone
        params = {"case_id": case_id}
        link_rows = session.execute(_LINKS, params).all()
        finding_rows = session.execute(_FINDINGS, params).scalars().all()
        audit_rows = session.execute(_AUDIT, params).scalars().all()
        tag_rows = session.execute(_TAGS, params).scalars().all()
        note_rows = session.execute(_NOTES, params).scalars().all()
        adj_rows = session.execute(_ADJUSTMENTS, params).scalars().all()

        summary = CaseSummary(
            id=case.id, case_key=case.case_key, status=case.status, assignee=case.assignee,
            symptoms=_split(case.symptoms), boundary=case.boundary, fix_type=case.fix_type,
            scope=case.scope, cause=case.cause, order_ref=case.order_ref, customer=case.customer,
            currency=case.currency, amount_minor=case.amount_minor,
            systems_present=_split(case.systems_present), period=case.period,
            is_active=bool(case.is_active), source_changed=bool(case.source_changed),
            version=case.version,
            first_event_local=format_business(case.first_event_at, tz),
            last_event_local=format_business(case.last_event_at, tz),
        )
        views = [_record_view(rec, link, file_name, tz, columns) for link, rec, file_name, columns in link_rows]
        findings = tuple(
            FindingView(
                symptom=f.symptom, boundary=f.boundary, fix_type=f.fix_type, scope=f.scope,
                cause=f.cause, evidence=f.evidence,
                steps=tuple(line.strip() for line in (f.steps or "").splitlines() if line.strip()),
                systems=_split(f.systems), fields=_split(f.fields),
                window_closes_at=f.window_closes_at,
                window_closes_local=format_business(f.window_closes_at, tz),
                amount_delta_minor=f.amount_delta_minor,
            )
            for f in finding_rows
        )
        history = tuple(
            HistoryEntry(seq=e.seq, at=e.at, at_local=format_business(e.at, tz, "%Y-%m-%d %H:%M:%S"),
                         actor=e.actor, action=e.action, entity=e.entity,
                         before=_json(e.before), after=_json(e.after))
            for e in audit_rows
        )
        tags = tuple(TagView(t.tag, bool(t.is_reason_code), t.created_by, t.created_at) for t in tag_rows)
        notes = tuple(NoteView(n.author, n.body, n.created_at, format_business(n.created_at, tz))
                      for n in note_rows)
        adjustments = tuple(
            AdjustmentView(a.system, a.field, a.amount_from_minor, a.amount_to_minor, a.currency,
                           a.reason_code, a.journal_ref, a.comment, a.created_by,
                           format_business(a.created_at, tz), a.review_status)
            for a in adj_rows
        )

    by_system: dict[str, list[RecordView]] = {}
    for view in views:
        by_system.setdefault(view.system, []).append(view)
    systems = []
    for system in order_systems(by_system):
        recs = by_system.get(system, [])
        live = next((r for r in recs if not r.is_duplicate), None)
        dups = tuple(r for r in recs if r is not live)
        if live is None and dups:          # only duplicates linked: show the first as live
            live, dups = dups[0], dups[1:]
        systems.append(SystemRecords(system, system_label(system), live, dups))

    timeline = sorted(
        (TimelineEvent(at=value, at_local=format_business(value, tz, "%Y-%m-%d %H:%M:%S"),
                       system=v.system, record_id=v.record_id,
                       what=_EVENT_LABELS.get((v.system, name), name.replace("_at", "").replace("_", " ")),
                       is_duplicate=v.is_duplicate)
         for v in views for name, value in v.times_utc.items() if value is not None),
        key=lambda e: (e.at, SYSTEMS.index(e.system) if e.system in SYSTEMS else len(SYSTEMS), e.record_id),
    )
    raw_rows = tuple(RawRow(v.system, v.record_id, v.file_name, v.source_row, v.profile,
                            v.is_duplicate, v.raw) for v in views)
    return CaseDetail(case=summary, timezone=tz, settings=settings, systems=tuple(systems),
                      findings=findings, timeline=tuple(timeline), raw_rows=raw_rows,
                      history=history, tags=tags, notes=notes, adjustments=adjustments)
