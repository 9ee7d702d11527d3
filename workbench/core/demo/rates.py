"""How often each failure is planted. Two profiles:

* DIAGNOSIS (one month): every symptom at a few % of returns, so per-symptom precision and
  recall can be measured on a 500-return month.
* INSIGHTS (several months): background failures below 1 % each, plus the planted
  cross-month patterns of patterns.py; only the planted structural pattern passes 2 % of
  returns in any rolling 30-day window.

Role probabilities are per eligible return (outcome refund, not cancelled); extras are
records with no return behind them, as a share of all returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# primary roles of a return (one each); overlays (reference drift) come on top
HEALTHY, MISSING_HANDOFF, MISSING_DISBURSEMENT, PARTIAL, MISMATCH, ROUNDING, \
    PROC_DUP, ERP_DUP, CUTOFF, STALE, CONNECTOR_FAULT, LATENCY = range(12)
ROLE_NAMES = ("healthy", "missing_handoff", "missing_disbursement", "partial_receipt",
              "amount_mismatch", "rounding", "duplicate_processor", "duplicate_erp",
              "period_cutoff", "stale_ticket", "connector_fault", "recent_approval")


@dataclass(frozen=True)
class Rates:
    roles: dict[int, float]
    drift: float                  # share of returns with an ERP record whose reference drifts
    manual_processor: float       # Stripe refunds with no return (terminal), share of returns
    manual_erp: float             # NetSuite credits by hand, share of returns
    orphan_erp: float             # connector credits pointing at a return that does not exist
    exchange: float = 0.03
    cancelled: float = 0.025
    ticket: float = 0.4
    as_of_after_end_hours: int = 9       # as-of = last month's end + this (business zone)
    erp_after_processor: bool = False    # ERP posts shortly after the refund (fewer natural cut-offs)
    extra: dict = field(default_factory=dict)


DIAGNOSIS = Rates(
    roles={MISSING_HANDOFF: 0.045, MISSING_DISBURSEMENT: 0.04, PARTIAL: 0.045, MISMATCH: 0.04,
           ROUNDING: 0.035, PROC_DUP: 0.025, ERP_DUP: 0.015, CUTOFF: 0.03, STALE: 0.065,
           LATENCY: 0.025},
    drift=0.07, manual_processor=0.015, manual_erp=0.02, orphan_erp=0.01,
)

INSIGHTS = Rates(
    roles={MISSING_HANDOFF: 0.005, MISSING_DISBURSEMENT: 0.005, PARTIAL: 0.006, MISMATCH: 0.002,
           ROUNDING: 0.006, PROC_DUP: 0.004, ERP_DUP: 0.002, CUTOFF: 0.004, STALE: 0.006,
           CONNECTOR_FAULT: 0.01},
    drift=0.006, manual_processor=0.0015, manual_erp=0.0015, orphan_erp=0.001,
    as_of_after_end_hours=48, erp_after_processor=True,
    extra={"jdoe_manual_under_50": 0.006, "spike_missing_handoff": 0.12,
           "spike_days": (4, 19), "connector_clean_share": 0.12},
)
