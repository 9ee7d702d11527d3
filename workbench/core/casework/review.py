"""Review (maker-checker), period sign-off and roles.

* A reviewer approves or rejects an adjustment or a case's resolution, always with a comment,
  and never their own: the maker of an adjustment is `created_by`; the maker of a resolution is
  whoever last set the case to resolved / wont_fix (read from the audit trail).
* Rejecting a resolution puts the case back to `investigating`.
* Signing off a period (YYYY-MM) locks its cases (PeriodLocked) until a reviewer reopens it
  with a reason; both are audited ('period.signoff', 'period.reopen').
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from workbench.core import audit, roles
from workbench.core.casework import guard
from workbench.core.casework.adjustments import adjustment_dict
from workbench.core.casework.changes import Changes, Op
from workbench.core.casework.refs import display_id
from workbench.core.casework.vocabulary import CLOSED_STATUSES
from workbench.core.errors import PeriodLocked, PermissionDenied
from workbench.core.store.models import Adjustment, AuditEvent, Case, PeriodSignoff, Review, UserRole


def _comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if not text:
        raise ValueError("a review needs a comment saying why")
    return text


def review_adjustment(workbook, adjustment_id: int, *, approve: bool, comment: str,
                      expected=None, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    comment = _comment(comment)
    with guard.transaction(workbook) as s:
        adj = s.get(Adjustment, int(adjustment_id))
        if adj is None:
            raise ValueError(f"no adjustment {adjustment_id}")
        (case,) = guard.prepare(s, actor, [adj.case_id], capability=roles.REVIEW, expected=expected)
        if adj.created_by == actor:
            raise PermissionDenied(f"{actor} made adjustment {adj.id} and may not review it (maker-checker)")
        if adj.review_status != "pending":
            raise PermissionDenied(f"adjustment {adj.id} is already {adj.review_status} by {adj.reviewed_by}")
        before = adjustment_dict(adj)
        adj.review_status = "approved" if approve else "rejected"
        adj.reviewed_by, adj.reviewed_at, adj.review_comment = actor, datetime.now(UTC), comment
        after = {**adjustment_dict(adj), "review_comment": comment}
        ev = audit.record(s, actor, "adjustment.approve" if approve else "adjustment.reject",
                          case_id=case.id, case_key=case.case_key, entity=f"adjustment:{adj.id}",
                          before=before, after=after)
        versions = guard.bump(s, [case])
    return Changes((case.id,), versions, None, created_id=adj.id, audit_seqs=(ev.seq,))


def resolution_maker(session, case_id: int) -> str | None:
    """Who last set the case to a closed status (resolved / wont_fix), from the audit trail."""
    rows = session.execute(
        select(AuditEvent.actor, AuditEvent.after).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "status.change")
        .order_by(AuditEvent.seq.desc())).all()
    for actor, after in rows:
        if after and any(f'"status":"{st}"' in after for st in CLOSED_STATUSES):
            return actor
    return None


def review_resolution(workbook, case, *, approve: bool, comment: str, expected=None,
                      actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    comment = _comment(comment)
    with guard.transaction(workbook) as s:
        (target,) = guard.prepare(s, actor, [case], capability=roles.REVIEW, expected=expected)
        if target.status not in CLOSED_STATUSES:
            raise PermissionDenied(f"case {display_id(target.id)} is {target.status}; only a resolved or "
                                   f"won't-fix case has a resolution to review")
        maker = resolution_maker(s, target.id)
        if maker == actor:
            raise PermissionDenied(f"{actor} resolved case {display_id(target.id)} and may not review it "
                                   f"(maker-checker)")
        review = Review(case_id=target.id, decision="approved" if approve else "rejected",
                        comment=comment, reviewer=actor)
        s.add(review)
        before = {"status": target.status, "resolved_by": maker}
        if not approve:
            target.status = "investigating"
        s.flush()
        ev = audit.record(s, actor, "resolution.approve" if approve else "resolution.reject",
                          case_id=target.id, case_key=target.case_key, entity=f"review:{review.id}",
                          before=before, after={"status": target.status, "decision": review.decision,
                                                "comment": comment})
        versions = guard.bump(s, [target])
    return Changes((target.id,), versions, None, created_id=review.id, audit_seqs=(ev.seq,))


def _period(period: str) -> str:
    period = (period or "").strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise ValueError(f"period {period!r} is not YYYY-MM (e.g. 2026-10)")
    return period


def _period_case_ids(session, period: str) -> tuple[int, ...]:
    return tuple(session.execute(select(Case.id).where(Case.period == period).order_by(Case.id)).scalars())


def signoff_period(workbook, period: str, *, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    period = _period(period)
    with guard.transaction(workbook) as s:
        roles.require(s, actor, roles.SIGNOFF)
        if period in guard.locked_periods(s):
            raise PeriodLocked(f"period {period} is already signed off")
        row = PeriodSignoff(period=period, signed_by=actor, signed_at=datetime.now(UTC))
        s.add(row)
        s.flush()
        ids = _period_case_ids(s, period)
        ev = audit.record(s, actor, "period.signoff", entity=f"period:{period}",
                          after={"period": period, "cases": len(ids)})
    return Changes(ids, {}, None, created_id=row.id, audit_seqs=(ev.seq,))


def reopen_period(workbook, period: str, *, reason: str, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    period = _period(period)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("reopening a signed-off period needs a reason")
    with guard.transaction(workbook) as s:
        roles.require(s, actor, roles.SIGNOFF)
        row = s.execute(select(PeriodSignoff).where(PeriodSignoff.period == period,
                                                    PeriodSignoff.reopened_at.is_(None))).scalars().first()
        if row is None:
            raise ValueError(f"period {period} is not signed off")
        row.reopened_by, row.reopened_at, row.reopen_reason = actor, datetime.now(UTC), reason
        ev = audit.record(s, actor, "period.reopen", entity=f"period:{period}",
                          before={"period": period, "signed_by": row.signed_by},
                          after={"period": period, "reason": reason})
        ids = _period_case_ids(s, period)
    return Changes(ids, {}, None, audit_seqs=(ev.seq,))


def set_role(workbook, user: str, role: str, *, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    user = (user or "").strip()
    if not user:
        raise ValueError("give the user name whose role to set")
    with guard.transaction(workbook) as s:
        roles.check_can_set_role(s, actor, user, role)
        row = s.get(UserRole, user)
        old = row.role if row else None
        if old == role:
            return Changes()
        if row is None:
            s.add(UserRole(user=user, role=role))
        else:
            row.role = role
        ev = audit.record(s, actor, "role.set", entity=f"user:{user}", before={"user": user, "role": old},
                          after={"user": user, "role": role})
    inverse = Op("set_role", {"user": user, "role": old or roles.DEFAULT_ROLE}, "restore role")
    return Changes((), {}, inverse, audit_seqs=(ev.seq,))
