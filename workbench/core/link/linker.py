"""Link records of the four systems into cases, set-based.

Every record ends in exactly one case (a `links` row); the case is named by its anchor record
(portal if present, else processor, ERP, support). Evidence is used strongest first:

1. `return_ref`  the return/RMA id the record mentions (after normalisation; drift recorded)
2. `refund_ref`  the processor refund id an ERP memo or ticket mentions
3. `order_ref`   the order (several returns on one order: one-to-one by amount, then time;
                 close alternatives are surfaced as link candidates). A return reference that
                 is really the order number also links here ("order number #1001 instead of
                 return id").
4. `fallback`    same customer and amount, close in time

A case holds at most one live record per refund-carrying system; a second record with the same
amount close in time is linked as a duplicate (a finding), any other extra record is detached
into a case of its own with a link candidate pointing back. Support tickets may be several.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.core.link.assign import mutual_best
from workbench.core.link.refs import describe_drift, learn_convention, order_key, refund_key, split_ref
from workbench.core.settings import BusinessSettings

RECORD_COLUMNS = (
    "rid", "system", "profile", "record_id", "return_ref", "order_ref", "refund_ref", "customer",
    "amount_minor", "currency", "stage", "occurred_at", "approved_at", "refunded_at", "updated_at",
)
LINK_COLUMNS = ("rid", "anchor", "system", "rule", "confidence", "is_duplicate", "repaired")
CANDIDATE_COLUMNS = ("rid", "anchor", "rule", "score", "note")
FALLBACK_DAYS = 30
RULE_CONFIDENCE = {"anchor": 1.0, "return_ref": 1.0, "return_ref_repaired": 0.9, "refund_ref": 0.95,
                   "order_ref": 0.8, "order_ref_ambiguous": 0.6, "fallback": 0.5}


@dataclass
class LinkResult:
    links: pd.DataFrame        # LINK_COLUMNS, one row per record
    candidates: pd.DataFrame   # CANDIDATE_COLUMNS: surfaced alternatives, not links
    keys: pd.DataFrame         # index rid: key_return, key_order, key_refund (normalised)


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """Normalised keys, drift and matching attributes per record, indexed by rid."""
    rids = records["rid"].to_numpy(dtype="int64")
    positional = bool((rids == np.arange(len(rids))).all())
    index = pd.RangeIndex(len(rids), name="rid") if positional else pd.Index(rids, name="rid")

    def col(name: str) -> pd.Series:
        series = records[name]
        return pd.Series(series.array, index=index, name=name)

    system = col("system").astype("string")
    is_portal = (system == "portal").to_numpy()
    raw_ref = col("record_id").astype("string").where(is_portal, col("return_ref").astype("string"))
    parts = split_ref(raw_ref)
    # the source (system + profile) as a small integer code
    profile_codes, profiles = pd.factorize(col("profile").astype("string"))
    source = pd.Series(system.map(_SYS_CODE).fillna(9).astype("int64").to_numpy() * (len(profiles) + 2)
                       + profile_codes + 1, index=index)
    conv = learn_convention(parts[~is_portal], source[~is_portal])
    drift = describe_drift(parts, source, conv).where(~is_portal, "")
    out = pd.DataFrame(index=index)
    out["rid"] = index.to_numpy()
    out["raw_ref"] = raw_ref
    out["key_return"] = parts["key"]
    out["has_ref"] = parts["key"].notna().to_numpy()
    out["drift"] = drift.fillna("")
    out["drifted"] = (out["drift"] != "").to_numpy(dtype=bool)
    out["key_order"] = order_key(col("order_ref"))
    is_proc = (system == "processor").to_numpy()
    key_refund = pd.Series(pd.NA, index=index, dtype="string")
    key_refund[is_proc] = refund_key(col("record_id")[is_proc])
    refund_ref = col("refund_ref")
    has_refund_ref = ~is_proc & refund_ref.notna().to_numpy()
    key_refund[has_refund_ref] = refund_key(refund_ref[has_refund_ref])
    out["key_refund"] = key_refund
    customer_key = col("customer").astype("string").str.strip().str.lower()
    out["amount"] = col("amount_minor").astype("Int64")
    t = col("occurred_at")
    out["t"] = col("approved_at").fillna(t).where(is_portal, t)
    out["ts"] = _seconds(out["t"])
    out["sys"] = system.map(_SYS_CODE).fillna(-1).astype("int8").to_numpy()
    # integer codes of the keys: merges on int64 are far cheaper than on strings. Return and
    # order keys share one code space (a return reference may really be an order number).
    joint, _ = pd.factorize(pd.concat([out["key_return"], out["key_order"]], ignore_index=True))
    n = len(out)
    out["kr"] = _codes(joint[:n])
    out["ko"] = _codes(joint[n:])
    out["kf"] = _codes(pd.factorize(out["key_refund"])[0])
    out["kc"] = _codes(pd.factorize(customer_key)[0])
    return out


SYSTEM_NAMES = ("portal", "processor", "erp", "support")
_SYS_CODE = {name: i for i, name in enumerate(SYSTEM_NAMES)}


def _seconds(times: pd.Series):
    """Aware times -> nullable Int64 epoch seconds (cheap integer arithmetic for windows)."""
    values = times.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[s]")
    ints = values.to_numpy().astype("int64")
    out = pd.array(ints, dtype="Int64")
    out[times.isna().to_numpy()] = pd.NA
    return out


def _codes(codes):
    """pd.factorize codes as plain int64; -1 = missing (never matched: filtered before merges)."""
    return np.asarray(codes, dtype="int64")


def _pairs_by_key(u: pd.DataFrame, ukey: str, targets: pd.DataFrame) -> pd.DataFrame:
    left = u.loc[u[ukey].to_numpy() >= 0, ["rid", ukey]].rename(columns={ukey: "k"}).reset_index(drop=True)
    return left.merge(targets, on="k", how="inner")


class _Linker:
    def __init__(self, prep: pd.DataFrame, settings: BusinessSettings) -> None:
        self.p = prep
        self.settings = settings
        self.dup_window = int(settings.duplicate_window_hours) * 3600
        # the slim frame every matching step works on: integer codes, amounts, epoch seconds
        self.q = prep[["rid", "sys", "kr", "ko", "kf", "kc", "amount", "ts"]]
        self.links: list[pd.DataFrame] = []
        self.candidates: list[pd.DataFrame] = []
        self.linked = pd.Series(False, index=prep.index)
        self.detached = pd.Series(False, index=prep.index)

    # --- state --------------------------------------------------------------------------
    def members(self) -> pd.DataFrame:
        """All links so far ('system' as a small int code while linking)."""
        if not self.links:
            return pd.DataFrame({c: pd.Series(dtype="int64") for c in ("rid", "anchor", "system")}).assign(
                rule=pd.Series(dtype=object), confidence=pd.Series(dtype=float),
                is_duplicate=pd.Series(dtype=bool), repaired=pd.Series(dtype="string"))
        if len(self.links) > 1:
            self.links = [pd.concat(self.links, ignore_index=True)]
        return self.links[0]

    def add_anchors(self, rids: pd.Index) -> None:
        if len(rids) == 0:
            return
        frame = pd.DataFrame({"rid": rids, "anchor": rids, "system": self.p.loc[rids, "sys"].to_numpy(),
                              "rule": "anchor", "confidence": 1.0, "is_duplicate": False,
                              "repaired": pd.NA})
        self.links.append(frame)
        self.linked.loc[rids] = True

    def unlinked(self, system: str) -> pd.DataFrame:
        mask = (self.q["sys"] == _SYS_CODE[system]) & ~self.linked & ~self.detached
        return self.q[mask]

    def anchors_without(self, system: str) -> pd.Index:
        m = self.members()
        anchors = pd.Index(m.loc[m["rule"] == "anchor", "anchor"].unique())
        having = pd.Index(m.loc[(m["system"] == _SYS_CODE[system]) & ~m["is_duplicate"], "anchor"].unique())
        return anchors.difference(having)

    # --- rules --------------------------------------------------------------------------
    def by_return_ref(self, u: pd.DataFrame) -> pd.DataFrame:
        m = self.members()
        src = m[m["rule"].isin(["anchor", "return_ref"]) & ~m["is_duplicate"].astype(bool)]
        targets = pd.DataFrame({"k": self.p.loc[src["rid"], "kr"].to_numpy(),
                                "anchor": src["anchor"].to_numpy()})
        targets = targets[targets["k"].to_numpy() >= 0].drop_duplicates()
        pairs = _pairs_by_key(u, "kr", targets)
        return self._unique(pairs, "return_ref", "reference matches several cases")

    def by_refund_ref(self, u: pd.DataFrame) -> pd.DataFrame:
        m = self.members()
        src = m[m["system"] == _SYS_CODE["processor"]]
        targets = pd.DataFrame({"k": self.p.loc[src["rid"], "kf"].to_numpy(),
                                "anchor": src["anchor"].to_numpy()})
        targets = targets[targets["k"].to_numpy() >= 0].drop_duplicates()
        pairs = _pairs_by_key(u, "kf", targets)
        return self._unique(pairs, "refund_ref", "refund id matches several cases")

    def _unique(self, pairs: pd.DataFrame, rule: str, note: str) -> pd.DataFrame:
        if pairs.empty:
            return pd.DataFrame(columns=["rid", "anchor", "rule"])
        n = pairs.groupby("rid")["anchor"].transform("size")
        ambiguous = pairs[n > 1]
        if not ambiguous.empty:
            self.candidates.append(pd.DataFrame({"rid": ambiguous["rid"], "anchor": ambiguous["anchor"],
                                                 "rule": rule, "score": 0.5, "note": note}))
        return pairs.loc[n == 1, ["rid", "anchor"]].assign(rule=rule)

    def by_order(self, u: pd.DataFrame, system: str) -> pd.DataFrame:
        open_anchors = self.anchors_without(system)
        a = self.q.loc[open_anchors, ["ko", "amount", "ts"]]
        targets = pd.DataFrame({"k": a["ko"].to_numpy(), "anchor": open_anchors,
                                "a_amount": a["amount"].array, "a_t": a["ts"].array})
        targets = targets[targets["k"].to_numpy() >= 0]
        via_order = _pairs_by_key(u, "ko", targets).assign(via_ref=False)
        via_ref = _pairs_by_key(u, "kr", targets).assign(via_ref=True)
        pairs = pd.concat([via_order, via_ref], ignore_index=True)
        if pairs.empty:
            return pd.DataFrame(columns=["rid", "anchor", "rule", "via_ref", "ambiguous"])
        pairs = pairs.reset_index(drop=True)
        rec = self.q.loc[pairs["rid"], ["amount", "ts"]].reset_index(drop=True)
        pairs["amount_eq"] = (rec["amount"] == pairs["a_amount"]).fillna(False).to_numpy(dtype=bool)
        hours = (rec["ts"] - pairs["a_t"]).abs().astype("Float64") / 3600
        pairs["score"] = pairs["amount_eq"].astype(int) * 100000 - hours.fillna(99999).clip(upper=99999).to_numpy()
        pairs = pairs.sort_values(["rid", "score", "via_ref"], ascending=[True, False, True])
        pairs = pairs.drop_duplicates(["rid", "anchor"])
        chosen = mutual_best(pairs[["rid", "anchor", "score"]])
        # ambiguity: another candidate in the same amount class as the chosen one
        best_class = chosen.set_index("rid")["score"] // 100000
        pairs["cls"] = pairs["score"] // 100000
        others = pairs.merge(chosen[["rid", "anchor"]], on=["rid", "anchor"], how="left", indicator=True)
        others = others[(others["_merge"] == "left_only") & others["rid"].isin(chosen["rid"])]
        others = others[others["cls"].to_numpy() == best_class.reindex(others["rid"]).to_numpy()]
        if not others.empty:
            self.candidates.append(pd.DataFrame({
                "rid": others["rid"], "anchor": others["anchor"], "rule": "order_ref",
                "score": RULE_CONFIDENCE["order_ref_ambiguous"],
                "note": "another return on the same order fits as well"}))
        chosen = chosen.merge(pairs[["rid", "anchor", "via_ref"]], on=["rid", "anchor"], how="left")
        chosen["ambiguous"] = chosen["rid"].isin(others["rid"])
        return chosen[["rid", "anchor", "via_ref", "ambiguous"]].assign(rule="order_ref")

    def by_fallback(self, u: pd.DataFrame, system: str) -> pd.DataFrame:
        open_anchors = self.anchors_without(system)
        a = self.q.loc[open_anchors, ["kc", "amount", "ts"]]
        targets = pd.DataFrame({"kc": a["kc"].to_numpy(), "amount": a["amount"].array,
                                "anchor": open_anchors, "a_t": a["ts"].array})
        targets = targets[(targets["kc"].to_numpy() >= 0) & targets["amount"].notna().to_numpy()
                          & targets["a_t"].notna().to_numpy()]
        left = u.loc[(u["kc"].to_numpy() >= 0) & u["amount"].notna().to_numpy(),
                     ["rid", "kc", "amount", "ts"]].reset_index(drop=True)
        pairs = left.merge(targets, on=["kc", "amount"], how="inner")
        if pairs.empty:
            return pd.DataFrame(columns=["rid", "anchor", "rule"])
        delta = pairs["ts"] - pairs["a_t"]
        ok = (delta >= -86400) & (delta <= FALLBACK_DAYS * 86400)
        pairs = pairs[ok.fillna(False).to_numpy(dtype=bool)].copy()
        pairs["score"] = -(pairs["ts"] - pairs["a_t"]).abs().astype("float64")
        chosen = mutual_best(pairs[["rid", "anchor", "score"]])
        return chosen[["rid", "anchor"]].assign(rule="fallback")

    # --- applying and settling ----------------------------------------------------------
    def apply(self, found: pd.DataFrame) -> None:
        """Record links found by a rule. Repair text is built only for the rows that need it."""
        if found.empty:
            return
        rids = found["rid"].to_numpy(dtype="int64")
        pos = self.p.index.get_indexer(rids)
        rule = found["rule"].to_numpy()
        drifted_all = self.p["drifted"].to_numpy()[pos]
        has_ref = self.p["has_ref"].to_numpy()[pos]
        conf = pd.Series(rule).map(RULE_CONFIDENCE).to_numpy(dtype=float).copy()
        repaired = np.full(len(found), None, dtype=object)
        is_ret = rule == "return_ref"
        via_ref = (found["via_ref"].fillna(False).to_numpy(dtype=bool) if "via_ref" in found
                   else np.zeros(len(found), dtype=bool))
        order_as_ref = (rule == "order_ref") & via_ref
        fb = rule == "fallback"
        drifted = is_ret & drifted_all
        broken = ~is_ret & ~order_as_ref & has_ref & ~fb
        conf[drifted] = RULE_CONFIDENCE["return_ref_repaired"]
        if "ambiguous" in found:
            conf[found["ambiguous"].fillna(False).to_numpy(dtype=bool)] = RULE_CONFIDENCE["order_ref_ambiguous"]

        def raw(mask):
            return self.p["raw_ref"].array.take(pos[mask]).astype(object)

        if drifted.any():
            repaired[drifted] = self.p["drift"].array.take(pos[drifted]).astype(object)
        if order_as_ref.any():
            repaired[order_as_ref] = "order number " + raw(order_as_ref) + " instead of return id"
        if broken.any():
            how = np.where(rule[broken] == "refund_ref", "refund id", "order")
            repaired[broken] = "reference " + raw(broken) + " matches no return; linked by " + how
        if (fb & has_ref).any():
            repaired[fb & has_ref] = ("reference " + raw(fb & has_ref)
                                      + " matches no return; linked by customer, amount and time")
        repaired[fb & ~has_ref] = "reference blank; linked by customer, amount and time"
        frame = pd.DataFrame({"rid": rids, "anchor": found["anchor"].to_numpy(dtype="int64"),
                              "system": self.p["sys"].to_numpy()[pos], "rule": rule, "confidence": conf,
                              "is_duplicate": False, "repaired": pd.array(repaired, dtype="string")})
        self.links.append(frame)
        self.linked.iloc[pos] = True

    def settle(self, system: str) -> None:
        """At most one live record of `system` per case: extras become duplicates or detach."""
        m = self.members()
        own = m[(m["system"] == _SYS_CODE[system])]
        counts = own.groupby("anchor")["rid"].transform("size")
        multi = own[counts > 1]
        if multi.empty:
            return
        p = self.p
        q = self.q
        multi = multi.assign(amount=q.loc[multi["rid"], "amount"].array, t=q.loc[multi["rid"], "ts"].array,
                             a_amount=q.loc[multi["anchor"], "amount"].array)
        multi["is_anchor"] = multi["rule"] == "anchor"
        multi["amount_eq"] = (multi["amount"] == multi["a_amount"]).fillna(False)
        multi = multi.sort_values(["anchor", "is_anchor", "confidence", "amount_eq", "t", "rid"],
                                  ascending=[True, False, False, False, True, True])
        first = multi.drop_duplicates("anchor").set_index("anchor")
        rest = multi[~multi["rid"].isin(first["rid"])]
        live_amount = first["amount"].reindex(rest["anchor"]).array
        live_t = first["t"].reindex(rest["anchor"]).array
        same_amount = pd.Series(rest["amount"].array == live_amount).fillna(False).to_numpy(dtype=bool)
        close = pd.Series(abs(rest["t"].array - live_t) <= self.dup_window).fillna(False).to_numpy(dtype=bool)
        dup = same_amount & close
        dup_rids = set(rest.loc[dup, "rid"])
        detach = rest.loc[~dup]
        all_links = pd.concat(self.links, ignore_index=True)
        all_links.loc[all_links["rid"].isin(dup_rids), "is_duplicate"] = True
        if not detach.empty:
            all_links = all_links[~all_links["rid"].isin(detach["rid"])]
            self.linked.loc[detach["rid"].to_numpy()] = False
            self.detached.loc[detach["rid"].to_numpy()] = True
            self.candidates.append(pd.DataFrame({
                "rid": detach["rid"], "anchor": detach["anchor"], "rule": detach["rule"], "score": 0.4,
                "note": "second " + system + " record for this case (different amount or far apart in time)"}))
        self.links = [all_links]

    def attach(self, system: str, rules: tuple[str, ...], settle: bool = True) -> None:
        for rule in rules:
            u = self.unlinked(system)
            if u.empty:
                break
            if rule == "return_ref":
                found = self.by_return_ref(u)
            elif rule == "refund_ref":
                found = self.by_refund_ref(u)
            elif rule == "order_ref":
                found = self.by_order(u, system)
            else:
                found = self.by_fallback(u, system)
            self.apply(found)
        if settle:
            self.settle(system)

    def duplicate_sweep(self, system: str) -> None:
        """Records left over that repeat a case's live record of the same system (same reference,
        or both blank and the same customer; same amount; within the duplicate window) are
        linked to that case as duplicates: a retried event whose twin won the one-to-one match."""
        u = self.unlinked(system)
        if u.empty:
            return
        m = self.members()
        live = m[(m["system"] == _SYS_CODE[system]) & ~m["is_duplicate"]]
        if live.empty:
            return
        lp = self.q.loc[live["rid"], ["kr", "kc", "amount", "ts"]].reset_index(drop=True).assign(
            anchor=live["anchor"].to_numpy(), live_rule=live["rule"].to_numpy())
        u = u[["rid", "kr", "kc", "amount", "ts"]].reset_index(drop=True)
        u = u[u["amount"].notna().to_numpy()]
        lp = lp[lp["amount"].notna().to_numpy()]
        with_ref = u[u["kr"].to_numpy() >= 0].merge(lp[lp["kr"].to_numpy() >= 0], on=["kr", "amount"],
                                                     suffixes=("", "_live"))
        blank = u[u["kr"].to_numpy() < 0].merge(lp[(lp["kr"].to_numpy() < 0) & (lp["kc"].to_numpy() >= 0)],
                                                on=["kc", "amount"],
                                        suffixes=("", "_live"))
        pairs = pd.concat([with_ref, blank], ignore_index=True)
        if pairs.empty:
            return
        pairs["gap"] = (pairs["ts"] - pairs["ts_live"]).abs()
        pairs = pairs[(pairs["gap"] <= self.dup_window).fillna(False).to_numpy()]
        pairs = pairs.sort_values(["rid", "gap"]).drop_duplicates("rid")
        if pairs.empty:
            return
        found = pd.DataFrame({"rid": pairs["rid"].to_numpy(), "anchor": pairs["anchor"].to_numpy(),
                              "rule": pairs["live_rule"].to_numpy()})
        self.apply(found)
        last = self.links[-1]
        last["is_duplicate"] = True

    def anchor_rest(self, system: str) -> None:
        rest = self.q[(self.q["sys"] == _SYS_CODE[system]) & ~self.linked]
        self.add_anchors(rest.index)
        self.detached.loc[rest.index] = False


def link_records(records: pd.DataFrame, settings: BusinessSettings | None = None) -> LinkResult:
    """Link canonical records (with a unique integer `rid` and `system`, `profile`) into cases."""
    settings = settings or BusinessSettings()
    missing = [c for c in RECORD_COLUMNS if c not in records]
    if missing:
        raise ValueError(f"records frame lacks columns: {', '.join(missing)}")
    # internally a record is its row position (0..n-1 in rid order): lookups become plain
    # array indexing instead of hash lookups; ids are mapped back at the end
    rid_values = records["rid"].to_numpy(dtype="int64")
    if len(rid_values) > 1 and not (np.diff(rid_values) > 0).all():
        order = np.argsort(rid_values, kind="stable")
        records, rid_values = records.iloc[order], rid_values[order]
    prep = prepare(records.assign(rid=np.arange(len(records), dtype="int64")))
    lk = _Linker(prep, settings)
    lk.add_anchors(prep.index[prep["sys"] == _SYS_CODE["portal"]])
    lk.attach("processor", ("return_ref", "order_ref", "fallback"))
    lk.duplicate_sweep("processor")
    lk.attach("erp", ("return_ref", "refund_ref", "order_ref", "fallback"))
    lk.duplicate_sweep("erp")
    lk.anchor_rest("processor")
    lk.attach("erp", ("return_ref", "refund_ref", "order_ref"))
    lk.duplicate_sweep("erp")
    lk.anchor_rest("erp")
    lk.attach("support", ("return_ref", "refund_ref", "order_ref"), settle=False)
    lk.anchor_rest("support")
    links = lk.members()[list(LINK_COLUMNS)].reset_index(drop=True)
    links["system"] = pd.Series(np.array(SYSTEM_NAMES, dtype=object)[links["system"].to_numpy(dtype="int64")],
                                dtype="string")
    links["is_duplicate"] = links["is_duplicate"].astype(bool)
    links["repaired"] = links["repaired"].astype("string")
    cands = (pd.concat(lk.candidates, ignore_index=True) if lk.candidates
             else pd.DataFrame(columns=list(CANDIDATE_COLUMNS)))
    # a candidate pointing at the record's own case is no alternative
    if not cands.empty:
        own = links.set_index("rid")["anchor"].reindex(cands["rid"]).to_numpy()
        cands = cands[cands["anchor"].to_numpy() != own].drop_duplicates(["rid", "anchor"])
    for frame in (links, cands):
        for col in ("rid", "anchor"):
            frame[col] = rid_values[frame[col].to_numpy(dtype="int64")]
    keys = prep[["key_return", "key_order", "key_refund"]]
    keys.index = pd.Index(rid_values, name="rid")
    return LinkResult(links=links, candidates=cands[list(CANDIDATE_COLUMNS)].reset_index(drop=True), keys=keys)
