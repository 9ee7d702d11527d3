"""The simulated truth: every return and record as numpy columns, before any file is written.

`build_plan` draws a fictional retailer's returns month by month, gives each eligible return
one planted role (rates.py), schedules its downstream events (Stripe refund, NetSuite credit
memo, Zendesk ticket), then cuts everything off at the as-of time (events after it have not
happened yet, which is what makes recent returns `timing_latency`). Times are int64 UTC
seconds (-1 = none). Record ids are assigned here so the truth and the files agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.core.demo import rates as R
from workbench.core.demo.text import join, random_ids, s
from workbench.core.demo.timeline import (DAY, HOUR, NONE, avoid_ambiguous, floor_minute,
                                          local_naive, local_to_utc, month_bounds, times_in_months)

# drift kinds of an ERP Reference No. (0 = the LOOP-<id> convention)
REF_OK, REF_NO_PREFIX, REF_PADDED, REF_LOWER, REF_ORDER, REF_BLANK = range(6)
REF_KINDS = ("convention", "missing_prefix", "zero_padding", "lower_case", "order_number", "blank")
# ticket statuses
TK_NAMES = ("new", "open", "pending", "hold", "solved", "closed")
TK_NEW, TK_OPEN, TK_PENDING, TK_HOLD, TK_SOLVED, TK_CLOSED = range(6)
CONNECTORS = ("Loop NetSuite Connector 2.4.1", "Loop NetSuite Connector 2.4.0",
              "Loop NetSuite Connector 2.3.0", "Manual")
CONN_241, CONN_240, CONN_230, CONN_MANUAL = range(4)
STATES = ("closed", "open", "cancelled", "expired")
ST_CLOSED, ST_OPEN, ST_CANCELLED, ST_EXPIRED = range(4)
FEE_PERCENTS = (10, 15, 20, 25)
FEE_FLATS = (500, 750, 1000)


@dataclass
class Plan:
    tz: str
    periods: list[str]
    bounds: np.ndarray           # UTC seconds of each month's local midnight (+ the end)
    as_of: int
    insights: bool
    # --- returns (portal), one row each ---------------------------------------------------
    rid: np.ndarray
    order_num: np.ndarray
    order_id: np.ndarray
    cust: np.ndarray
    amount: np.ndarray           # approved refund, minor units (0 for exchanges)
    value: np.ndarray            # return value (total)
    exchange: np.ndarray
    state: np.ndarray
    approved: np.ndarray
    updated: np.ndarray
    channel: np.ndarray          # 0 online, 1 pos
    product: np.ndarray
    role: np.ndarray
    # processor refund (live + duplicate)
    proc_t: np.ndarray
    proc_dup_t: np.ndarray
    # ERP credit memo (live + duplicate)
    erp_t: np.ndarray
    erp_dup_t: np.ndarray
    erp_amount: np.ndarray
    ref_kind: np.ndarray
    conn: np.ndarray
    memo_re: np.ndarray
    # ticket
    tk_created: np.ndarray
    tk_updated: np.ndarray
    tk_solved: np.ndarray
    tk_status: np.ndarray
    tk_has_rid: np.ndarray
    # --- records with no return behind them -----------------------------------------------
    mp_t: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # Stripe by hand
    mp_amount: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    me_t: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # NetSuite by hand
    me_amount: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    me_agent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    me_cust: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    me_channel: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    me_jdoe_pattern: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    or_t: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # orphan credits
    or_amount: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    or_rid: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    or_cust: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # --- ids (assigned by assign_ids) -------------------------------------------------------
    ids: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.rid)


def _uniform(rng, n, low, high) -> np.ndarray:
    return (low + rng.random(n) * (high - low)).astype(np.int64)


def _amounts(rng, n, any_cents: bool = False) -> np.ndarray:
    dollars = np.clip(np.exp(rng.normal(np.log(62.0), 0.75, n)), 8.0, 900.0)
    cents = (dollars * 100).astype(np.int64)
    # many prices end in .99 / .00 / .50, the rest are any cents
    ending = rng.choice([99, 0, 50, -1], size=n, p=[0.45, 0.15, 0.1, 0.3])
    if any_cents:
        ending[:] = -1
    return np.where(ending >= 0, (cents // 100) * 100 + ending, cents).clip(800)


def _spread(rng, candidates: np.ndarray, rate: float) -> np.ndarray:
    """Indices of about `rate` of all rows, evenly spaced in row (= time) order, each moved to
    the next candidate row; a random phase keeps seeds apart."""
    n = len(candidates)
    if rate <= 0 or not candidates.any():
        return np.zeros(0, np.int64)
    step = 1.0 / rate
    picks = (rng.random() * step + np.arange(0, n, step)).astype(np.int64)
    picks = picks[picks < n]
    cand = np.flatnonzero(candidates)
    pos = np.searchsorted(cand, picks)
    return np.unique(cand[pos[pos < len(cand)]])


def _spread_times(rng, k: int, first: int, last: int) -> np.ndarray:
    """k instants evenly spread over [first, last) with jitter within each slot."""
    slot = (last - first) / max(k, 1)
    return (first + (np.arange(k) + rng.random(k)) * slot).astype(np.int64)


def fee_options(amount: np.ndarray) -> np.ndarray:
    """Every fee the default restocking schedule explains, per amount: shape (n, 7)."""
    a = np.asarray(amount, dtype=np.int64)[:, None]
    pct = (a * np.array(FEE_PERCENTS) + 50) // 100          # half up, exact on integers
    flat = np.broadcast_to(np.array(FEE_FLATS), (len(a), len(FEE_FLATS)))
    return np.concatenate([pct, flat], axis=1)


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
    value = _amounts(rng, n)
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
            role[_spread(rng, eligible & (role == R.HEALTHY), rate)] = code
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
    approved[cut] = end_of[cut] - _uniform(rng, cut.sum(), 4 * HOUR, 11 * HOUR)

    # approved in the last days before as-of; the refund and credit follow after it
    late = role == R.LATENCY
    approved[late] = np.minimum(as_of - _uniform(rng, late.sum(), 3 * HOUR, 62 * HOUR), bounds[-1] - 600)

    # --- processor refund -------------------------------------------------------------------
    lag = (HOUR + np.minimum(rng.gamma(1.5, 8 * HOUR, n), 47 * HOUR)).astype(np.int64)
    lag[role == R.STALE] = np.maximum(lag[role == R.STALE], 6 * HOUR)
    proc_t = approved + lag
    proc_t[cut] = end_of[cut] - _uniform(rng, cut.sum(), 2 * 60, 58 * 60)
    proc_t[late] = np.where(rng.random(late.sum()) < 0.5, proc_t[late],
                            as_of + _uniform(rng, late.sum(), HOUR, 40 * HOUR))
    proc_t = floor_minute(proc_t)
    refund_recorded = proc_t.copy()       # when the portal marked the refund (even if it failed)
    proc_t[~eligible | (role == R.MISSING_DISBURSEMENT)] = NONE
    proc_dup_t = np.full(n, NONE, np.int64)
    dup = role == R.PROC_DUP
    proc_dup_t[dup] = floor_minute(proc_t[dup] + _uniform(rng, dup.sum(), 2 * 60, 30 * 60))

    # --- ERP credit memo --------------------------------------------------------------------
    if rates.erp_after_processor:
        erp_t = np.where(proc_t != NONE, proc_t + _uniform(rng, n, 10 * 60, 2 * HOUR),
                         approved + _uniform(rng, n, HOUR, 30 * HOUR))
    else:
        erp_t = approved + (HOUR + np.minimum(rng.gamma(2.0, 9 * HOUR, n), 59 * HOUR)).astype(np.int64)
    erp_t[cut] = end_of[cut] + _uniform(rng, cut.sum(), 2 * 60, 58 * 60)
    erp_t[late] = as_of + _uniform(rng, late.sum(), HOUR, 40 * HOUR)
    erp_t = floor_minute(erp_t)
    erp_t[~eligible | (role == R.MISSING_HANDOFF)] = NONE
    erp_dup_t = np.full(n, NONE, np.int64)
    dup = role == R.ERP_DUP
    erp_dup_t[dup] = floor_minute(erp_t[dup] + _uniform(rng, dup.sum(), 5 * 60, 6 * HOUR))

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
        drift[_spread(rng, (erp_t != NONE) & (role != R.CONNECTOR_FAULT), rates.drift)] = True
    else:
        drift = (erp_t != NONE) & (rng.random(n) < rates.drift)
    ref_kind[drift] = rng.integers(1, len(REF_KINDS), drift.sum())
    # a blank reference is linkable only by customer + amount + time: keep its amount exact
    amount_roles = np.isin(role, (R.PARTIAL, R.MISMATCH, R.ROUNDING, R.CONNECTOR_FAULT))
    ref_kind[(ref_kind == REF_BLANK) & amount_roles] = REF_NO_PREFIX
    memo_re = (rng.random(n) < 0.6) & (ref_kind != REF_BLANK)

    # --- tickets ----------------------------------------------------------------------------
    has_tk = eligible & ((rng.random(n) < rates.ticket) | (role == R.STALE))
    tk_created = np.where(has_tk, approved + _uniform(rng, n, 6 * 60, 24 * HOUR), NONE)
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
    _ticket_times(rng, plan, stale, pending_after)
    _keep_off_boundaries(rng, plan)
    _cut_off_at_as_of(rng, plan)
    _extras(rng, plan, rates, n_per_month, pool)
    assign_ids(rng, plan)
    return plan


def _plant_amounts(rng, role, amount, erp_amount) -> None:
    part = role == R.PARTIAL
    opts = fee_options(amount[part])
    choice = rng.integers(0, opts.shape[1], part.sum())
    erp_amount[part] = amount[part] - opts[np.arange(part.sum()), choice]
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


def _max_event(plan: Plan, limit: int | None = None) -> np.ndarray:
    times = np.stack([plan.proc_t, plan.proc_dup_t, plan.erp_t, plan.erp_dup_t])
    if limit is not None:
        times = np.where(times > limit, NONE, times)
    return times.max(axis=0)


def _ticket_times(rng, plan: Plan, stale: np.ndarray, pending_after: np.ndarray) -> None:
    has = plan.tk_created != NONE
    latest = _max_event(plan)
    base = np.maximum(plan.tk_created, latest)
    solved = has & ~stale & ~pending_after
    plan.tk_solved[solved] = base[solved] + _uniform(rng, solved.sum(), 30 * 60, 30 * HOUR)
    plan.tk_updated[solved] = plan.tk_solved[solved]
    plan.tk_status[solved] = TK_SOLVED
    plan.tk_updated[pending_after] = base[pending_after] + _uniform(rng, pending_after.sum(), HOUR, 20 * HOUR)
    plan.tk_status[pending_after] = TK_PENDING
    gap = plan.proc_t[stale] - plan.tk_created[stale]
    plan.tk_updated[stale] = plan.tk_created[stale] + (gap * 0.3 * rng.random(stale.sum())).astype(np.int64)
    plan.tk_status[stale] = np.where(rng.random(stale.sum()) < 0.5, TK_OPEN, TK_PENDING)


def _shift_return(plan: Plan, mask: np.ndarray, seconds: int) -> None:
    for name in ("approved", "updated", "proc_t", "proc_dup_t", "erp_t", "erp_dup_t",
                 "tk_created", "tk_updated", "tk_solved"):
        col = getattr(plan, name)
        col[mask & (col != NONE)] -= seconds


def _keep_off_boundaries(rng, plan: Plan) -> None:
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


def _cut_off_at_as_of(rng, plan: Plan) -> None:
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
    plan.tk_updated[unsolved] = plan.tk_created[unsolved] + _uniform(rng, unsolved.sum(), 0, 40 * 60)
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
    upd = plan.approved + _uniform(rng, plan.n, 60, 2 * HOUR)
    upd = np.where(recorded, np.where(plan.proc_t != NONE, plan.proc_t, plan.updated), upd)
    upd = np.where(~elig, plan.approved + _uniform(rng, plan.n, HOUR, 5 * DAY), upd)
    plan.updated = np.minimum(np.maximum(upd, plan.approved), t)


def _extras(rng, plan: Plan, rates: R.Rates, n_per_month: int, pool: int) -> None:
    months = len(plan.periods)
    n = plan.n
    first, last = int(plan.bounds[0]), plan.as_of - HOUR

    def times(k, store_hours=False):
        if plan.insights:
            t = _spread_times(rng, k, first, last)
        else:
            t = _uniform(rng, k, first, last)
        if store_hours:                 # keyed in by staff: same day, during opening hours
            t = _at_store_hours(rng, t, plan.tz)
        return floor_minute(np.minimum(t, last))

    k = max(1, round(n * rates.manual_processor))
    plan.mp_t, plan.mp_amount = times(k, store_hours=True), _amounts(rng, k, any_cents=True)
    k = max(1, round(n * rates.manual_erp))
    me_t, me_amount = times(k, store_hours=True), _amounts(rng, k)
    me_agent = rng.integers(1 if plan.insights else 0, 6, k)
    jdoe = np.zeros(k, bool)
    if plan.insights:
        kj = max(1, round(n_per_month * rates.extra["jdoe_manual_under_50"]))
        month = np.repeat(np.arange(months), kj)
        jt = np.concatenate([_spread_times(rng, kj, int(plan.bounds[m]), int(plan.bounds[m + 1]))
                             for m in range(months)])
        me_t = np.concatenate([me_t, floor_minute(np.minimum(_at_store_hours(rng, jt, plan.tz), last))])
        me_amount = np.concatenate([me_amount, rng.integers(800, 5000, len(month))])
        me_agent = np.concatenate([me_agent, np.zeros(len(month), np.int64)])
        jdoe = np.concatenate([jdoe, np.ones(len(month), bool)])
    plan.me_t = np.minimum(avoid_ambiguous(me_t, plan.tz), plan.as_of)
    plan.me_amount, plan.me_agent, plan.me_jdoe_pattern = me_amount, me_agent, jdoe
    plan.me_cust = pool + np.arange(len(me_t))
    plan.me_channel = np.where(jdoe | (rng.random(len(me_t)) < 0.6), 1, 0)
    k = max(1, round(n * rates.orphan_erp))
    plan.or_t = np.minimum(avoid_ambiguous(times(k), plan.tz), plan.as_of)
    plan.or_amount = _amounts(rng, k, any_cents=True)
    plan.or_rid = plan.rid.max() + 2 * rng.integers(5, 5000, k)
    plan.or_cust = pool + len(me_t) + np.arange(k)


def _at_store_hours(rng, t: np.ndarray, tz: str) -> np.ndarray:
    """The same local day, at a time between 10:00 and 19:00 in the business zone."""
    day = local_naive(t, tz).astype("datetime64[D]")
    sod = (10 * HOUR + rng.random(len(t)) * 9 * HOUR).astype(np.int64)
    return local_to_utc(day.astype("datetime64[s]") + sod, tz)


def assign_ids(rng, plan: Plan) -> None:
    """Record ids as the files write them: Stripe re_/txn_, NetSuite CM numbers, ticket ids."""
    ids = plan.ids
    n = plan.n
    ids["re"] = random_ids(rng, n, "re_")
    ids["re_dup"] = random_ids(rng, n, "re_")
    ids["re_manual"] = random_ids(rng, len(plan.mp_t), "re_")
    # NetSuite document numbers follow posting time across every credit memo
    groups = [plan.erp_t, plan.erp_dup_t, plan.me_t, plan.or_t]
    times = np.concatenate(groups)
    order = np.argsort(np.where(times == NONE, np.iinfo(np.int64).max, times), kind="stable")
    rank = np.empty(len(times), np.int64)
    rank[order] = np.arange(len(times))
    doc = join("CM", s(104233 + rank))
    internal = 2_200_000 + 3 * rank + 1
    start = 0
    for name, g in zip(("cm", "cm_dup", "cm_manual", "cm_orphan"), groups):
        ids[name] = doc.slice(start, len(g))
        ids[name + "_internal"] = internal[start:start + len(g)]
        start += len(g)
    tk = np.where(plan.tk_created == NONE, np.iinfo(np.int64).max, plan.tk_created)
    order = np.argsort(tk, kind="stable")
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    ids["ticket"] = s(40001 + rank)
