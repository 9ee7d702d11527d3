"""Manual adjustments: which system and field, amount from and to, reason, the ERP journal ref.

Amounts come in as Decimal (or text) and are stored as integer minor units of `currency`.
An adjustment starts `pending`; a reviewer other than its maker approves or rejects it
(casework.review). Its maker may withdraw it while it is still pending (that is its undo).
"""

from __future__ import annotations

from decimal import Decimal

from workbench.core import audit
from workbench.core.canonical import SYSTEMS
from workbench.core.casework import guard
from workbench.core.casework.changes import Changes, Op
from workbench.core.casework.vocabulary import check_reason_code
from workbench.core.errors import PermissionDenied
from workbench.core.money import to_decimal, to_minor
from workbench.core.store.models import Adjustment


def _minor(value, currency: str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_minor(Decimal(str(value).strip()) if isinstance(value, str) else value, currency)


def adjustment_dict(adj: Adjustment) -> dict:
    cur = adj.currency
    return {
        "adjustment_id": adj.id, "system": adj.system, "field": adj.field,
        "amount_from": None if adj.amount_from_minor is None else str(to_decimal(adj.amount_from_minor, cur)),
        "amount_to": None if adj.amount_to_minor is None else str(to_decimal(adj.amount_to_minor, cur)),
        "currency": cur, "reason_code": adj.reason_code, "journal_ref": adj.journal_ref,
        "comment": adj.comment, "review_status": adj.review_status,
    }


def add_adjustment(workbook, case, *, system: str, field: str, amount_from=None, amount_to=None,
                   currency: str | None = None, reason_code: str, journal_ref: str | None = None,
                   comment: str | None = None, expected=None, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    system = (system or "").strip().lower()
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r} (expected one of {', '.join(SYSTEMS)})")
    field = (field or "").strip()
    if not field:
        raise ValueError("an adjustment names the field it changes (e.g. amount)")
    with guard.transaction(workbook) as s:
        reason_code = check_reason_code(s, reason_code)
        (target,) = guard.prepare(s, actor, [case], expected=expected)
        cur = (currency or target.currency or "").upper() or None
        adj = Adjustment(case_id=target.id, system=system, field=field,
                         amount_from_minor=_minor(amount_from, cur), amount_to_minor=_minor(amount_to, cur),
                         currency=cur, reason_code=reason_code, journal_ref=(journal_ref or "").strip() or None,
                         comment=(comment or "").strip() or None, created_by=actor)
        s.add(adj)
        s.flush()
        ev = audit.record(s, actor, "adjustment.add", case_id=target.id, case_key=target.case_key,
                          entity=f"adjustment:{adj.id}", after=adjustment_dict(adj))
        versions = guard.bump(s, [target])
    inverse = Op("withdraw_adjustment", {"adjustment_id": adj.id}, "withdraw adjustment")
    return Changes((target.id,), versions, inverse, created_id=adj.id, audit_seqs=(ev.seq,))


def withdraw_adjustment(workbook, adjustment_id: int, *, expected=None, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    with guard.transaction(workbook) as s:
        adj = s.get(Adjustment, int(adjustment_id))
        if adj is None:
            raise ValueError(f"no adjustment {adjustment_id}")
        if adj.created_by != actor:
            raise PermissionDenied(f"adjustment {adj.id} was made by {adj.created_by}; only its maker may withdraw it")
        if adj.review_status != "pending":
            raise PermissionDenied(f"adjustment {adj.id} is already {adj.review_status}; it can no longer be withdrawn")
        (target,) = guard.prepare(s, actor, [adj.case_id], expected=expected)
        before = adjustment_dict(adj)
        ev = audit.record(s, actor, "adjustment.withdraw", case_id=target.id, case_key=target.case_key,
                          entity=f"adjustment:{adj.id}", before=before)
        s.delete(adj)
        versions = guard.bump(s, [target])
    inverse = Op("add_adjustment", {
        "case": target.id, "system": before["system"], "field": before["field"],
        "amount_from": before["amount_from"], "amount_to": before["amount_to"], "currency": before["currency"],
        "reason_code": before["reason_code"], "journal_ref": before["journal_ref"], "comment": before["comment"],
    }, "add adjustment")
    return Changes((target.id,), versions, inverse, audit_seqs=(ev.seq,))
