"""Records with no return behind them (refunds at the terminal, credits keyed by hand, connector
credits for returns that do not exist) and the record ids every file writes."""

from __future__ import annotations

import numpy as np

from workbench.core.demo import rates as R
from workbench.core.demo.model import Plan, draw_amounts, spread_times, uniform
from workbench.core.demo.text import join, random_ids, s
from workbench.core.demo.timeline import HOUR, NONE, avoid_ambiguous, floor_minute, local_naive, local_to_utc


def add_extras(rng, plan: Plan, rates: R.Rates, n_per_month: int, pool: int) -> None:
    months = len(plan.periods)
    n = plan.n
    first, last = int(plan.bounds[0]), plan.as_of - HOUR

    def times(k, store_hours=False):
        if plan.insights:
            t = spread_times(rng, k, first, last)
        else:
            t = uniform(rng, k, first, last)
        if store_hours:                 # keyed in by staff: same day, during opening hours
            t = _at_store_hours(rng, t, plan.tz)
        return floor_minute(np.minimum(t, last))

    k = max(1, round(n * rates.manual_processor))
    plan.mp_t, plan.mp_amount = times(k, store_hours=True), draw_amounts(rng, k, any_cents=True)
    k = max(1, round(n * rates.manual_erp))
    me_t, me_amount = times(k, store_hours=True), draw_amounts(rng, k)
    me_agent = rng.integers(1 if plan.insights else 0, 6, k)
    jdoe = np.zeros(k, bool)
    if plan.insights:
        kj = max(1, round(n_per_month * rates.extra["jdoe_manual_under_50"]))
        month = np.repeat(np.arange(months), kj)
        jt = np.concatenate([spread_times(rng, kj, int(plan.bounds[m]), int(plan.bounds[m + 1]))
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
    plan.or_amount = draw_amounts(rng, k, any_cents=True)
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
