"""What has happened by the as-of time: ticket times, keeping returns off the latency and
stale-age boundaries, and cutting every event after the as-of away (which is what makes
recent returns `timing_latency`)."""

from __future__ import annotations

import numpy as np

from workbench.core.demo import rates as R
from workbench.core.demo.model import (ST_CANCELLED, ST_EXPIRED, ST_OPEN, TK_CLOSED, TK_NEW, TK_OPEN,
                                       TK_PENDING, TK_SOLVED, Plan, uniform)
from workbench.core.demo.timeline import DAY, HOUR, NONE, avoid_ambiguous


def _max_event(plan: Plan, limit: int | None = None) -> np.ndarray:
    times = np.stack([plan.proc_t, plan.proc_dup_t, plan.erp_t, plan.erp_dup_t])
    if limit is not None:
        times = np.where(times > limit, NONE, times)
    return times.max(axis=0)


def ticket_times(rng, plan: Plan, stale: np.ndarray, pending_after: np.ndarray) -> None:
    has = plan.tk_created != NONE
    latest = _max_event(plan)
    base = np.maximum(plan.tk_created, latest)
    solved = has & ~stale & ~pending_after
    plan.tk_solved[solved] = base[solved] + uniform(rng, solved.sum(), 30 * 60, 30 * HOUR)
    plan.tk_updated[solved] = plan.tk_solved[solved]
    plan.tk_status[solved] = TK_SOLVED
    plan.tk_updated[pending_after] = base[pending_after] + uniform(rng, pending_after.sum(), HOUR, 20 * HOUR)
    plan.tk_status[pending_after] = TK_PENDING
    gap = plan.proc_t[stale] - plan.tk_created[stale]
    plan.tk_updated[stale] = plan.tk_created[stale] + (gap * 0.3 * rng.random(stale.sum())).astype(np.int64)
    plan.tk_status[stale] = np.where(rng.random(stale.sum()) < 0.5, TK_OPEN, TK_PENDING)


def _shift_return(plan: Plan, mask: np.ndarray, seconds: int) -> None:
    for name in ("approved", "updated", "proc_t", "proc_dup_t", "erp_t", "erp_dup_t",
                 "tk_created", "tk_updated", "tk_solved"):
        col = getattr(plan, name)
        col[mask & (col != NONE)] -= seconds


def keep_off_boundaries(rng, plan: Plan) -> None:
    """No return sits within 90 minutes of the latency-window or stale-age boundary at as-of,
    and no wall time written without an offset falls in the repeated DST hour."""
    for name in ("erp_t", "erp_dup_t", "tk_created", "tk_updated", "tk_solved"):
        setattr(plan, name, avoid_ambiguous(getattr(plan, name), plan.tz))
    window_edge = plan.as_of - 72 * HOUR
    stale_edge = plan.as_of - 48 * HOUR
    cut = plan.role == R.CUTOFF
    for _ in range(4):
        latest = _max_event(plan, plan.as_of)
        near = (np.abs(plan.approved - window_edge) < 90 * 60) | (
            (latest != NONE) & (np.abs(latest - stale_edge) < 90 * 60))
        near &= ~cut
        if not near.any():
            break
        _shift_return(plan, near, 3 * HOUR)
    for name in ("erp_t", "erp_dup_t", "tk_created", "tk_updated", "tk_solved"):
        setattr(plan, name, avoid_ambiguous(getattr(plan, name), plan.tz))


def cut_off_at_as_of(rng, plan: Plan) -> None:
    """Events after the as-of time have not happened yet; the latest refund is the as-of."""
    t = plan.as_of
    for name in ("proc_t", "proc_dup_t", "erp_t", "erp_dup_t"):
        col = getattr(plan, name)
        col[col > t] = NONE
    plan.proc_dup_t[plan.proc_t == NONE] = NONE
    plan.erp_dup_t[plan.erp_t == NONE] = NONE
    # anchor: the latest healthy refund happens exactly at the as-of time
    cand = np.flatnonzero((plan.role == R.HEALTHY) & (plan.proc_t != NONE))
    if len(cand) == 0:
        cand = np.flatnonzero(plan.proc_t != NONE)
    if len(cand):
        plan.proc_t[cand[np.argmax(plan.proc_t[cand])]] = t
    # tickets
    gone = plan.tk_created > t
    plan.tk_created[gone] = NONE
    has = plan.tk_created != NONE
    unsolved = has & (plan.tk_solved > t)
    plan.tk_solved[unsolved] = NONE
    plan.tk_status[unsolved] = TK_OPEN
    plan.tk_updated[unsolved] = plan.tk_created[unsolved] + uniform(rng, unsolved.sum(), 0, 40 * 60)
    plan.tk_updated[has] = np.minimum(plan.tk_updated[has], t)
    new = unsolved & (plan.tk_updated == plan.tk_created)
    plan.tk_status[new] = TK_NEW
    closed = has & (plan.tk_solved != NONE) & (plan.tk_solved < t - 4 * DAY)
    plan.tk_status[closed] = TK_CLOSED
    # a memo can only quote a Stripe refund that exists and came first
    plan.memo_re &= (plan.proc_t != NONE) & (plan.proc_t <= plan.erp_t)
    plan.tk_updated[~has] = NONE
    plan.tk_solved[~has] = NONE
    # portal state: refunded (closed) once the refund is recorded, else open (approved)
    elig = ~plan.exchange & (plan.state != ST_CANCELLED) & (plan.state != ST_EXPIRED)
    recorded = elig & (((plan.proc_t != NONE)) | ((plan.role == R.MISSING_DISBURSEMENT)
                                                  & (plan.updated <= t)))
    plan.state[elig & ~recorded] = ST_OPEN
    upd = plan.approved + uniform(rng, plan.n, 60, 2 * HOUR)
    upd = np.where(recorded, np.where(plan.proc_t != NONE, plan.proc_t, plan.updated), upd)
    upd = np.where(~elig, plan.approved + uniform(rng, plan.n, HOUR, 5 * DAY), upd)
    plan.updated = np.minimum(np.maximum(upd, plan.approved), t)
