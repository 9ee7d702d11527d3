"""Recurrence: how a pattern comes back over the history of imports, the failure layer that
points to, and mismatches that come back after a manual adjustment fixed the same pattern."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from workbench.core.insights.checklist import AMOUNT_SYMPTOMS, SAME_MAGNITUDE, relative_delta_spread
from workbench.core.insights.model import Recurrence, RecurrenceAfterAdjustment

REAPPEAR_DAYS = 60


def _same_magnitude(g: pd.DataFrame) -> tuple[bool, str]:
    measured = relative_delta_spread(g)
    if measured is not None:
        _, median, spread = measured
        return spread <= SAME_MAGNITUDE, f"amount off by {median * 100:+.2f} % (spread {spread * 100:.2f} points)"
    per_period = g.groupby(g["fault_day"].dt.to_period("M")).size()
    if len(per_period) >= 2:
        cv = float(per_period.std(ddof=0) / per_period.mean())
        return cv <= 0.5, f"{', '.join(str(int(v)) for v in per_period)} per month (variation {cv:.2f})"
    return False, f"{len(g)} occurrence(s) in one month"


def _processor_clean(g: pd.DataFrame) -> float:
    both = g[g["processor_amount"].notna() & g["portal_amount"].notna()]
    return float((both["processor_amount"] == both["portal_amount"]).mean()) if len(both) else 0.0


def classify_recurrence(g: pd.DataFrame) -> Recurrence | None:
    if len(g) < 3:
        return None
    times = g["fault_at"].dropna().sort_values()
    hours = np.diff(times.astype("int64").to_numpy()) / 3.6e9 if len(times) > 1 else np.array([])
    median_gap = float(np.median(hours)) if len(hours) else float("nan")
    gap_cv = float(np.std(hours) / np.mean(hours)) if len(hours) and np.mean(hours) > 0 else float("nan")
    months = g["fault_day"].dt.to_period("M").nunique()
    month_end = float(g["last_day_of_month"].mean())
    same, magnitude = _same_magnitude(g)
    clean = _processor_clean(g)
    symptom = g["symptom"].iloc[0]
    erp_agrees = g["processor_amount"].notna() & (g["processor_amount"] == g["erp_amount"])
    if months >= 2 and month_end >= 0.7 and same:
        return Recurrence("monthly, same magnitude, processor agrees with ERP", "ERP posting rules",
                          f"{len(g)} occurrences in {months} months, {month_end * 100:.0f} % at a month end; "
                          f"{magnitude}; processor amount equals ERP in {erp_agrees.mean() * 100:.0f} %")
    if symptom in AMOUNT_SYMPTOMS and same and clean >= 0.8:
        return Recurrence("repeats with the same amount, processor record clean",
                          "portal-to-ERP field mapping",
                          f"{len(g)} occurrences, median {median_gap:.0f} h apart; {magnitude}; processor "
                          f"matches the portal in {clean * 100:.0f} %")
    if symptom == "stale_ticket":
        return Recurrence("immediate, support and finance see different states", "dual write",
                          f"{len(g)} tickets left open after the money moved, median {median_gap:.0f} h apart")
    if not np.isnan(gap_cv) and gap_cv > 1.0 and not same:
        return Recurrence("irregular intervals, varying amounts", "middleware event queue (dropped, reordered "
                          "or retried events)", f"{len(g)} occurrences, gaps vary (variation {gap_cv:.1f}, median "
                          f"{median_gap:.0f} h); {magnitude}")
    return Recurrence("no clear recurrence", "-", f"{len(g)} occurrences over {months} month(s); {magnitude}")


def after_adjustments(findings: pd.DataFrame, adjustments: pd.DataFrame) -> list[RecurrenceAfterAdjustment]:
    """A symptom/boundary pattern that reappears within 60 days after an adjusted occurrence.

    The reference time is the adjusted case's own fault time (when the mismatch happened and was
    then fixed by hand); later occurrences of the same pattern on other cases count."""
    out: list[RecurrenceAfterAdjustment] = []
    if adjustments.empty or findings.empty:
        return out
    adjusted_ids = set(adjustments["case_id"].astype(int))
    for (symptom, boundary), g in findings.groupby(["symptom", "boundary"], sort=True):
        fixed = g[g["case_id"].astype(int).isin(adjusted_ids)]
        if fixed.empty:
            continue
        ref = fixed["fault_at"].max()
        later = g[~g["case_id"].astype(int).isin(adjusted_ids) & (g["fault_at"] > ref)
                  & (g["fault_at"] <= ref + timedelta(days=REAPPEAR_DAYS))]
        if later.empty:
            continue
        first = later["fault_at"].min()
        out.append(RecurrenceAfterAdjustment(
            symptom, boundary, int(fixed["case_id"].nunique()), ref.date(), int(len(later)), first.date(),
            int((first - ref).total_seconds() // 86400)))
    return out
