"""patterns.json: the cross-month patterns planted for the insight engine (issue 7).

Each entry says what was planted and what the analysis should conclude: the symptom and its
boundary (as core/diagnose/catalog.py names it), the attribute that separates it (with the
column it is read from), the expected verdict (integration | process), whether it is
structural (> 2 % of returns in a rolling 30-day window), the months it appears in, and for
the recurring one the recurrence layer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.demo import rates as R
from workbench.core.demo.model import CONNECTORS, CONN_230, Plan


def planted_patterns(plan: Plan) -> list[dict]:
    if not plan.insights:
        return []
    months = list(plan.periods)
    lo, hi = R.INSIGHTS.extra["spike_days"]
    spike_month = plan.periods[1]
    return [
        {
            "name": "connector_2_3_0_amount_mismatch",
            "symptom": "amount_mismatch",
            "boundary": "WMS -> portal -> ERP",
            "attribute": "source_version", "system": "erp", "column": "Integration",
            "value": CONNECTORS[CONN_230],
            "expected_verdict": "integration", "expected_structural": False,
            "months": months,
            "detail": "ERP amount = portal amount + 8.25 % (the connector adds sales tax back) on "
                      "most of this version's credit memos, every agent, channel and amount, from "
                      "the first posting",
        },
        {
            "name": "jdoe_manual_credits_under_50",
            "symptom": "manual_bypass",
            "boundary": "WMS -> portal -> ERP",
            "attribute": "agent", "system": "erp", "column": "Created By", "value": "jdoe",
            "amount_below": "50.00",
            "expected_verdict": "process", "expected_structural": False,
            "months": months,
            "detail": "store credits keyed by hand in NetSuite (Integration Manual, Class Store) by "
                      "one agent, all below the 50.00 manager-approval threshold, no Loop return",
        },
        {
            "name": "month_end_cutoff_recurring",
            "symptom": "period_cutoff",
            "boundary": "processor -> ERP posting",
            "attribute": "hour", "system": "processor", "column": "Created (UTC)",
            "value": 23, "where": "processor refund hour in the business zone, last day of each month",
            "expected_verdict": "integration", "expected_structural": False,
            "months": months,
            "recurring": True, "recurs_after_adjustment": True,
            "recurrence": "monthly, same magnitude, processor agrees with ERP",
            "failure_layer": "ERP posting rules",
            "detail": "refunds in the last hour before month end are posted by NetSuite after "
                      "midnight, every month; adjusting last month's cases does not stop it",
        },
        {
            "name": "middleware_queue_outage",
            "symptom": "missing_handoff",
            "boundary": "portal -> ERP middleware",
            "attribute": "approved_at", "system": "portal", "column": "created_at",
            "value": f"{spike_month}-{lo + 1:02d}/{spike_month}-{hi:02d}",
            "window_start": f"{spike_month}-{lo + 1:02d}", "window_end": f"{spike_month}-{hi:02d}",
            "expected_verdict": "integration", "expected_structural": True,
            "months": [spike_month],
            "detail": "credit memos never created for refunded returns approved in a two-week "
                      "window: above 2 % of returns in every 30-day window that covers it",
        },
    ]


def write_patterns(plan: Plan, path: Path) -> Path:
    doc = {
        "months": list(plan.periods),
        "business_timezone": plan.tz,
        "as_of": datetime.fromtimestamp(plan.as_of, UTC).isoformat(),
        "structural_threshold_pct": 2,
        "patterns": planted_patterns(plan),
        "note": ("single-month demo: symptoms planted at diagnosis-test rates, no cross-month "
                 "patterns" if not plan.insights else
                 "every other symptom stays below 2 % of returns in any rolling 30-day window"),
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path
