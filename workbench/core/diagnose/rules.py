"""The symptom rules, as vectorised masks over the case facts, each with evidence in words and
numbers. Definitions (issue 4). The latency window closes at approval + window: a return
approved exactly 72 h before the as-of time is no longer inside a 72 h window (age < window is
inside). A ticket is stale only when the refund is *older* than the stale age (strictly). A
portal return counts once it is requested/approved/received/refunded with a non-zero amount
(Loop's 'open' state, imported as 'requested', is an approved return awaiting its refund;
exchanges carry no refund amount).

Masks are computed over every case; evidence text is built only for the cases a rule flags.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

import numpy as np
import pandas as pd

from workbench.core.diagnose.amounts import fee_label, fee_matches, tolerance_minor
from workbench.core.diagnose.catalog import CATALOG
from workbench.core.diagnose.text import exponents, hours, money, period_code, period_text, when
from workbench.core.settings import BusinessSettings

FINDING_COLUMNS = ("anchor", "symptom", "boundary", "fix_type", "scope", "cause", "evidence", "steps",
                   "systems", "fields", "window_closes_at", "amount_delta_minor")
PORTAL_LIVE = ("requested", "approved", "received", "refunded")
_LABEL = {"portal": "Portal", "processor": "Processor", "erp": "ERP"}
_STRING = pd.StringDtype()


def _s(value: str, index: pd.Index) -> pd.Series:
    return pd.Series(value, index=index, dtype=_STRING)


def _b(series) -> np.ndarray:
    return pd.Series(series).fillna(False).to_numpy(dtype=bool)


def _txt(series: pd.Series) -> pd.Series:
    return series.astype(_STRING).fillna("")


def _pick(sel: pd.Series, text_true: pd.Series | str, text_false: pd.Series | str = "") -> pd.Series:
    idx = sel.index
    t = _s(text_true, idx) if isinstance(text_true, str) else text_true
    f = _s(text_false, idx) if isinstance(text_false, str) else text_false
    return t.where(sel.to_numpy(dtype=bool), f)


class _Rows:
    """The rows of `work` a rule flags, taken column by column on demand: a rule's evidence
    reads a handful of the ~50 fact columns, so the other columns are never copied."""

    def __init__(self, work: pd.DataFrame, mask: np.ndarray) -> None:
        self.work = work
        self.mask = mask
        self.index = work.index[mask]
        self._cols: dict[str, pd.Series] = {}

    def __getitem__(self, col: str) -> pd.Series:
        if col not in self._cols:
            self._cols[col] = pd.Series(self.work[col].array[self.mask], index=self.index, name=col)
        return self._cols[col]

    def __len__(self) -> int:
        return len(self.index)


class _Findings:
    def __init__(self, work: pd.DataFrame) -> None:
        self.work = work
        self.parts: list[pd.DataFrame] = []

    def add(self, code: str, mask, evidence: Callable[[pd.DataFrame], pd.Series],
            systems: str | Callable[[pd.DataFrame], pd.Series], fields: str,
            closes: str | None = None, delta: Callable[[pd.DataFrame], pd.Series] | None = None) -> None:
        mask = _b(mask)
        if not mask.any():
            return
        w = _Rows(self.work, mask)
        idx = w.index
        sys_values = _s(systems, idx) if isinstance(systems, str) else systems(w)
        frame = pd.DataFrame({
            "anchor": idx, "symptom": code,
            "evidence": evidence(w).astype(_STRING).to_numpy(),
            "systems": sys_values.astype(_STRING).to_numpy(),
            "fields": fields,
            "window_closes_at": (w[closes].array if closes is not None
                                 else pd.array([pd.NaT] * len(idx), dtype="datetime64[us, UTC]")),
            "amount_delta_minor": (delta(w).astype("Int64").array if delta is not None
                                   else pd.array([pd.NA] * len(idx), dtype="Int64")),
        })
        self.parts.append(frame)

    def add_frame(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self.parts.append(frame)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            out = pd.DataFrame({c: [] for c in FINDING_COLUMNS})
            out["window_closes_at"] = pd.Series([], dtype="datetime64[us, UTC]")
            out["amount_delta_minor"] = pd.Series([], dtype="Int64")
            return out
        out = pd.concat(self.parts, ignore_index=True)
        self.parts = []
        # what the catalog says per symptom: one small code per finding, not a copy of the text
        codes = list(CATALOG)
        sym = out["symptom"].map({c: i for i, c in enumerate(codes)}).to_numpy(dtype=np.int64)
        for col in ("boundary", "fix_type", "scope", "cause", "steps"):
            values = [("\n".join(CATALOG[c].steps) if col == "steps" else getattr(CATALOG[c], col)) for c in codes]
            cats = sorted(set(values))
            table = np.array([cats.index(v) for v in values], dtype=np.int64)
            out[col] = pd.Categorical.from_codes(table[sym], categories=pd.Index(cats, dtype=_STRING))
        out["window_closes_at"] = pd.to_datetime(out["window_closes_at"], utc=True)
        out["amount_delta_minor"] = out["amount_delta_minor"].astype("Int64")
        return out[list(FINDING_COLUMNS)]


def diagnose(facts: pd.DataFrame, settings: BusinessSettings, as_of: datetime) -> pd.DataFrame:
    """One row per (case, symptom): FINDING_COLUMNS. `facts` from diagnose.facts.case_facts."""
    f = facts
    tz = settings.timezone
    as_of_ts = pd.Timestamp(as_of)
    window = pd.Timedelta(hours=settings.latency_window_hours)
    w_txt = str(settings.latency_window_hours)
    approved = f["portal_approved_at"].fillna(f["portal_occurred_at"])
    cur = f["currency"].fillna("USD")
    work = f.assign(cur=cur, exp=exponents(cur).to_numpy(), approved=approved, age=as_of_ts - approved,
                    closes=approved + window)
    out = _Findings(work)

    has_p = f["portal_rid"].notna().to_numpy()
    p_stage = f["portal_stage"]
    p_live = has_p & _b(p_stage.isin(PORTAL_LIVE)) & _b(f["portal_amount_minor"] > 0)
    beyond = _b(work["age"] >= window)
    inside = ~beyond & approved.notna().to_numpy()
    has_x = f["processor_rid"].notna().to_numpy()
    x_refunded = has_x & _b(f["processor_stage"] == "refunded")
    x_pending = has_x & _b(f["processor_stage"] == "pending")
    has_e = f["erp_rid"].notna().to_numpy()
    e_credited = has_e & _b(f["erp_stage"] == "credited")
    e_pending = has_e & _b(f["erp_stage"] == "pending")

    def amt(w, system):
        return money(w[f"{system}_amount_minor"], w["cur"], w["exp"].to_numpy())

    # --- handoffs -------------------------------------------------------------------------
    out.add("missing_handoff", p_live & x_refunded & ~has_e & beyond,
            lambda w: ("Portal approved " + amt(w, "portal") + " on " + when(w["approved"], tz)
                       + " and processor refunded " + amt(w, "processor") + " ("
                       + _txt(w["processor_record_id"]) + "), but ERP has no credit: " + hours(w["age"])
                       + " h since approval, beyond the " + w_txt + " h window"),
            "erp", "record_id", delta=lambda w: -w["processor_amount_minor"].astype("Int64"))

    x_gap = ~has_x | x_pending
    e_gap = ~has_e | e_pending
    work["x_gap"], work["e_gap"] = x_gap, e_gap
    work["x_missing"], work["e_missing"] = ~has_x, ~has_e

    def latency_text(w):
        x_what = _pick(w["x_missing"], "Processor refund missing", _pick(w["x_gap"], "Processor refund pending"))
        e_what = _pick(w["e_missing"], "ERP credit missing", _pick(w["e_gap"], "ERP credit pending"))
        both = w["x_gap"] & w["e_gap"]
        what = x_what + _pick(both, ", ") + e_what
        return (what + "; approved " + when(w["approved"], tz) + ", " + hours(w["age"]) + " h ago, inside the "
                + w_txt + " h window (closes " + when(w["closes"], tz) + ")")

    def latency_systems(w):
        return _pick(w["x_gap"], "processor") + _pick(w["x_gap"] & w["e_gap"], ";") + _pick(w["e_gap"], "erp")

    out.add("timing_latency", p_live & inside & (x_gap | e_gap), latency_text, latency_systems, "stage",
            closes="closes")

    out.add("missing_disbursement", p_live & _b(p_stage == "refunded") & e_credited & ~x_refunded & beyond,
            lambda w: ("Portal refunded " + amt(w, "portal") + " and ERP credited " + amt(w, "erp") + " ("
                       + _txt(w["erp_record_id"]) + "), but the processor has no refund"
                       + _pick(w["processor_rid"].notna(), " (its record is " + _txt(w["processor_stage"]) + ")")
                       + ": " + hours(w["age"]) + " h since approval, beyond the " + w_txt + " h window"),
            "processor", "record_id", delta=lambda w: -w["portal_amount_minor"].astype("Int64"))

    # --- references -----------------------------------------------------------------------
    orphan = _b(f["erp_orphan_ref"])
    repaired = f["repaired_text"].notna().to_numpy()

    def linkage_text(w):
        orphan_txt = ("ERP " + _txt(w["anchor_record_id"]) + " refers to " + _txt(w["erp_orphan_ref_text"])
                      + ", which matches no return")
        rep = _txt(w["repaired_text"])
        is_orphan = w["erp_orphan_ref"].astype(bool)
        return rep.where(~is_orphan, orphan_txt + _pick(rep != "", "; " + rep))

    out.add("id_linkage", repaired | orphan, linkage_text,
            lambda w: _txt(w["repaired_systems"]).where(~w["erp_orphan_ref"].astype(bool), "erp"), "return_ref")

    # --- amounts --------------------------------------------------------------------------
    _amounts(work, settings, out)

    # --- duplicates, periods, bypass, tickets ---------------------------------------------
    out.add("duplicate_event", _b(f["dup_count"] > 0),
            lambda w: (_txt(w["dup_system"].map(_LABEL)) + " holds the same refund "
                       + money(w["dup_amount"], w["cur"], w["exp"].to_numpy()) + " more than once (duplicate: " + _txt(w["dup_text"])
                       + ", " + (w["dup_gap"].dt.total_seconds() // 60).astype("Int64").astype(_STRING).fillna("?")
                       + " min after the first)"),
            lambda w: _txt(w["dup_systems"]), "record_id", delta=lambda w: w["dup_amount"].astype("Int64"))

    xp = period_code(f["processor_occurred_at"], tz)
    ep = period_code(f["erp_occurred_at"], tz)
    work["xp"], work["ep"] = xp, ep
    out.add("period_cutoff", x_refunded & e_credited & _b(xp != ep),
            lambda w: ("Processor refund on " + when(w["processor_occurred_at"], tz) + " (" + period_text(w["xp"])
                       + ") and ERP posting on " + when(w["erp_occurred_at"], tz) + " (" + period_text(w["ep"])
                       + "), read in " + tz),
            "processor;erp", "occurred_at")

    def bypass_text(w):
        x = w["processor_rid"].notna()
        e = w["erp_rid"].notna()
        what = (_pick(x, "Processor refund " + _txt(w["processor_record_id"]) + " " + amt(w, "processor"))
                + _pick(x & e, " and ") + _pick(e, "ERP credit " + _txt(w["erp_record_id"]) + " " + amt(w, "erp")))
        return what + " with no portal return behind it"

    out.add("manual_bypass", ~has_p & (has_x | has_e) & ~orphan, bypass_text,
            lambda w: (_pick(w["processor_rid"].notna(), "processor")
                       + _pick(w["processor_rid"].notna() & w["erp_rid"].notna(), ";")
                       + _pick(w["erp_rid"].notna(), "erp")), "return_ref")

    refund_times = pd.concat([f["processor_occurred_at"].where(x_refunded), f["erp_occurred_at"].where(e_credited),
                              f["dup_latest"]], axis=1)
    work["latest"] = refund_times.max(axis=1)
    stale_age = pd.Timedelta(hours=settings.stale_ticket_hours)
    touched, latest = f["ticket_touched"], work["latest"]
    mask = _b(touched.notna() & latest.notna()) & _b(touched < latest) & _b((as_of_ts - latest) > stale_age)
    out.add("stale_ticket", mask,
            lambda w: ("Ticket " + _txt(w["ticket_record_id"]) + " still " + _txt(w["ticket_stage"])
                       + ", last updated " + when(w["ticket_touched"], tz) + ", before the refund/credit on "
                       + when(w["latest"], tz) + ", " + hours(as_of_ts - w["latest"]) + " h ago (stale after "
                       + str(settings.stale_ticket_hours) + " h)"),
            "support", "stage;updated_at")
    return out.frame()


_PAIRS = (("processor", "portal"), ("erp", "portal"), ("erp", "processor"))


def _amounts(work: pd.DataFrame, settings: BusinessSettings, out: _Findings) -> None:
    """partial_receipt / amount_mismatch / rounding over the pairs of live amounts.

    The ERP is compared with the processor only when there is no portal amount (with one, both
    are compared with the portal, the approved amount the fee schedule is based on)."""
    exp = work["exp"].to_numpy()
    tol = tolerance_minor(work["cur"], settings, exp).to_numpy()
    tol_txt = str(settings.rounding_tolerance)
    approved = work["portal_amount_minor"].astype("Int64")
    hits: dict[str, list[pd.DataFrame]] = {"partial_receipt": [], "amount_mismatch": [], "rounding": []}
    for lo_sys, hi_sys in _PAIRS:
        lo = work[f"{lo_sys}_amount_minor"].astype("Int64")
        hi = work[f"{hi_sys}_amount_minor"].astype("Int64")
        if (lo_sys, hi_sys) == ("erp", "processor"):
            lo = lo.where(approved.isna())
        both = (lo.notna() & hi.notna()).to_numpy()
        diff = (lo - hi).abs().fillna(0).to_numpy(dtype="int64")
        matched, which, fee = fee_matches(hi, lo, approved, work["cur"], settings, exp)
        beyond = both & (diff > tol)
        kinds = {"partial_receipt": beyond & matched, "amount_mismatch": beyond & ~matched,
                 "rounding": both & (diff > 0) & (diff <= tol) & ~matched}
        lab_lo, lab_hi = _LABEL[lo_sys], _LABEL[hi_sys].lower()
        for code, mask in kinds.items():
            if not mask.any():
                continue
            w = _Rows(work, mask)
            cur, w_exp = w["cur"], exp[mask]
            lo_t, hi_t = money(lo[mask], cur, w_exp), money(hi[mask], cur, w_exp)
            if code == "partial_receipt":
                text = lab_lo + " " + lo_t + " = " + lab_hi + " " + hi_t + " - " + fee_label(
                    which[mask], fee[mask], cur, settings, w_exp)
            else:
                gap = money((hi[mask] - lo[mask]).abs(), cur, w_exp)
                tail = (", not a scheduled fee and above the " + tol_txt + " rounding tolerance"
                        if code == "amount_mismatch" else ", within the " + tol_txt + " rounding tolerance")
                text = lab_lo + " " + lo_t + " vs " + lab_hi + " " + hi_t + ": differs by " + gap + tail
            hits[code].append(pd.DataFrame({"anchor": w.index, "evidence": text.to_numpy(),
                                            "systems": f"{lo_sys};{hi_sys}",
                                            "delta": (lo[mask] - hi[mask]).array}))
    for code, parts in hits.items():
        if not parts:
            continue
        rows = pd.concat(parts, ignore_index=True)
        first = rows.drop_duplicates("anchor").set_index("anchor")
        extra = rows[rows["anchor"].duplicated()]
        evidence = first["evidence"].astype(_STRING)
        systems = first["systems"].astype(_STRING)
        for _, group in extra.groupby(extra.groupby("anchor").cumcount()):   # 2nd, 3rd pair per case
            g = group.set_index("anchor")
            evidence.loc[g.index] = evidence.loc[g.index] + "; " + g["evidence"].astype(_STRING)
            systems.loc[g.index] = systems.loc[g.index] + ";" + g["systems"].astype(_STRING)
        out.add_frame(pd.DataFrame({
            "anchor": first.index, "symptom": code, "evidence": evidence.to_numpy(),
            "systems": _order_systems(systems).to_numpy(),
            "fields": "amount_minor", "window_closes_at": pd.array([pd.NaT] * len(first), dtype="datetime64[us, UTC]"),
            "amount_delta_minor": first["delta"].astype("Int64").array}))


def _order_systems(systems: pd.Series) -> pd.Series:
    out = _s("", systems.index)
    for name in ("portal", "processor", "erp"):
        has = _b(systems.str.contains(name, regex=False))
        out = out.where(~has, out.where(out == "", out + ";") + name)
    return out
