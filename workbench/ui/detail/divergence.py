"""Which side-by-side cells diverge, and why, in numbers. Plain Python (no Qt), so it is
cheap to test and the model only formats what this module decides.

A finding names its divergent cells with `systems` x `fields` (both ';'-joined in the store).
Field names are the side-by-side row keys below; a few synonyms the diagnosis may write
(`amount_minor`, `time`, `reference`, ...) are folded onto them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from workbench.core.money import format_money, percent_of, to_decimal, to_minor
from workbench.core.queries.case_detail import CaseDetail, FindingView, RecordView, system_label

# (row key, label) of the side-by-side table, top to bottom.
FIELDS: tuple[tuple[str, str], ...] = (
    ("record_id", "Record id"),
    ("return_ref", "Return / RMA"),
    ("order_ref", "Order"),
    ("refund_ref", "Refund reference"),
    ("customer", "Customer"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("stage", "Stage (raw status)"),
    ("occurred_at", "Event time"),
    ("approved_at", "Approved"),
    ("refunded_at", "Refunded"),
    ("updated_at", "Updated"),
    ("period", "Accounting period"),
    ("link", "Link rule (confidence)"),
    ("repaired", "Repaired reference"),
    ("source", "Source file, row"),
)
FIELD_KEYS = tuple(key for key, _ in FIELDS)

_SYNONYMS = {
    "amount_minor": "amount", "amounts": "amount", "refund_amount": "amount",
    "time": "occurred_at", "times": "occurred_at", "occurred": "occurred_at", "date": "occurred_at",
    "event_time": "occurred_at", "posted_at": "occurred_at", "created_at": "occurred_at",
    "approved": "approved_at", "refunded": "refunded_at", "updated": "updated_at",
    "status": "stage", "status_raw": "stage",
    "reference": "return_ref", "ref": "return_ref", "return": "return_ref", "rma": "return_ref",
    "order": "order_ref", "refund": "refund_ref", "id": "record_id", "record": "record_id",
    "accounting_period": "period", "link_rule": "link", "rule": "link", "confidence": "link",
}

# The handoff that should have delivered a record of each system, when it is absent:
# (default boundary, what it should have done). A finding naming the system overrides the boundary.
MISSING_HANDOFF = {
    "portal": ("WMS -> portal -> ERP", "recorded a return (refund or credit made outside the portal?)"),
    "processor": ("processing queue", "issued the refund to the customer"),
    "erp": ("portal -> ERP middleware", "posted a credit memo"),
    "support": ("support <- any", "opened a ticket (expected only if the customer contacted support)"),
}


def normalise_field(name: str) -> str:
    key = name.strip().lower()
    return _SYNONYMS.get(key, key)


_MISSING_SYMPTOMS = ("missing_handoff", "missing_disbursement")


def missing_parts(detail: CaseDetail, system: str) -> tuple[str, str]:
    """(boundary, what it should have done) for an absent record of `system`."""
    boundary, should = MISSING_HANDOFF.get(system, ("the source export", "delivered it"))
    for finding in detail.findings:
        named = system in finding.systems and finding.boundary
        if named and (system not in MISSING_HANDOFF or finding.symptom in _MISSING_SYMPTOMS):
            boundary = finding.boundary
            break
    return boundary, should


def missing_text(detail: CaseDetail, system: str) -> str:
    """'No ERP record - portal -> ERP middleware should have posted a credit memo'."""
    boundary, should = missing_parts(detail, system)
    return f"No {system_label(system)} record - {boundary} should have {should}"


def findings_for(detail: CaseDetail, field: str, system: str) -> list[FindingView]:
    return [f for f in detail.findings
            if system in f.systems and field in {normalise_field(x) for x in f.fields}]


def named_cells(detail: CaseDetail) -> set[tuple[str, str]]:
    """(row key, system) of every cell a finding names, with field synonyms folded."""
    return {(normalise_field(name), system)
            for f in detail.findings for system in f.systems for name in f.fields}


# --- explanations in numbers ----------------------------------------------------------------

def _reference(detail: CaseDetail, system: str, findings: list[FindingView]) -> RecordView | None:
    """The record a cell is compared with: another system the finding names, else the portal,
    processor, ERP record (in that order)."""
    order = [s for f in findings for s in f.systems if s != system] + ["portal", "processor", "erp", "support"]
    for other in order:
        if other == system:
            continue
        entry = detail.records(other)
        if entry is not None and entry.live is not None:
            return entry.live
    return None


def _fee_name(ref_minor: int, delta_minor: int, currency: str | None, detail: CaseDetail) -> str | None:
    """Name the restocking fee of the schedule that explains `delta` (negative = less refunded)."""
    fee = -delta_minor
    if fee <= 0:
        return None
    for pct in detail.settings.fee_percents:
        if percent_of(ref_minor, pct, currency) == fee:
            return f"{_plain(pct)} % restocking fee"
    for flat in detail.settings.fee_flats:
        if to_minor(flat, currency) == fee:
            return f"flat {flat} restocking fee"
    return None


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _duration(seconds: float) -> str:
    sign = "+" if seconds >= 0 else "-"
    rest = int(abs(seconds))
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h" if hours else f"{sign}{days} d"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"


_FLOW = {"portal": 0, "processor": 1, "erp": 2}


def explain_amount(detail: CaseDetail, rec: RecordView, ref: RecordView) -> str:
    """Downstream vs upstream ('ERP 84.99 vs Portal 99.99: -15.00 (15 % restocking fee)'),
    whichever of the two cells is asked about, so a fee reads the same from both sides."""
    if _FLOW.get(rec.system, 3) < _FLOW.get(ref.system, 3):
        rec, ref = ref, rec
    me, them = system_label(rec.system), system_label(ref.system)
    if rec.amount_minor is None or ref.amount_minor is None:
        return f"{me} amount {format_money(rec.amount_minor, rec.currency) or 'blank'} vs {them} " \
               f"{format_money(ref.amount_minor, ref.currency) or 'blank'}"
    if (rec.currency or "").upper() != (ref.currency or "").upper():
        return (f"{me} {format_money(rec.amount_minor, rec.currency)} vs {them} "
                f"{format_money(ref.amount_minor, ref.currency)}: different currencies")
    cur = rec.currency
    delta = rec.amount_minor - ref.amount_minor
    text = (f"{me} {format_money(rec.amount_minor, cur, with_code=False)} vs {them} "
            f"{format_money(ref.amount_minor, cur, with_code=False)}: "
            f"{'+' if delta > 0 else ''}{format_money(delta, cur, with_code=False)}")
    if delta == 0:
        return text + " (equal)"
    fee = _fee_name(ref.amount_minor, delta, cur, detail)
    tolerance = to_minor(detail.settings.rounding_tolerance, cur)
    if fee:
        text += f" ({fee})"
    elif abs(delta) <= tolerance:
        text += f" (within the {detail.settings.rounding_tolerance} rounding tolerance)"
    elif ref.amount_minor:
        pct = (Decimal(delta) * 100 / Decimal(ref.amount_minor)).quantize(Decimal("0.1"))
        text += f" ({pct} % of {them}, unexplained by the fee schedule)"
    return text


def explain_time(detail: CaseDetail, field: str, rec: RecordView, ref: RecordView) -> str:
    me, them = system_label(rec.system), system_label(ref.system)
    mine: datetime | None = rec.times_utc.get(field) or rec.times_utc.get("occurred_at")
    theirs: datetime | None = ref.times_utc.get("occurred_at")
    if field in ref.times_utc and ref.times_utc.get(field):
        theirs = ref.times_utc[field]
    if mine is None or theirs is None:
        return f"{me} {rec.times_local.get(field) or 'no time'} vs {them} {ref.times_local.get('occurred_at') or 'no time'}"
    text = (f"{me} {rec.times_local.get(field) or rec.times_local['occurred_at']} vs {them} "
            f"{ref.times_local.get(field) or ref.times_local['occurred_at']} ({detail.timezone}): "
            f"{_duration((mine - theirs).total_seconds())}")
    if rec.period and ref.period and rec.period != ref.period:
        text += f"; periods {rec.period} vs {ref.period}"
    return text


def _explain_ticket_update(detail: CaseDetail, ticket: RecordView) -> str:
    """A ticket's last update against the latest refund or credit (what it should follow)."""
    money = [e.live for e in detail.systems
             if e.system in ("processor", "erp") and e.live is not None and e.live.times_utc.get("occurred_at")]
    updated = ticket.times_utc.get("updated_at") or ticket.times_utc.get("occurred_at")
    if not money or updated is None:
        return f"Support last updated {ticket.times_local.get('updated_at') or 'never'}"
    latest = max(money, key=lambda r: r.times_utc["occurred_at"])
    gap = _duration((updated - latest.times_utc["occurred_at"]).total_seconds())
    return (f"Support last updated {ticket.times_local.get('updated_at') or ticket.times_local['occurred_at']} "
            f"vs the latest refund/credit ({system_label(latest.system)} {latest.times_local['occurred_at']}, "
            f"{detail.timezone}): {gap}")


def _explain_duplicate(entry, rec: RecordView) -> list[str]:
    """'Duplicate of Processor re_1: same amount 99.99 USD, 6 min later' (or, on the live
    record, which duplicates it has)."""
    label = system_label(rec.system)
    others = [entry.live] if rec.is_duplicate and entry.live is not None else list(entry.duplicates)
    lines = []
    for other in others:
        if other is None or other is rec:
            continue
        mine, theirs = rec.times_utc.get("occurred_at"), other.times_utc.get("occurred_at")
        gap = ""
        if mine and theirs:
            seconds = (mine - theirs).total_seconds()
            gap = f", {_duration(abs(seconds))[1:]} {'later' if seconds >= 0 else 'earlier'}"
        same = rec.amount_minor == other.amount_minor and rec.currency == other.currency
        amount = (f"same amount {format_money(rec.amount_minor, rec.currency)}" if same else
                  f"{format_money(rec.amount_minor, rec.currency) or 'no amount'} vs "
                  f"{format_money(other.amount_minor, other.currency) or 'no amount'}")
        verb = "Duplicate of" if rec.is_duplicate else "Duplicated by"
        lines.append(f"{verb} {label} {other.record_id}: {amount}{gap}")
    return lines


def explain_cell(detail: CaseDetail, field: str, rec: RecordView | None, system: str) -> str:
    """A tooltip for a divergent cell: the numbers first, then each naming finding's evidence."""
    findings = findings_for(detail, field, system)
    lines: list[str] = []
    if rec is None:
        lines.append(missing_text(detail, system))
    else:
        entry = detail.records(system)
        duplicate_only = bool(findings) and all(f.symptom == "duplicate_event" for f in findings)
        if entry is not None and (rec.is_duplicate or duplicate_only):
            lines.extend(_explain_duplicate(entry, rec))
        ref = None if duplicate_only else _reference(detail, system, findings)
        if ref is not None:
            if field in ("amount", "currency"):
                lines.append(explain_amount(detail, rec, ref))
            elif field == "updated_at" and rec.system == "support":
                lines.append(_explain_ticket_update(detail, rec))
            elif field in ("occurred_at", "approved_at", "refunded_at", "updated_at"):
                lines.append(explain_time(detail, field, rec, ref))
            elif field == "period":
                lines.append(f"{system_label(rec.system)} period {rec.period or '-'} vs "
                             f"{system_label(ref.system)} {ref.period or '-'} ({detail.timezone})")
            elif field == "stage":
                lines.append(f"{system_label(rec.system)} {rec.stage or '-'} ({rec.status_raw or 'no status'}) vs "
                             f"{system_label(ref.system)} {ref.stage or '-'} ({ref.status_raw or 'no status'})")
            elif field in ("return_ref", "order_ref", "refund_ref", "record_id", "customer"):
                theirs = getattr(ref, field)
                if theirs is None and field == "return_ref" and ref.system == "portal":
                    theirs = ref.record_id          # the portal's own id is the return id
                lines.append(f"{system_label(rec.system)} {field.replace('_', ' ')} "
                             f"{getattr(rec, field)!r} vs {system_label(ref.system)} {theirs!r}")
        if field in ("link", "return_ref", "order_ref", "refund_ref", "repaired") and rec.repaired:
            lines.append(f"Linked by {rec.link_rule} ({rec.link_confidence:.0%}) through a repaired "
                         f"reference: {rec.repaired}")
    for f in findings:
        lines.append(f"{f.symptom}: {f.evidence}")
    return "\n".join(dict.fromkeys(line for line in lines if line))


def amount_text(rec: RecordView) -> str:
    return format_money(rec.amount_minor, rec.currency) if rec.amount_minor is not None else ""


def amount_value(rec: RecordView) -> Decimal | None:
    return None if rec.amount_minor is None else to_decimal(rec.amount_minor, rec.currency)
