"""What the resolution log carries of the pattern analysis: the structural-problem flags for
the (sealed) Summary sheet, and plain tables behind the charts of the XLSX Insights sheet."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.core.insights import analyse
from workbench.core.store.database import Workbook


@dataclass
class ExportInsights:
    flags: list[dict]                                   # {"flag": ..., "detail": ...}
    rate_header: list[str] = field(default_factory=list)
    rate_rows: list[list] = field(default_factory=list)     # week start, % per symptom
    boundary_rows: list[list] = field(default_factory=list)  # boundary, cases
    lag_rows: list[list] = field(default_factory=list)       # bin start h, processor refunds, ERP postings
    cluster_rows: list[list] = field(default_factory=list)
    latency_window_hours: int = 72

    CLUSTER_HEADER = ("Cluster", "Findings", "Lift", "Verdict", "Integration answers", "Process answers",
                      "Recurrence", "Failure layer")


def export_summary(workbook: Workbook) -> ExportInsights:
    result = analyse(workbook)
    flags = [{"flag": f"structural: {f.symptom} at {f.boundary}", "detail": f.text} for f in result.structural]
    flags += [{"flag": f"recurs after adjustment: {r.symptom}", "detail": r.text}
              for r in result.recurrence_after_adjustment]
    out = ExportInsights(flags=flags, latency_window_hours=result.latency_window_hours)
    rates = result.rate_by_period
    if not rates.empty:
        out.rate_header = ["Week", *[str(c) for c in rates.columns]]
        out.rate_rows = [[idx.date(), *[float(v) for v in row]] for idx, row in rates.iterrows()]
    out.boundary_rows = [[b, int(n)] for b, n in sorted(result.by_boundary.items(), key=lambda kv: -kv[1])]
    legs = {(lag.transaction_type, lag.leg): lag for lag in result.lag}
    proc = legs.get(("all", "approval -> processor refund"))
    erp = legs.get(("all", "approval -> ERP posting"))
    if proc or erp:
        bins = [b for b, _ in (proc or erp).histogram]
        pc = dict(proc.histogram) if proc else {}
        ec = dict(erp.histogram) if erp else {}
        out.lag_rows = [[b, pc.get(b, 0), ec.get(b, 0)] for b in bins]
    for c in result.clusters:
        integ, proc_votes = c.votes
        out.cluster_rows.append([c.label, c.count, c.lift, c.verdict, integ, proc_votes,
                                 c.recurrence.pattern if c.recurrence else "",
                                 c.recurrence.failure_layer if c.recurrence else ""])
    return out
