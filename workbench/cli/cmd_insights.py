"""`workbench insights --db DB [--json]`: clusters, verdicts, structural flags, recurrence, lag."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from workbench.cli.common import add_db, open_db


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("insights", help="patterns across cases: integration or process, recurrence, structural debt",
                       description="Analyse every period in the workbook: pattern clusters with an "
                                   "integration-or-process verdict (five-question checklist with numbers), "
                                   "recurrence and the failure layer it points to, structural integration "
                                   "debt (above the threshold in a rolling 30-day window), and lag.")
    add_db(p)
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.add_argument("--all", action="store_true", help="also list clusters below 3 findings")
    p.set_defaults(handler=run)


def _as_json(result) -> str:
    data = {
        "returns": result.returns, "findings": result.findings,
        "threshold_pct": result.threshold_pct, "latency_window_hours": result.latency_window_hours,
        "structural": [asdict(f) | {"text": f.text} for f in result.structural],
        "recurrence_after_adjustment": [asdict(r) | {"text": r.text} for r in result.recurrence_after_adjustment],
        "clusters": [asdict(c) | {"label": c.label} for c in result.clusters],
        "lag": [asdict(lag) for lag in result.lag],
        "by_boundary": result.by_boundary,
    }
    return json.dumps(data, indent=2, default=str)


def run(args: argparse.Namespace) -> int:
    from workbench.core.insights import analyse

    workbook = open_db(args)
    try:
        result = analyse(workbook)
    finally:
        workbook.close()
    if args.json:
        print(_as_json(result))
        return 0
    print(f"{result.returns} returns, {result.findings} findings "
          f"(structural threshold {result.threshold_pct:g} % in 30 days)\n")
    if result.structural:
        for flag in result.structural:
            print(f"!! {flag.text}")
    else:
        print("No pattern above the structural threshold.")
    for rec in result.recurrence_after_adjustment:
        print(f"!! {rec.text}")
    print("\nClusters")
    for c in result.clusters:
        if c.count < 3 and not args.all:
            continue
        integ, proc = c.votes
        lift = f", {c.lift}x its share of all returns" if c.lift else ""
        print(f"\n* {c.label}: {c.count} finding(s){lift}")
        print(f"  verdict: {c.verdict.upper()} ({integ} answers integration, {proc} process)")
        for a in c.answers:
            print(f"  - {a.question} {a.answer}" + (f"  -> {a.points_to}" if a.points_to else ""))
        if c.recurrence:
            print(f"  recurrence: {c.recurrence.pattern} -> {c.recurrence.failure_layer} ({c.recurrence.evidence})")
    print("\nLag (hours from portal approval)")
    print(f"  {'type':<10} {'leg':<30} {'n':>6} {'p10':>6} {'p50':>6} {'p90':>6} {'>window':>8}  shape")
    for lag in result.lag:
        print(f"  {lag.transaction_type:<10} {lag.leg:<30} {lag.count:>6} {lag.p10_hours:>6.1f} {lag.p50_hours:>6.1f} "
              f"{lag.p90_hours:>6.1f} {lag.beyond_window_pct:>7.1f}%  {lag.consistency}")
    print(f"  (latency window {result.latency_window_hours} h)")
    return 0
