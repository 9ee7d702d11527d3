"""Lag from portal approval to processor refund and to ERP posting, per transaction type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.insights.model import LagStats

LEGS = (("processor_at", "approval -> processor refund"), ("erp_at", "approval -> ERP posting"))
BIN_HOURS = 6
MAX_BIN_HOURS = 240


def _stats(hours: pd.Series, kind: str, leg: str, window: int) -> LagStats | None:
    hours = hours.dropna()
    hours = hours[hours >= 0]
    if len(hours) < 2:
        return None
    p10, p25, p50, p75, p90 = (float(hours.quantile(q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9))
    spread = (p75 - p25) / max(p50, 1.0)
    edges = np.arange(0, MAX_BIN_HOURS + BIN_HOURS, BIN_HOURS)
    clipped = np.minimum(hours.to_numpy(), MAX_BIN_HOURS)
    counts, _ = np.histogram(clipped, bins=np.append(edges, MAX_BIN_HOURS + BIN_HOURS))
    return LagStats(kind, leg, int(len(hours)), round(p10, 1), round(p50, 1), round(p90, 1),
                    round(float(hours.max()), 1), round(float((hours > window).mean() * 100), 1),
                    "consistent" if spread <= 1.0 else "erratic",
                    tuple((float(e), int(c)) for e, c in zip(edges, counts)))


def lag_stats(cases: pd.DataFrame, window_hours: int) -> list[LagStats]:
    out: list[LagStats] = []
    have = cases[cases["portal_at"].notna()]
    for column, leg in LEGS:
        hours = (have[column] - have["portal_at"]).dt.total_seconds() / 3600.0
        for kind, sub in [("all", hours), *((k, hours[have["channel"] == k]) for k in sorted(have["channel"].unique()))]:
            stats = _stats(sub, kind, leg, window_hours)
            if stats is not None:
                out.append(stats)
    return out
