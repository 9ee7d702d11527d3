"""See the pattern, not only the case: clusters with an integration-or-process verdict,
recurrence, structural integration debt and lag, across every period in the workbook.

`analyse(workbook)` is the one entry point the CLI, the dashboard and the export use."""

from __future__ import annotations

import pandas as pd

from workbench.core.insights.clusters import build_clusters
from workbench.core.insights.frame import load_frame
from workbench.core.insights.lag import lag_stats
from workbench.core.insights.model import (
    Answer, Cluster, Insights, LagStats, Recurrence, RecurrenceAfterAdjustment, StructuralFlag,
)
from workbench.core.insights.recurrence import after_adjustments
from workbench.core.insights.structural import structural_flags
from workbench.core.jobs import Job, ensure_job
from workbench.core.settings import BusinessSettings
from workbench.core.store.database import Workbook

__all__ = ["Answer", "Cluster", "Insights", "LagStats", "Recurrence", "RecurrenceAfterAdjustment",
           "StructuralFlag", "analyse"]


def rate_by_week(findings: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """% of returns (by the return's week, business zone) carrying each symptom."""
    if cases.empty:
        return pd.DataFrame()
    week = cases["day"].dt.to_period("W").dt.start_time
    totals = week.value_counts().sort_index()
    if findings.empty:
        return pd.DataFrame(index=totals.index)
    f = findings.drop_duplicates(["case_id", "symptom"])
    fweek = f["day"].dt.to_period("W").dt.start_time
    counts = pd.crosstab(fweek, f["symptom"]).reindex(totals.index, fill_value=0)
    return (counts.div(totals, axis=0) * 100).round(2)


def analyse(workbook: Workbook, settings: BusinessSettings | None = None, job: Job | None = None) -> Insights:
    job = ensure_job(job)
    job.step(0.0, "Reading cases and findings")
    frame = load_frame(workbook, settings)
    job.check()
    job.step(0.5, "Analysing patterns")
    s = frame.settings
    threshold = float(s.structural_threshold_pct)
    findings, cases = frame.findings, frame.cases
    return Insights(
        returns=len(cases),
        findings=len(findings),
        clusters=build_clusters(findings, cases, s.latency_window_hours),
        structural=structural_flags(findings, cases, threshold),
        recurrence_after_adjustment=after_adjustments(findings, frame.adjustments),
        lag=lag_stats(cases, s.latency_window_hours),
        rate_by_period=rate_by_week(findings, cases),
        by_boundary=findings.drop_duplicates(["case_id", "boundary"])["boundary"].value_counts().to_dict()
        if not findings.empty else {},
        latency_window_hours=s.latency_window_hours,
        threshold_pct=threshold,
    )

