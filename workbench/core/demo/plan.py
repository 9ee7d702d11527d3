"""The simulated truth: every return and record as numpy columns, before any file is written.

`build_plan` draws a fictional retailer's returns month by month into a Plan (model.py), gives
each eligible return one planted role (rates.py) and schedules its downstream events (Stripe
refund, NetSuite credit memo, Zendesk ticket); asof.py then cuts everything off at the as-of
time (events after it have not happened yet, which is what makes recent returns
`timing_latency`) and extras.py adds the records with no return and assigns the record ids,
so the truth and the files agree. Times are int64 UTC seconds (-1 = none).
"""

from __future__ import annotations

import numpy as np

from workbench.core.demo import rates as R
from workbench.core.demo.asof import cut_off_at_as_of, keep_off_boundaries, ticket_times
from workbench.core.demo.extras import add_extras, assign_ids
from workbench.core.demo.model import (CONN_230, CONN_240, CONN_241, REF_BLANK, REF_KINDS, REF_NO_PREFIX,
                                       ST_CANCELLED, ST_CLOSED, ST_EXPIRED, Plan, draw_amounts, spread,
                                       uniform, fee_options, FEE_PERCENTS)
from workbench.core.demo.timeline import DAY, HOUR, NONE, floor_minute, month_bounds, times_in_months


def build_plan(n_per_month: int, months: int, start: str, seed: int, tz: str) -> Plan:
    if n_per_month < 1:
        raise ValueError("returns must be at least 1")
    rng = np.random.default_rng(seed)
    periods, bounds = month_bounds(start, months, tz)
    insights = months > 1
    rates = R.INSIGHTS if insights else R.DIAGNOSIS
    as_of = int(bounds[-1] + rates.as_of_after_end_hours * HOUR)
    n = n_per_month * months

    # --- returns: approval times, ids, customers, amounts --------------------------------
    month = np.repeat(np.arange(months), n_per_month)
    approved = np.sort(times_in_months(rng, month, bounds, tz))
    rid = 84214 + 2 * np.cumsum(rng.integers(1, 4, n))                  # even
    order_num = 1001 + 2 * np.cumsum(rng.integers(1, 3, n))             # odd: never a return id
    order_id = 5_800_000_000_000 + order_num * 1000 + rng.integers(0, 1000, n)
    pool = max(400, int(n * 0.7))
    cust = rng.integers(0, pool, n)
    value = draw_amounts(rng, n)
    kind = rng.random(n)
    exchange = kind < rates.exchange
    cancelled = (kind >= rates.exchange) & (kind < rates.exchange + rates.cancelled)
    amount = np.where(exchange, 0, value)
    channel = (rng.random(n) < 0.15).astype(np.int8)
    product = rng.integers(0, 5, n)
    eligible = ~exchange & ~cancelled

    # --- roles ------------------------------------------------------------------------------
    if insights:
        # evenly spread through time, so no 30-day window sees a chance cluster
        role = np.zeros(n, np.int8)
        for code, rate in rates.roles.items():
            role[spread(rng, eligible & (role == R.HEALTHY), rate)] = code
    else:
        # exact counts per role (a shuffled block each), so every seed has every symptom
        role = np.zeros(n, np.int8)
        order = rng.permutation(np.flatnonzero(eligible))
        start = 0
        for code, rate in rates.roles.items():
            k = int(round(rate * len(order)))
            role[order[start:start + k]] = code
            start += k
    spike = np.zeros(n, bool)
    if insights:
        lo, hi = rates.extra["spike_days"]
        m = 1
        in_spike = (approved >= bounds[m] + lo * DAY) & (approved < bounds[m] + hi * DAY)
        spike = in_spike & eligible & (role == R.HEALTHY) & (rng.random(n) < rates.extra["spike_missing_handoff"])
        role[spike] = R.MISSING_HANDOFF
    # stale tickets need a refund older than the stale age: only returns a week before as-of
    role[(role == R.STALE) & (approved > as_of - 7 * DAY)] = R.HEALTHY

    # planted month-end cut-off: approved on the last day, refund before midnight, ERP after
    cut = role == R.CUTOFF
    month_of = np.searchsorted(bounds, approved, side="right") - 1
    end_of = bounds[np.clip(month_of + 1, 0, months)]
    approved[cut] = end_of[cut] - uniform(rng, cut.sum(), 4 * HOUR, 11 * HOUR)

    # approved in the last days before as-of; the refund and credit follow after it
    late = role == R.LATENCY
    approved[late] = np.minimum(as_of - uniform(rng, late.sum(), 3 * HOUR, 62 * HOUR), bounds[-1] - 600)

    # --- processor refund -------------------------------------------------------------------
    lag = (HOUR + np.minimum(rng.gamma(1.5, 8 * HOUR, n), 47 * HOUR)).astype(np.int64)
    lag[role == R.STALE] = np.maximum(lag[role == R.STALE], 6 * HOUR)
    proc_t = approved + lag
    proc_t[cut] = end_of[cut] - uniform(rng, cut.sum(), 2 * 60, 58 * 60)
    proc_t[late] = np.where(rng.random(late.sum()) < 0.5, proc_t[late],
                            as_of + uniform(rng, late.sum(), HOUR, 40 * HOUR))
    proc_t = floor_minute(proc_t)
    refund_recorded = proc_t.copy()       # when the portal marked the refund (even if it failed)
    proc_t[~eligible | (role == R.MISSING_DISBURSEMENT)] = NONE
    proc_dup_t = np.full(n, NONE, np.int64)
    dup = role == R.PROC_DUP
    proc_dup_t[dup] = floor_minute(proc_t[dup] + uniform(rng, dup.sum(), 2 * 60, 30 * 60))

    # --- ERP credit memo --------------------------------------------------------------------
    if rates.erp_after_processor:
        erp_t = np.where(proc_t != NONE, proc_t + uniform(rng, n, 10 * 60, 2 * HOUR),
                         approved + uniform(rng, n, HOUR, 30 * HOUR))
    else:
        erp_t = approved + (HOUR + np.minimum(rng.gamma(2.0, 9 * HOUR, n), 59 * HOUR)).astype(np.int64)
    erp_t[cut] = end_of[cut] + uniform(rng, cut.sum(), 2 * 60, 58 * 60)
    erp_t[late] = as_of + uniform(rng, late.sum(), HOUR, 40 * HOUR)
    erp_t = floor_minute(erp_t)
    erp_t[~eligible | (role == R.MISSING_HANDOFF)] = NONE
    erp_dup_t = np.full(n, NONE, np.int64)
    dup = role == R.ERP_DUP
    erp_dup_t[dup] = floor_minute(erp_t[dup] + uniform(rng, dup.sum(), 5 * 60, 6 * HOUR))

    erp_amount = amount.copy()
    _plant_amounts(rng, role, amount, erp_amount)
    conn = np.where(rng.random(n) < 0.9, CONN_241, CONN_240).astype(np.int8)
    if insights:
        conn[:] = CONN_241
        fault = role == R.CONNECTOR_FAULT
        conn[fault] = CONN_230
        # a few of the old connector's records come through right
        clean = eligible & (role == R.HEALTHY) & (rng.random(n) < rates.roles[R.CONNECTOR_FAULT]
                                                  * rates.extra["connector_clean_share"])
        conn[clean] = CONN_230
    ref_kind = np.zeros(n, np.int8)
    if insights:
        drift = np.zeros(n, bool)
        drift[spread(rng, (erp_t != NONE) & (role != R.CONNECTOR_FAULT), rates.drift)] = True
    else:
        drift = (erp_t != NONE) & (rng.random(n) < rates.drift)
    ref_kind[drift] = rng.integers(1, len(REF_KINDS), drift.sum())
    # a blank reference is linkable only by customer + amount + time: keep its amount exact
    amount_roles = np.isin(role, (R.PARTIAL, R.MISMATCH, R.ROUNDING, R.CONNECTOR_FAULT))
    ref_kind[(ref_kind == REF_BLANK) & amount_roles] = REF_NO_PREFIX
    memo_re = (rng.random(n) < 0.6) & (ref_kind != REF_BLANK)

    # --- tickets ----------------------------------------------------------------------------
    has_tk = eligible & ((rng.random(n) < rates.ticket) | (role == R.STALE))
    tk_created = np.where(has_tk, approved + uniform(rng, n, 6 * 60, 24 * HOUR), NONE)
    stale = role == R.STALE
    gap = proc_t[stale] - approved[stale]
    tk_created[stale] = approved[stale] + (gap * (0.1 + 0.3 * rng.random(stale.sum()))).astype(np.int64)
    pending_after = has_tk & ~stale & (rng.random(n) < 0.15)

    plan = Plan(
        tz=tz, periods=periods, bounds=bounds, as_of=as_of, insights=insights,
        rid=rid, order_num=order_num, order_id=order_id, cust=cust, amount=amount, value=value,
        exchange=exchange, state=np.where(cancelled, np.where(rng.random(n) < 0.6, ST_CANCELLED,
                                                             ST_EXPIRED), ST_CLOSED).astype(np.int8),
        approved=approved, updated=refund_recorded, channel=channel, product=product, role=role,
        proc_t=proc_t, proc_dup_t=proc_dup_t, erp_t=erp_t, erp_dup_t=erp_dup_t,
        erp_amount=erp_amount, ref_kind=ref_kind, conn=conn, memo_re=memo_re,
        tk_created=tk_created, tk_updated=np.full(n, NONE, np.int64),
        tk_solved=np.full(n, NONE, np.int64), tk_status=np.zeros(n, np.int8),
        tk_has_rid=rng.random(n) < 0.7,
    )
    ticket_times(rng, plan, stale, pending_after)
    keep_off_boundaries(rng, plan)
    cut_off_at_as_of(rng, plan)
    add_extras(rng, plan, rates, n_per_month, pool)
    assign_ids(rng, plan)
    _check_unsigned_amounts(plan)
    return plan


def _check_unsigned_amounts(plan: Plan) -> None:
    """truth.py compares the signed plan amounts, while the files' readers take each amount's
    magnitude (Stripe writes refunds negative, NetSuite credits positive): the two agree only if
    every written refund and credit is above zero. A planted effect that breaks this is a bug."""
    checks = [
        ("credit memo", plan.erp_amount, (plan.erp_t != NONE) | (plan.erp_dup_t != NONE)),
        ("processor refund", plan.amount, (plan.proc_t != NONE) | (plan.proc_dup_t != NONE)),
        ("manual refund", plan.mp_amount, np.ones(len(plan.mp_amount), bool)),
        ("manual credit", plan.me_amount, np.ones(len(plan.me_amount), bool)),
        ("orphan credit", plan.or_amount, np.ones(len(plan.or_amount), bool)),
    ]
    for what, amounts, written in checks:
        bad = np.flatnonzero(written & (amounts <= 0))
        if len(bad):
            raise RuntimeError(f"demo plan: {len(bad)} {what} amount(s) not above zero "
                               f"(first: row {bad[0]}, {amounts[bad[0]]} minor units)")


def _plant_amounts(rng, role, amount, erp_amount) -> None:
    part = role == R.PARTIAL
    opts = fee_options(amount[part])
    choice = rng.integers(0, opts.shape[1], part.sum())
    # a flat fee must leave something to credit: one at or above a small refund would make the
    # credit memo zero or negative, and the files carry amounts unsigned (readers take the
    # magnitude), so the file would say something else than the truth. Those returns take the
    # percentage fee in the same slot (always below the amount); the draw stays the same.
    rows = np.arange(part.sum())
    too_big = opts[rows, choice] >= amount[part]
    choice[too_big] %= len(FEE_PERCENTS)
    erp_amount[part] = amount[part] - opts[rows, choice]
    rnd = role == R.ROUNDING
    erp_amount[rnd] = amount[rnd] + rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5], rnd.sum())
    mis = np.flatnonzero(role == R.MISMATCH)
    todo = mis
    for _ in range(20):
        if len(todo) == 0:
            break
        delta = (amount[todo] * rng.uniform(-0.45, 0.35, len(todo))).astype(np.int64)
        erp_amount[todo] = amount[todo] + delta
        diff = amount[todo] - erp_amount[todo]
        near_fee = (np.abs(fee_options(amount[todo]) - diff[:, None]) <= 50).any(axis=1)
        bad = (np.abs(diff) <= 100) | near_fee | (erp_amount[todo] <= 0)
        todo = todo[bad]
    fault = role == R.CONNECTOR_FAULT            # the old connector adds 8.25 % sales tax back
    erp_amount[fault] = amount[fault] + (amount[fault] * 825 + 5000) // 10000
