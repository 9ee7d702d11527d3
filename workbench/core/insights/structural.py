"""Structural threshold: a pattern above N % of returns in any rolling 30-day window is
structural integration debt, not an exception. Both counts are by the return's date (the
case's first event, business zone)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.insights.model import StructuralFlag

WINDOW_DAYS = 30
MIN_CASES = 3   # one or two broken returns are an exception, whatever the rate on a tiny sample


def _daily(days: pd.Series, index: pd.DatetimeIndex) -> np.ndarray:
    return days.value_counts().reindex(index, fill_value=0).to_numpy(dtype=np.int64)


def rolling_peak(case_days: pd.Series, pattern_days: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp, int, int, float] | None:
    """(start, end, pattern cases, returns, rate %) of the worst 30-day window."""
    case_days = case_days.dropna()
    if case_days.empty:
        return None
    index = pd.date_range(case_days.min(), case_days.max(), freq="D")
    den = _daily(case_days, index)
    num = _daily(pattern_days.dropna(), index)
    width = min(WINDOW_DAYS, len(index))
    den_c = np.concatenate([[0], np.cumsum(den)])
    num_c = np.concatenate([[0], np.cumsum(num)])
    den_w = den_c[width:] - den_c[:-width]
    num_w = num_c[width:] - num_c[:-width]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(den_w > 0, num_w / den_w, 0.0)
    best = int(np.argmax(rate))
    return (index[best], index[best + width - 1], int(num_w[best]), int(den_w[best]), float(rate[best] * 100))


def structural_flags(findings: pd.DataFrame, cases: pd.DataFrame, threshold_pct: float) -> list[StructuralFlag]:
    flags: list[StructuralFlag] = []
    if findings.empty:
        return flags
    for (symptom, boundary), g in findings.groupby(["symptom", "boundary"], sort=True):
        days = g.drop_duplicates("case_id")["day"]
        peak = rolling_peak(cases["day"], days)
        if peak is None:
            continue
        start, end, n, den, rate = peak
        if rate > threshold_pct and n >= MIN_CASES:
            flags.append(StructuralFlag(symptom, boundary, start.date(), end.date(), n, den, round(rate, 2),
                                        threshold_pct))
    return sorted(flags, key=lambda f: -f.rate_pct)
