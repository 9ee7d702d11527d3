"""The demo's simulated truth as numpy columns: the Plan, its codes and small draw helpers.

Times are int64 UTC seconds (-1 = none); money is integer minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.core.demo.timeline import NONE  # noqa: F401  (re-exported for the writers)

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


def uniform(rng, n, low, high) -> np.ndarray:
    return (low + rng.random(n) * (high - low)).astype(np.int64)


def draw_amounts(rng, n, any_cents: bool = False) -> np.ndarray:
    dollars = np.clip(np.exp(rng.normal(np.log(62.0), 0.75, n)), 8.0, 900.0)
    cents = (dollars * 100).astype(np.int64)
    # many prices end in .99 / .00 / .50, the rest are any cents
    ending = rng.choice([99, 0, 50, -1], size=n, p=[0.45, 0.15, 0.1, 0.3])
    if any_cents:
        ending[:] = -1
    return np.where(ending >= 0, (cents // 100) * 100 + ending, cents).clip(800)


def spread(rng, candidates: np.ndarray, rate: float) -> np.ndarray:
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


def spread_times(rng, k: int, first: int, last: int) -> np.ndarray:
    """k instants evenly spread over [first, last) with jitter within each slot."""
    slot = (last - first) / max(k, 1)
    return (first + (np.arange(k) + rng.random(k)) * slot).astype(np.int64)


def fee_options(amount: np.ndarray) -> np.ndarray:
    """Every fee the default restocking schedule explains, per amount: shape (n, 7)."""
    a = np.asarray(amount, dtype=np.int64)[:, None]
    pct = (a * np.array(FEE_PERCENTS) + 50) // 100          # half up, exact on integers
    flat = np.broadcast_to(np.array(FEE_FLATS), (len(a), len(FEE_FLATS)))
    return np.concatenate([pct, flat], axis=1)
