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

Inside, a record is its row position (0..n-1 in rid order) and the link state is a handful of
numpy arrays over those positions (case, rule, confidence, duplicate flag, order of linking);
key matches are integer-code lookups. pandas frames are built only for the candidate pairs a
rule scores (orders shared by several returns, fallback pairs, duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.core.link.assign import mutual_best
from workbench.core.memory import release_memory, system_pool
from workbench.core.link.prepare import SYS_CODE, SYSTEM_NAMES, Prepared, prepare
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
RULES = ("anchor", "return_ref", "refund_ref", "order_ref", "fallback")
_R = {name: i for i, name in enumerate(RULES)}
_CONF = np.array([RULE_CONFIDENCE[r] for r in RULES])

__all__ = ["LinkResult", "link_records", "prepare", "RECORD_COLUMNS", "LINK_COLUMNS", "CANDIDATE_COLUMNS",
           "SYSTEM_NAMES"]


@dataclass
class LinkResult:
    links: pd.DataFrame        # LINK_COLUMNS, one row per record
    candidates: pd.DataFrame   # CANDIDATE_COLUMNS: surfaced alternatives, not links
    keys: pd.DataFrame         # index rid: key_return, key_order, key_refund (normalised)


def _nullable(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), ~np.asarray(present, dtype=bool))


class _Linker:
    def __init__(self, prep: Prepared, settings: BusinessSettings) -> None:
        self.p = prep
        self.dup_window = int(settings.duplicate_window_hours) * 3600
        n = prep.n
        self.anchor = np.full(n, -1, dtype=np.int64)    # the case (its anchor's position); -1 = unlinked
        self.rule = np.full(n, -1, dtype=np.int8)       # index into RULES
        self.conf = np.zeros(n, dtype=np.float64)
        self.dup = np.zeros(n, dtype=bool)
        self.repaired: dict[int, str] = {}              # position -> repair text (few records)
        self.seq = np.full(n, -1, dtype=np.int64)       # order of linking (the links' row order)
        self.next_seq = 0
        self.detached = np.zeros(n, dtype=bool)
        self.candidates: list[pd.DataFrame] = []

    # --- state --------------------------------------------------------------------------
    @property
    def linked(self) -> np.ndarray:
        return self.anchor >= 0

    def _link(self, pos: np.ndarray, anchor: np.ndarray, rule: np.ndarray, conf: np.ndarray) -> None:
        self.anchor[pos] = anchor
        self.rule[pos] = rule
        self.conf[pos] = conf
        self.dup[pos] = False   # (a record is only linked while unlinked: no repair text to clear)
        self.seq[pos] = self.next_seq + np.arange(len(pos))
        self.next_seq += len(pos)

    def add_anchors(self, pos: np.ndarray) -> None:
        if len(pos) == 0:
            return
        self._link(pos, pos, np.full(len(pos), _R["anchor"], dtype=np.int8), np.ones(len(pos)))

    def unlinked(self, system: str) -> np.ndarray:
        return np.flatnonzero((self.p.sys == SYS_CODE[system]) & ~self.linked & ~self.detached)

    def in_seq_order(self, mask: np.ndarray) -> np.ndarray:
        pos = np.flatnonzero(mask)
        return pos[np.argsort(self.seq[pos], kind="stable")]

    def anchors_without(self, system: str) -> np.ndarray:
        """Positions of case anchors (ascending) whose case has no live record of `system`."""
        cases = np.zeros(self.p.n, dtype=bool)
        cases[self.anchor[self.rule == _R["anchor"]]] = True
        live = self.linked & (self.p.sys == SYS_CODE[system]) & ~self.dup
        cases[self.anchor[live]] = False
        return np.flatnonzero(cases)

    # --- rules --------------------------------------------------------------------------
    def by_return_ref(self, u: np.ndarray) -> pd.DataFrame:
        src = self.linked & ~self.dup & ((self.rule == _R["anchor"]) | (self.rule == _R["return_ref"]))
        return self._unique(u, self.p.kr, src, "return_ref", "reference matches several cases")

    def by_refund_ref(self, u: np.ndarray) -> pd.DataFrame:
        src = self.linked & (self.p.sys == SYS_CODE["processor"])
        return self._unique(u, self.p.kf, src, "refund_ref", "refund id matches several cases")

    def _unique(self, u: np.ndarray, key: np.ndarray, src_mask: np.ndarray, rule: str, note: str) -> pd.DataFrame:
        """Records of `u` whose key names exactly one case among the `src_mask` records link to
        it; several cases: link candidates (in the order the pandas merge of old listed them)."""
        src = np.flatnonzero(src_mask & (key >= 0))
        u = u[key[u] >= 0]
        if len(src) == 0 or len(u) == 0:
            return pd.DataFrame(columns=["rid", "anchor", "rule"])
        # distinct (key, case) targets; per key: how many cases, and the first one
        n = self.p.n
        pairs = pd.unique(key[src].astype(np.int64) * n + self.anchor[src])   # distinct (key, case) as one int64
        size = int(max(key.max(), 0)) + 1
        n_cases = np.bincount(pairs // n, minlength=size)
        first = np.full(size, -1, dtype=np.int64)
        first[pairs // n] = pairs % n                            # the case, where it is the only one
        k = key[u]
        hits = n_cases[k]
        one = u[hits == 1]
        several = u[hits > 1]
        if len(several):
            # the pairs in merge order: records ascending, the targets in link order
            keys_wanted = np.zeros(size, dtype=bool)
            keys_wanted[key[several]] = True
            tpos = self.in_seq_order(src_mask & (key >= 0) & keys_wanted[np.maximum(key, 0)])
            targets = pd.DataFrame({"k": key[tpos], "anchor": self.anchor[tpos]}).drop_duplicates()
            left = pd.DataFrame({"rid": several, "k": key[several]})
            amb = left.merge(targets, on="k", how="inner")
            self.candidates.append(pd.DataFrame({"rid": amb["rid"].to_numpy(), "anchor": amb["anchor"].to_numpy(),
                                                 "rule": rule, "score": 0.5, "note": note}))
        return pd.DataFrame({"rid": one, "anchor": first[key[one]], "rule": rule})

    def by_order(self, u: np.ndarray, system: str) -> pd.DataFrame:
        open_anchors = self.anchors_without(system)
        p = self.p
        keep = open_anchors[p.ko[open_anchors] >= 0]
        targets = pd.DataFrame({"k": p.ko[keep], "anchor": keep,
                                "a_amount": _nullable(p.amount[keep], p.has_amount[keep]),
                                "a_t": _nullable(p.ts[keep], p.has_ts[keep])})
        parts = []
        for via_ref, key in ((False, p.ko), (True, p.kr)):
            left = u[key[u] >= 0]
            parts.append(pd.DataFrame({"rid": left, "k": key[left]}).merge(targets, on="k", how="inner")
                         .assign(via_ref=via_ref))
        pairs = pd.concat(parts, ignore_index=True)
        if pairs.empty:
            return pd.DataFrame(columns=["rid", "anchor", "rule", "via_ref", "ambiguous"])
        rid = pairs["rid"].to_numpy()
        amount = _nullable(p.amount[rid], p.has_amount[rid])
        ts = pd.Series(_nullable(p.ts[rid], p.has_ts[rid]))
        pairs["amount_eq"] = pd.Series(amount == pairs["a_amount"].array).fillna(False).to_numpy(dtype=bool)
        hours = (ts - pairs["a_t"]).abs().astype("Float64") / 3600
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

    def by_fallback(self, u: np.ndarray, system: str) -> pd.DataFrame:
        p = self.p
        a = self.anchors_without(system)
        a = a[p.has_amount[a] & p.has_ts[a]]
        u = u[p.has_amount[u]]
        kc_a, kc_u = p.customer_keys(a, u)
        a, kc_a = a[kc_a >= 0], kc_a[kc_a >= 0]
        left, kc_u = u[kc_u >= 0], kc_u[kc_u >= 0]
        targets = pd.DataFrame({"kc": kc_a, "amount": p.amount[a], "anchor": a, "a_t": p.ts[a]})
        left = pd.DataFrame({"rid": left, "kc": kc_u, "amount": p.amount[left],
                             "ts": _nullable(p.ts[left], p.has_ts[left])})
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
    def apply(self, found: pd.DataFrame) -> np.ndarray:
        """Record links found by a rule. Repair text is built only for the rows that need it.
        Returns the positions linked."""
        if found.empty:
            return np.zeros(0, dtype=np.int64)
        p = self.p
        pos = found["rid"].to_numpy(dtype="int64")
        rule_names = found["rule"].to_numpy(dtype=object)
        rule = np.array([_R[r] for r in rule_names], dtype=np.int8) if len(set(rule_names)) > 1 else \
            np.full(len(pos), _R[rule_names[0]], dtype=np.int8)
        drifted_all = p.drifted[pos]
        has_ref = p.has_ref[pos]
        conf = _CONF[rule].copy()
        is_ret = rule == _R["return_ref"]
        via_ref = (found["via_ref"].fillna(False).to_numpy(dtype=bool) if "via_ref" in found
                   else np.zeros(len(found), dtype=bool))
        order_as_ref = (rule == _R["order_ref"]) & via_ref
        fb = rule == _R["fallback"]
        drifted = is_ret & drifted_all
        broken = ~is_ret & ~order_as_ref & has_ref & ~fb
        conf[drifted] = RULE_CONFIDENCE["return_ref_repaired"]
        if "ambiguous" in found:
            conf[found["ambiguous"].fillna(False).to_numpy(dtype=bool)] = RULE_CONFIDENCE["order_ref_ambiguous"]
        self._link(pos, found["anchor"].to_numpy(dtype="int64"), rule, conf)

        def raw(mask):
            return p.raw_ref(pos[mask]).astype(object)

        texts = []
        if drifted.any():
            texts.append((pos[drifted], p.drift.reindex(pos[drifted]).to_numpy(dtype=object, na_value=None)))
        if order_as_ref.any():
            texts.append((pos[order_as_ref], "order number " + raw(order_as_ref) + " instead of return id"))
        if broken.any():
            how = np.where(rule[broken] == _R["refund_ref"], "refund id", "order")
            texts.append((pos[broken], "reference " + raw(broken) + " matches no return; linked by " + how))
        if (fb & has_ref).any():
            texts.append((pos[fb & has_ref], "reference " + raw(fb & has_ref)
                          + " matches no return; linked by customer, amount and time"))
        if (fb & ~has_ref).any():
            texts.append((pos[fb & ~has_ref], np.full(int((fb & ~has_ref).sum()),
                                                      "reference blank; linked by customer, amount and time",
                                                      dtype=object)))
        for where, text in texts:
            self.repaired.update(zip(where.tolist(), text.tolist()))
        return pos

    def settle(self, system: str) -> None:
        """At most one live record of `system` per case: extras become duplicates or detach."""
        p = self.p
        own = np.flatnonzero(self.linked & (p.sys == SYS_CODE[system]))
        counts = np.bincount(self.anchor[own], minlength=p.n)
        multi_pos = own[counts[self.anchor[own]] > 1]
        if len(multi_pos) == 0:
            return
        anchor = self.anchor[multi_pos]
        multi = pd.DataFrame({
            "rid": multi_pos, "anchor": anchor, "rule": self.rule[multi_pos], "confidence": self.conf[multi_pos],
            "amount": _nullable(p.amount[multi_pos], p.has_amount[multi_pos]),
            "t": _nullable(p.ts[multi_pos], p.has_ts[multi_pos]),
            "a_amount": _nullable(p.amount[anchor], p.has_amount[anchor])})
        multi["is_anchor"] = multi["rule"] == _R["anchor"]
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
        self.dup[rest["rid"].to_numpy()[dup]] = True
        detach = rest.loc[~dup]
        if not detach.empty:
            d = detach["rid"].to_numpy()
            self.candidates.append(pd.DataFrame({
                "rid": d, "anchor": detach["anchor"].to_numpy(),
                "rule": np.array(RULES, dtype=object)[detach["rule"].to_numpy()], "score": 0.4,
                "note": "second " + system + " record for this case (different amount or far apart in time)"}))
            self.anchor[d] = -1
            self.rule[d] = -1
            self.seq[d] = -1
            self.dup[d] = False
            for r in d.tolist():
                self.repaired.pop(r, None)
            self.detached[d] = True

    def attach(self, system: str, rules: tuple[str, ...], settle: bool = True) -> None:
        for rule in rules:
            u = self.unlinked(system)
            if len(u) == 0:
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
        p = self.p
        u = self.unlinked(system)
        if len(u) == 0:
            return
        live = self.in_seq_order(self.linked & (p.sys == SYS_CODE[system]) & ~self.dup)
        if len(live) == 0:
            return
        u = u[p.has_amount[u]]
        live = live[p.has_amount[live]]
        # customers are compared only where both references are blank
        kc_live = np.full(len(live), -1, dtype=np.int64)
        kc_u = np.full(len(u), -1, dtype=np.int64)
        live_blank, u_blank = p.kr[live] < 0, p.kr[u] < 0
        kc_live[live_blank], kc_u[u_blank] = p.customer_keys(live[live_blank], u[u_blank])
        lp = pd.DataFrame({"kr": p.kr[live], "kc": kc_live, "amount": p.amount[live],
                           "ts_live": _nullable(p.ts[live], p.has_ts[live]), "anchor": self.anchor[live],
                           "live_rule": self.rule[live]})
        uf = pd.DataFrame({"rid": u, "kr": p.kr[u], "kc": kc_u, "amount": p.amount[u],
                           "ts": _nullable(p.ts[u], p.has_ts[u])})
        with_ref = uf[uf["kr"].to_numpy() >= 0].merge(lp[lp["kr"].to_numpy() >= 0].drop(columns="kc"),
                                                      on=["kr", "amount"])
        blank = uf[uf["kr"].to_numpy() < 0].merge(
            lp[(lp["kr"].to_numpy() < 0) & (lp["kc"].to_numpy() >= 0)].drop(columns="kr"), on=["kc", "amount"])
        pairs = pd.concat([with_ref, blank], ignore_index=True)
        if pairs.empty:
            return
        pairs["gap"] = (pairs["ts"] - pairs["ts_live"]).abs()
        pairs = pairs[(pairs["gap"] <= self.dup_window).fillna(False).to_numpy()]
        pairs = pairs.sort_values(["rid", "gap"]).drop_duplicates("rid")
        if pairs.empty:
            return
        found = pd.DataFrame({"rid": pairs["rid"].to_numpy(), "anchor": pairs["anchor"].to_numpy(),
                              "rule": np.array(RULES, dtype=object)[pairs["live_rule"].to_numpy()]})
        pos = self.apply(found)
        self.dup[pos] = True

    def anchor_rest(self, system: str) -> None:
        rest = np.flatnonzero((self.p.sys == SYS_CODE[system]) & ~self.linked)
        self.add_anchors(rest)
        self.detached[rest] = False

    # --- result ---------------------------------------------------------------------------
    def links(self, rid_values: np.ndarray) -> pd.DataFrame:
        pos = np.flatnonzero(self.seq >= 0)
        pos = pos[np.argsort(self.seq[pos], kind="stable")]
        # repair texts (a few records) spread over the rows by an Arrow take: no Python object per row
        texts = pa.array(list(self.repaired.values()), type=pa.string())
        which = np.full(self.p.n, -1, dtype=np.int64)
        which[np.fromiter(self.repaired.keys(), dtype=np.int64, count=len(self.repaired))] = np.arange(len(texts))
        which = which[pos]
        repaired = texts.take(pa.array(np.maximum(which, 0), mask=which < 0)) if len(texts) else \
            pa.nulls(len(pos), type=pa.string())
        # system and rule as categoricals (a byte per link); 'manual' is the rule of an override
        return pd.DataFrame({
            "rid": rid_values[pos], "anchor": rid_values[self.anchor[pos]],
            "system": pd.Categorical.from_codes(self.p.sys[pos], categories=pd.Index(SYSTEM_NAMES, dtype="string")),
            "rule": pd.Categorical.from_codes(self.rule[pos], categories=pd.Index(RULES + ("manual",), dtype="string")),
            "confidence": self.conf[pos], "is_duplicate": self.dup[pos],
            "repaired": pd.array(repaired, dtype="string"),
        })


def link_records(records: pd.DataFrame, settings: BusinessSettings | None = None) -> LinkResult:
    """Link canonical records (with a unique integer `rid` and `system`, `profile`) into cases."""
    with system_pool():
        return _link_records(records, settings or BusinessSettings())


def _link_records(records: pd.DataFrame, settings: BusinessSettings) -> LinkResult:
    missing = [c for c in RECORD_COLUMNS if c not in records]
    if missing:
        raise ValueError(f"records frame lacks columns: {', '.join(missing)}")
    # internally a record is its row position (0..n-1 in rid order): lookups become plain
    # array indexing instead of hash lookups; ids are mapped back at the end
    rid_values = records["rid"].to_numpy(dtype="int64")
    order = None
    if len(rid_values) > 1 and not (np.diff(rid_values) > 0).all():
        order = np.argsort(rid_values, kind="stable")
        rid_values = rid_values[order]
    prep = prepare(records, order)
    release_memory()
    lk = _Linker(prep, settings)
    lk.add_anchors(np.flatnonzero(prep.sys == SYS_CODE["portal"]))
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
    links = lk.links(rid_values)
    cands = (pd.concat(lk.candidates, ignore_index=True) if lk.candidates
             else pd.DataFrame(columns=list(CANDIDATE_COLUMNS)))
    # a candidate pointing at the record's own case is no alternative
    if not cands.empty:
        own = lk.anchor[cands["rid"].to_numpy(dtype="int64")]
        cands = cands[cands["anchor"].to_numpy() != own].drop_duplicates(["rid", "anchor"])
    for col in ("rid", "anchor"):
        cands[col] = rid_values[cands[col].to_numpy(dtype="int64")]
    keys = prep.keys
    keys.index = pd.Index(rid_values, name="rid")
    del lk, prep
    release_memory()
    return LinkResult(links=links, candidates=cands[list(CANDIDATE_COLUMNS)].reset_index(drop=True), keys=keys)
