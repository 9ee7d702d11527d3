"""The five-question checklist: integration fault or process fault, answered from the data.

Each answer carries its numbers and the way it points; three or more answers one way give the
verdict, otherwise it stays undetermined.
"""

from __future__ import annotations

import pandas as pd

from workbench.core.insights.frame import PLACEHOLDER
from workbench.core.insights.model import INTEGRATION, PROCESS, Answer

CONCENTRATION_ATTRIBUTES = ("agent", "channel", "amount_band", "category")
AMOUNT_SYMPTOMS = ("amount_mismatch", "partial_receipt", "rounding")
SAME_MAGNITUDE = 0.01   # p90 - p10 of the relative difference (one percentage point)


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.0f} %" if whole else "0 %"


def repeats_for_order_type(g: pd.DataFrame) -> Answer:
    q = "Does it repeat for the same order type?"
    top = g["channel"].value_counts()
    channel, n = top.index[0], int(top.iloc[0])
    weeks = g.loc[g["channel"] == channel, "fault_day"].dt.to_period("W").nunique()
    if n >= 3 and weeks >= 2:
        return Answer(q, f"yes: {n} of {len(g)} ({_pct(n, len(g))}) on {channel} orders, in {weeks} "
                         "different weeks", INTEGRATION)
    return Answer(q, f"no: at most {n} occurrence(s) on one order type ({channel}), in {weeks} week(s)", PROCESS)


def made_by_hand(g: pd.DataFrame) -> Answer:
    q = "Was any record edited or created by hand?"
    n = int(g["manual"].sum())
    if n * 2 >= len(g):
        return Answer(q, f"yes: {n} of {len(g)} ({_pct(n, len(g))}) have a record keyed by hand "
                         "(ERP or processor record with no portal return, or marked Manual)", PROCESS)
    return Answer(q, f"no: {n} of {len(g)} ({_pct(n, len(g))}) have a hand-made record", INTEGRATION)


def concentration(g: pd.DataFrame, population: pd.DataFrame, exclude: str | None) -> Answer:
    q = "Uniform across amounts and categories, or concentrated in one agent, channel or amount band?"
    best = None
    for attr in CONCENTRATION_ATTRIBUTES:
        if attr == exclude:
            continue
        counts = g[attr][g[attr] != PLACEHOLDER].value_counts()
        if counts.empty:
            continue
        value, n = counts.index[0], int(counts.iloc[0])
        share = n / len(g)
        base = float((population[attr] == value).mean()) or 1e-9
        lift = share / base
        if n >= 3 and share >= 0.7 and lift >= 2.0 and (best is None or lift > best[4]):
            best = (attr, value, n, share, lift, base)
    if best is not None:
        attr, value, n, share, lift, base = best
        return Answer(q, f"concentrated: {attr} {value} holds {n} of {len(g)} ({share * 100:.0f} %) "
                         f"against {base * 100:.1f} % of all returns ({lift:.1f}x)", PROCESS)
    return Answer(q, "uniform: no agent, channel, amount band or category holds 70 % of it at twice "
                     "its share of all returns", INTEGRATION)


def immediate_or_delayed(g: pd.DataFrame, window_hours: int) -> Answer:
    q = "Does it appear immediately or after a delay?"
    lag = g["lag_hours"].dropna()
    lag = lag[lag >= 0]
    if lag.empty:
        return Answer(q, "not answerable: no portal approval to measure from", None)
    median = float(lag.median())
    if median <= window_hours:
        return Answer(q, f"immediately: median {median:.0f} h after approval, inside the "
                         f"{window_hours} h latency window ({len(lag)} measured)", INTEGRATION)
    return Answer(q, f"after a delay: median {median:.0f} h after approval, beyond the {window_hours} h "
                     f"latency window ({len(lag)} measured)", PROCESS)


def relative_delta_spread(g: pd.DataFrame) -> tuple[pd.Series, float, float] | None:
    """For amount symptoms with 3+ measured occurrences: (relative deltas, median, p90 - p10).
    A spread of at most SAME_MAGNITUDE means the same relative difference every time."""
    rel = g["relative_delta"].dropna()
    if g["symptom"].iloc[0] not in AMOUNT_SYMPTOMS or len(rel) < 3:
        return None
    return rel, float(rel.median()), float(rel.quantile(0.9) - rel.quantile(0.1))


def reproducible(g: pd.DataFrame) -> Answer:
    q = "Is it reproducible (the same pattern on every occurrence)?"
    measured = relative_delta_spread(g)
    if measured is not None:
        rel, median, spread = measured
        if spread <= SAME_MAGNITUDE:
            return Answer(q, f"yes: the amount differs by {median * 100:+.2f} % on every occurrence "
                             f"(spread {spread * 100:.2f} points over {len(rel)})", INTEGRATION)
        return Answer(q, f"no: the difference varies from {rel.quantile(0.1) * 100:+.1f} % to "
                         f"{rel.quantile(0.9) * 100:+.1f} % of the amount", PROCESS)
    hours = g["hour"].dropna()
    if len(hours) >= 3:
        top = hours.value_counts()
        share = float(top.iloc[0]) / len(hours)
        if share >= 0.6:
            return Answer(q, f"yes: {int(top.iloc[0])} of {len(hours)} ({share * 100:.0f} %) happen in the "
                             f"same hour ({int(top.index[0]):02d}:00 business time)", INTEGRATION)
        return Answer(q, f"no: spread over {hours.nunique()} hours of the day; the most common holds "
                         f"{share * 100:.0f} %", PROCESS)
    return Answer(q, f"not answerable: {len(g)} occurrence(s) are too few", None)


def answer_checklist(g: pd.DataFrame, population: pd.DataFrame, window_hours: int,
                     focus: str | None) -> tuple[str, list[Answer]]:
    answers = [repeats_for_order_type(g), made_by_hand(g), concentration(g, population, focus),
               immediate_or_delayed(g, window_hours), reproducible(g)]
    pts = [a.points_to for a in answers]
    if pts.count(INTEGRATION) >= 3:
        return INTEGRATION, answers
    if pts.count(PROCESS) >= 3:
        return PROCESS, answers
    return "undetermined", answers
