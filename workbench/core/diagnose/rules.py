"""The symptom rules, as vectorised masks over the case facts, each with evidence in words and
numbers. Definitions (issue 4). The latency window closes at approval + window: a return
approved exactly 72 h before the as-of time is no longer inside a 72 h window (age < window is
inside). A ticket is stale only when the refund is *older* than the stale age (strictly). A
portal return counts once it is requested/approved/received/refunded with a non-zero amount
(Loop's 'open' state, imported as 'requested', is an approved return awaiting its refund;
exchanges carry no refund amount)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from workbench.core.diagnose.amounts import compare, explain_fee, tolerance_minor
from workbench.core.diagnose.catalog import CATALOG
from workbench.core.diagnose.text import hours, money, period_code, period_text, when
from workbench.core.settings import BusinessSettings

FINDING_COLUMNS = ("anchor", "symptom", "boundary", "fix_type", "scope", "cause", "evidence", "steps",
                   "systems", "fields", "window_closes_at", "amount_delta_minor")
PORTAL_LIVE = ("requested", "approved", "received", "refunded")
_LABEL = {"portal": "Portal", "processor": "Processor", "erp": "ERP"}


def _s(value: str, index: pd.Index) -> pd.Series:
    return pd.Series(value, index=index, dtype="string")


def _b(series) -> np.ndarray:
    return pd.Series(series).fillna(False).to_numpy(dtype=bool)


class _Findings:
    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.parts: list[pd.DataFrame] = []

    def add(self, code: str, mask, evidence: pd.Series, systems, fields: str,
            closes: pd.Series | None = None, delta: pd.Series | None = None) -> None:
        mask = _b(mask)
        if not mask.any():
            return
        idx = self.index[mask]
        info = CATALOG[code]
        if isinstance(systems, str):
            systems = _s(systems, self.index)
        frame = pd.DataFrame({
            "anchor": idx, "symptom": code, "boundary": info.boundary, "fix_type": info.fix_type,
            "scope": info.scope, "cause": info.cause,
            "evidence": evidence.reindex(idx).astype("string").to_numpy(),
            "steps": "\n".join(info.steps), "systems": systems.reindex(idx).astype("string").to_numpy(),
            "fields": fields,
            "window_closes_at": (closes.reindex(idx).to_numpy() if closes is not None
                                 else pd.Series(pd.NaT, index=idx, dtype="datetime64[us, UTC]").to_numpy()),
            "amount_delta_minor": (delta.reindex(idx).astype("Int64").to_numpy() if delta is not None
                                   else pd.array([pd.NA] * len(idx), dtype="Int64")),
        })
        self.parts.append(frame)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            out = pd.DataFrame({c: [] for c in FINDING_COLUMNS})
            out["window_closes_at"] = pd.Series([], dtype="datetime64[us, UTC]")
            out["amount_delta_minor"] = pd.Series([], dtype="Int64")
            return out
        out = pd.concat(self.parts, ignore_index=True)
        out["window_closes_at"] = pd.to_datetime(out["window_closes_at"], utc=True)
        out["amount_delta_minor"] = out["amount_delta_minor"].astype("Int64")
        return out[list(FINDING_COLUMNS)]


def diagnose(facts: pd.DataFrame, settings: BusinessSettings, as_of: datetime) -> pd.DataFrame:
    """One row per (case, symptom): FINDING_COLUMNS. `facts` from diagnose.facts.case_facts."""
    f = facts
    idx = f.index
    tz = settings.timezone
    as_of_ts = pd.Timestamp(as_of)
    window = pd.Timedelta(hours=settings.latency_window_hours)
    cur = f["currency"].fillna("USD")
    out = _Findings(idx)

    has_p = f["portal_rid"].notna()
    p_stage = f["portal_stage"]
    p_live = has_p & p_stage.isin(PORTAL_LIVE) & _b(f["portal_amount_minor"] > 0)
    approved = f["portal_approved_at"].fillna(f["portal_occurred_at"])
    age = as_of_ts - approved
    beyond = _b(age >= window)
    inside = ~beyond & _b(approved.notna())
    closes = approved + window
    has_x = f["processor_rid"].notna()
    x_stage = f["processor_stage"]
    x_refunded = has_x & (x_stage == "refunded")
    x_pending = has_x & (x_stage == "pending")
    has_e = f["erp_rid"].notna()
    e_stage = f["erp_stage"]
    e_credited = has_e & (e_stage == "credited")
    e_pending = has_e & (e_stage == "pending")
    p_amt = money(f["portal_amount_minor"], cur)
    x_amt = money(f["processor_amount_minor"], cur)
    e_amt = money(f["erp_amount_minor"], cur)
    approved_txt = when(approved, tz)
    age_txt = hours(age)
    w_txt = str(settings.latency_window_hours)

    # --- handoffs -------------------------------------------------------------------------
    mask = p_live & x_refunded & ~has_e & beyond
    ev = ("Portal approved " + p_amt + " on " + approved_txt + " and processor refunded " + x_amt
          + " (" + f["processor_record_id"].astype("string") + "), but ERP has no credit: " + age_txt
          + " h since approval, beyond the " + w_txt + " h window")
    out.add("missing_handoff", mask, ev, "erp", "record_id",
            delta=-f["processor_amount_minor"].astype("Int64"))

    x_gap = ~has_x | x_pending
    e_gap = ~has_e | e_pending
    mask = p_live & inside & (x_gap | e_gap)
    what = _s("", idx)
    what = what.where(~_b(~has_x), "processor refund missing")
    what = what.where(~_b(x_pending), "processor refund pending")
    e_what = _s("", idx).where(~_b(~has_e), "ERP credit missing").where(~_b(e_pending), "ERP credit pending")
    what = what.where(e_what == "", what.where(what == "", what + ", ") + e_what)
    systems = (_s("", idx).where(~_b(x_gap), "processor") + _s("", idx).where(~_b(x_gap & e_gap), ";")
               + _s("", idx).where(~_b(e_gap), "erp"))
    ev = (what.str.slice(0, 1).str.upper() + what.str.slice(1) + "; approved " + approved_txt + ", "
          + age_txt + " h ago, inside the " + w_txt + " h window (closes " + when(closes, tz) + ")")
    out.add("timing_latency", mask, ev, systems, "stage", closes=closes)

    mask = p_live & (p_stage == "refunded") & e_credited & ~x_refunded & beyond
    ev = ("Portal refunded " + p_amt + " and ERP credited " + e_amt + " ("
          + f["erp_record_id"].astype("string") + "), but the processor has no refund"
          + _s("", idx).where(~_b(has_x), " (its record is " + x_stage.astype("string").fillna("") + ")")
          + ": " + age_txt + " h since approval, beyond the " + w_txt + " h window")
    out.add("missing_disbursement", mask, ev, "processor", "record_id",
            delta=-f["portal_amount_minor"].astype("Int64"))

    # --- references -----------------------------------------------------------------------
    orphan = _b(f["erp_orphan_ref"])
    repaired = f["repaired_text"].astype("string")
    orphan_txt = ("ERP " + f["anchor_record_id"].astype("string") + " refers to "
                  + f["erp_orphan_ref_text"].astype("string").fillna("") + ", which matches no return")
    ev = repaired.fillna("").where(~orphan, orphan_txt)
    ev = ev.where(~(orphan & _b(repaired.notna())), orphan_txt + "; " + repaired.fillna(""))
    systems = f["repaired_systems"].astype("string").fillna("").where(~orphan, "erp")
    out.add("id_linkage", _b(repaired.notna()) | orphan, ev, systems, "return_ref")

    # --- amounts --------------------------------------------------------------------------
    _amounts(f, settings, cur, out)

    # --- duplicates, periods, bypass, tickets ---------------------------------------------
    dup = _b(f["dup_count"] > 0)
    dup_sys = f["dup_system"].astype("string").map(_LABEL).astype("string").fillna("")
    ev = (dup_sys + " holds the same refund " + money(f["dup_amount"], cur) + " more than once (duplicate: "
          + f["dup_text"].astype("string").fillna("") + ", "
          + (f["dup_gap"].dt.total_seconds() // 60).astype("Int64").astype("string").fillna("?")
          + " min after the first)")
    out.add("duplicate_event", dup, ev, f["dup_systems"].astype("string"), "record_id",
            delta=f["dup_amount"].astype("Int64"))

    x_t, e_t = f["processor_occurred_at"], f["erp_occurred_at"]
    xp, ep = period_code(x_t, tz), period_code(e_t, tz)
    mask = x_refunded & e_credited & _b(xp != ep)
    ev = ("Processor refund on " + when(x_t, tz) + " (" + period_text(xp) + ") and ERP posting on "
          + when(e_t, tz) + " (" + period_text(ep) + "), read in " + tz)
    out.add("period_cutoff", mask, ev, "processor;erp", "occurred_at")

    mask = ~has_p & (has_x | has_e) & ~orphan
    sys_txt = _s("", idx).where(~_b(has_x), "processor refund " + f["processor_record_id"].astype("string")
                                 + " " + x_amt)
    e_txt = _s("", idx).where(~_b(has_e), "ERP credit " + f["erp_record_id"].astype("string") + " " + e_amt)
    both = _b(has_x & has_e)
    what = sys_txt.where(~both, sys_txt + " and ") + e_txt
    ev = what.str.slice(0, 1).str.upper() + what.str.slice(1) + " with no portal return behind it"
    systems = (_s("", idx).where(~_b(has_x), "processor") + _s("", idx).where(~both, ";")
               + _s("", idx).where(~_b(has_e), "erp"))
    out.add("manual_bypass", mask, ev, systems, "return_ref")

    refund_times = pd.concat([x_t.where(_b(x_refunded)), e_t.where(_b(e_credited)),
                              f["dup_latest"]], axis=1)
    latest = refund_times.max(axis=1)
    stale_age = pd.Timedelta(hours=settings.stale_ticket_hours)
    touched = f["ticket_touched"]
    mask = _b(touched.notna() & latest.notna()) & _b(touched < latest) & _b((as_of_ts - latest) > stale_age)
    ev = ("Ticket " + f["ticket_record_id"].astype("string") + " still " + f["ticket_stage"].astype("string")
          + ", last updated " + when(touched, tz) + ", before the refund/credit on " + when(latest, tz)
          + ", " + hours(as_of_ts - latest) + " h ago (stale after " + str(settings.stale_ticket_hours) + " h)")
    out.add("stale_ticket", mask, ev, "support", "stage;updated_at")
    return out.frame()


def _amounts(f: pd.DataFrame, settings: BusinessSettings, cur: pd.Series, out: _Findings) -> None:
    idx = f.index
    tol = tolerance_minor(cur, settings)
    tol_txt = str(settings.rounding_tolerance)
    approved = f["portal_amount_minor"]
    pairs = (("processor", "portal"), ("erp", "portal"), ("erp", "processor"))
    fee_ev, mis_ev, rnd_ev = _s("", idx), _s("", idx), _s("", idx)
    fee_any = np.zeros(len(idx), bool)
    mis_any = np.zeros(len(idx), bool)
    rnd_any = np.zeros(len(idx), bool)
    fee_sys, mis_sys, rnd_sys = _s("", idx), _s("", idx), _s("", idx)
    fee_delta = pd.Series(pd.NA, index=idx, dtype="Int64")
    mis_delta = pd.Series(pd.NA, index=idx, dtype="Int64")
    rnd_delta = pd.Series(pd.NA, index=idx, dtype="Int64")
    for lo_sys, hi_sys in pairs:
        lo, hi = f[f"{lo_sys}_amount_minor"].astype("Int64"), f[f"{hi_sys}_amount_minor"].astype("Int64")
        if lo_sys == "erp" and hi_sys == "processor":
            # already explained against the portal: only compare when the portal is absent
            both_vs_portal = f["portal_amount_minor"].notna()
            lo = lo.where(~both_vs_portal)
        cmp = compare(lo, hi, tol)
        delta = lo - hi
        lo_t, hi_t = money(lo, cur), money(hi, cur)
        lab_lo, lab_hi = _LABEL[lo_sys], _LABEL[hi_sys]
        fee_ok, fee_label = explain_fee(hi, lo, approved, cur, settings)
        fee_hit = cmp["beyond"] & fee_ok.to_numpy()
        mis_hit = cmp["beyond"] & ~fee_ok.to_numpy()
        rnd_hit = cmp["rounding"] & ~fee_ok.to_numpy()
        pair_sys = f"{lo_sys};{hi_sys}"

        def put(acc_mask, acc_ev, acc_sys, acc_delta, hit, text, systems):
            hit_s = pd.Series(hit, index=idx)
            new_ev = acc_ev.where(~hit_s, acc_ev.where(acc_ev == "", acc_ev + "; ") + text)
            new_sys = acc_sys.where(~hit_s, acc_sys.where(acc_sys == "", acc_sys + ";") + systems)
            new_delta = acc_delta.where(~(hit_s & acc_delta.isna()), delta)
            return acc_mask | hit, new_ev, new_sys, new_delta

        fee_text = lab_lo + " " + lo_t + " = " + lab_hi.lower() + " " + hi_t + " - " + fee_label
        fee_any, fee_ev, fee_sys, fee_delta = put(fee_any, fee_ev, fee_sys, fee_delta, fee_hit, fee_text, pair_sys)
        diff_t = money((hi - lo).abs(), cur)
        mis_text = (lab_lo + " " + lo_t + " vs " + lab_hi.lower() + " " + hi_t + ": differs by " + diff_t
                    + ", not a scheduled fee and above the " + tol_txt + " rounding tolerance")
        mis_any, mis_ev, mis_sys, mis_delta = put(mis_any, mis_ev, mis_sys, mis_delta, mis_hit, mis_text, pair_sys)
        rnd_text = (lab_lo + " " + lo_t + " vs " + lab_hi.lower() + " " + hi_t + ": differs by " + diff_t
                    + ", within the " + tol_txt + " rounding tolerance")
        rnd_any, rnd_ev, rnd_sys, rnd_delta = put(rnd_any, rnd_ev, rnd_sys, rnd_delta, rnd_hit, rnd_text, pair_sys)
    out.add("partial_receipt", fee_any, fee_ev, _dedupe_systems(fee_sys), "amount_minor", delta=fee_delta)
    out.add("amount_mismatch", mis_any, mis_ev, _dedupe_systems(mis_sys), "amount_minor", delta=mis_delta)
    out.add("rounding", rnd_any, rnd_ev, _dedupe_systems(rnd_sys), "amount_minor", delta=rnd_delta)


def _dedupe_systems(systems: pd.Series) -> pd.Series:
    order = ("portal", "processor", "erp")
    out = _s("", systems.index)
    for name in order:
        has = _b(systems.str.contains(name, regex=False))
        out = out.where(~has, out.where(out == "", out + ";") + name)
    return out
