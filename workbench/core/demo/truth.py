"""Ground truth: what the diagnosis rules (issue 4, default settings) say about every planted
return, evaluated on the true links. Written to truth.csv beside the demo files.

The rules are applied to the generated events, not copied from the planted roles, so
interactions come out right by construction: a missing-handoff return approved inside the
latency window is `timing_latency`; a drifted reference on a partial receipt carries both
`id_linkage` and `partial_receipt`; a healthy refund and credit memo that happen to straddle
the month end are `period_cutoff`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.demo.model import (NONE, REF_OK, ST_CLOSED, ST_OPEN, TK_NEW, TK_OPEN,
                                      TK_PENDING, Plan, fee_options)
from workbench.core.demo.text import blank_where, join, s
from workbench.core.demo.timeline import HOUR, period_index

TRUTH_HEADER = ["truth_id", "portal_record_id", "processor_record_ids", "erp_record_ids",
                "support_record_ids", "symptoms"]
SYMPTOMS = ("missing_handoff", "timing_latency", "missing_disbursement", "id_linkage",
            "partial_receipt", "amount_mismatch", "rounding", "duplicate_event", "period_cutoff",
            "manual_bypass", "stale_ticket")
LATENCY_WINDOW = 72 * HOUR
STALE_AGE = 48 * HOUR
ROUNDING_TOLERANCE = 5          # minor units (0.05)


def return_symptoms(plan: Plan) -> dict[str, np.ndarray]:
    """Boolean column per symptom code over the returns."""
    as_of = plan.as_of
    approved_ok = np.isin(plan.state, (ST_CLOSED, ST_OPEN)) & ~plan.exchange
    refunded = (plan.state == ST_CLOSED) & ~plan.exchange
    in_window = (as_of - plan.approved) < LATENCY_WINDOW
    has_p = plan.proc_t != NONE
    has_e = plan.erp_t != NONE
    out: dict[str, np.ndarray] = {}
    out["missing_handoff"] = approved_ok & has_p & ~has_e & ~in_window
    out["timing_latency"] = approved_ok & (~has_p | ~has_e) & in_window
    out["missing_disbursement"] = refunded & has_e & ~has_p & ~in_window
    out["id_linkage"] = has_e & (plan.ref_kind != REF_OK)
    diff = np.where(has_e, plan.amount - plan.erp_amount, 0)
    is_fee = (fee_options(plan.amount) == diff[:, None]).any(axis=1) & (diff > 0)
    out["partial_receipt"] = has_e & is_fee
    out["rounding"] = has_e & (diff != 0) & (np.abs(diff) <= ROUNDING_TOLERANCE) & ~is_fee
    out["amount_mismatch"] = has_e & (np.abs(diff) > ROUNDING_TOLERANCE) & ~is_fee
    out["duplicate_event"] = (plan.proc_dup_t != NONE) | (plan.erp_dup_t != NONE)
    out["period_cutoff"] = has_p & has_e & (period_index(plan.proc_t, plan.bounds)
                                            != period_index(plan.erp_t, plan.bounds))
    latest = np.stack([plan.proc_t, plan.proc_dup_t, plan.erp_t, plan.erp_dup_t]).max(axis=0)
    open_tk = np.isin(plan.tk_status, (TK_NEW, TK_OPEN, TK_PENDING)) & (plan.tk_created != NONE)
    out["stale_ticket"] = (open_tk & (latest != NONE) & (plan.tk_updated < latest)
                           & (as_of - latest > STALE_AGE))
    out["manual_bypass"] = np.zeros(plan.n, bool)
    return out


def _codes(flags: dict[str, np.ndarray], n: int) -> pa.Array:
    """Sorted codes joined by ';' ('' = clean)."""
    parts = [pc.if_else(pa.array(flags.get(code, np.zeros(n, bool))), code + ";", "")
             for code in sorted(SYMPTOMS)]
    return pc.utf8_rtrim(pc.binary_join_element_wise(*parts, ""), ";")


def truth_columns(plan: Plan) -> tuple[dict[str, pa.Array], dict[str, np.ndarray]]:
    """truth.csv as columns (returns, then manual Stripe refunds, manual credits, orphans)."""
    ids = plan.ids
    flags = return_symptoms(plan)
    n = plan.n
    has_p, has_pd = plan.proc_t != NONE, plan.proc_dup_t != NONE
    has_e, has_ed = plan.erp_t != NONE, plan.erp_dup_t != NONE
    proc = _join_present([(ids["re"], has_p), (ids["re_dup"], has_pd)])
    erp = _join_present([(ids["cm"], has_e), (ids["cm_dup"], has_ed)])
    support = blank_where(ids["ticket"], plan.tk_created == NONE)
    k_mp, k_me, k_or = len(plan.mp_t), len(plan.me_t), len(plan.or_t)
    empty = lambda k: pa.array([""] * k, type=pa.string())  # noqa: E731
    cols = {
        "portal_record_id": pa.concat_arrays([s(plan.rid), empty(k_mp + k_me + k_or)]),
        "processor_record_ids": pa.concat_arrays([proc, ids["re_manual"], empty(k_me + k_or)]),
        "erp_record_ids": pa.concat_arrays([erp, empty(k_mp), ids["cm_manual"], ids["cm_orphan"]]),
        "support_record_ids": pa.concat_arrays([support, empty(k_mp + k_me + k_or)]),
        "symptoms": pa.concat_arrays([
            _codes(flags, n),
            pa.array(["manual_bypass"] * (k_mp + k_me), type=pa.string()),
            pa.array(["id_linkage"] * k_or, type=pa.string()),
        ]),
    }
    total = n + k_mp + k_me + k_or
    cols = {"truth_id": join("T", pc.utf8_lpad(s(np.arange(1, total + 1)), 7, "0")), **cols}
    return cols, flags


def _join_present(pairs) -> pa.Array:
    """'a;b' from (ids, present) pairs; the first is present whenever a later one is."""
    parts = [pc.if_else(pa.array(mask), join(col, ";"), "") for col, mask in pairs]
    return pc.utf8_rtrim(pc.binary_join_element_wise(*parts, ""), ";")
