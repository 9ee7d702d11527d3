"""One wide row per case (indexed by anchor rid): the live record of each system side by side,
duplicates, repaired links and open tickets. The symptom rules read only this frame.

Memory: `records` is never copied. Each wanted column is taken by position (one Arrow/numpy
take per column) for the cases' live records; only the small subsets (duplicates, repaired
links, tickets) get a frame of their own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.link.positions import Positions, take

REFUND_SYSTEMS = ("portal", "processor", "erp")
_PER_SYSTEM = ("record_id", "amount_minor", "stage", "occurred_at")
_PORTAL_EXTRA = ("approved_at",)
_LABEL = {"portal": "Portal", "processor": "Processor", "erp": "ERP", "support": "Support"}
_SPECIAL_COLUMNS = ("record_id", "amount_minor", "stage", "status_raw", "occurred_at", "updated_at")
_TIME_COLUMNS = ("occurred_at", "approved_at", "refunded_at", "updated_at")


def _joined(frame: pd.DataFrame, key: str, col: str, sep: str = "; ") -> pd.Series:
    """Join a text column per group (groups with several rows only go through Python)."""
    if frame.empty:
        return pd.Series(dtype="string")
    counts = frame.groupby(key)[col].transform("size")
    single = frame[counts == 1].set_index(key)[col].astype("string")
    multi = frame[counts > 1]
    if multi.empty:
        return single
    joined = multi.groupby(key)[col].agg(lambda v: sep.join(str(x) for x in v)).astype("string")
    return pd.concat([single, joined])


def _take(records: pd.DataFrame, col: str, pos: np.ndarray, combined: dict | None = None):
    """records[col] at positions `pos` (-1 = missing), as an array (no frame copy)."""
    if col not in records:
        return pd.array([pd.NA] * len(pos), dtype="string")
    return take(records[col], pos, combined)


def case_facts(records: pd.DataFrame, links: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    rows = Positions(records["rid"].to_numpy(dtype="int64"))
    link_anchor = links["anchor"].to_numpy(dtype="int64")
    link_pos = rows.of(links["rid"].to_numpy(dtype="int64"))
    sys_codes, sys_names = pd.factorize(links["system"])
    sys_codes = np.asarray(sys_codes, dtype=np.int8)
    sys_of = {name: i for i, name in enumerate(sys_names)}

    def of_system(name: str) -> np.ndarray:
        return sys_codes == sys_of.get(name, -2)

    is_dup = links["is_duplicate"].to_numpy(dtype=bool)
    is_anchor = (links["rule"] == "anchor").to_numpy(dtype=bool)
    anchors = pd.Index(pd.unique(link_anchor[is_anchor]), name="anchor")
    anchor_pos = rows.of(anchors.to_numpy())
    # each link's case as a slot 0..len(anchors)-1 (-1: its anchor is not an anchor row)
    slot_of_pos = np.full(len(records) + 1, -1, dtype=np.int32)
    slot_of_pos[anchor_pos[anchor_pos >= 0]] = np.flatnonzero(anchor_pos >= 0)
    link_slot = slot_of_pos[rows.of(link_anchor)]
    del slot_of_pos

    facts = pd.DataFrame(index=anchors)
    cache: dict = {}       # factorized low-cardinality columns
    combined: dict = {}    # text columns of several Arrow chunks, combined once (see positions.take)
    facts["anchor_system"] = _categories(records, "system", anchor_pos, cache)
    facts["anchor_record_id"] = _take(records, "record_id", anchor_pos, combined)
    # the live record of each system: the first live link of that system per case
    live = ~is_dup & (link_slot >= 0)
    rid_all = records["rid"].to_numpy(dtype="int64")
    system_pos = {}
    for system in REFUND_SYSTEMS + ("support",):
        sel = np.flatnonzero(live & of_system(system))
        first = np.full(len(anchors), len(sel), dtype=np.int64)   # the first such link per case
        np.minimum.at(first, link_slot[sel], np.arange(len(sel)))
        pos = np.full(len(anchors), -1, dtype=np.int64)
        has = first < len(sel)
        pos[has] = link_pos[sel[first[has]]]
        system_pos[system] = pos
        facts[f"{system}_rid"] = pd.arrays.IntegerArray(np.where(pos >= 0, rid_all[np.maximum(pos, 0)], 0), pos < 0)
        if system == "support":
            continue
        for col in _PER_SYSTEM + (_PORTAL_EXTRA if system == "portal" else ()):
            facts[f"{system}_{col}"] = (_categories(records, col, pos, cache) if col == "stage"
                                        else _take(records, col, pos, combined))
    facts["present"] = _present(facts, anchors)

    # only the small subsets (duplicates, repaired links, tickets) carry record columns
    repaired = links["repaired"].to_numpy(dtype=object, na_value=None)
    has_repair = pd.notna(repaired) & (repaired != "")
    special = np.flatnonzero(is_dup | has_repair | of_system("support"))
    lk = pd.DataFrame({"anchor": link_anchor[special],
                       "system": np.asarray(sys_names, dtype=object)[sys_codes[special]],
                       "is_duplicate": is_dup[special],
                       "repaired": pd.array(repaired[special], dtype="string")})
    for col in _SPECIAL_COLUMNS:
        lk[col] = _take(records, col, link_pos[special], combined)

    # duplicates of refund-carrying systems
    dups = lk[lk["is_duplicate"].to_numpy() & lk["system"].isin(REFUND_SYSTEMS).to_numpy()]
    facts["dup_count"] = dups.groupby("anchor").size().reindex(anchors).fillna(0).astype(int)
    facts["dup_latest"] = dups.groupby("anchor")["occurred_at"].max().reindex(anchors)
    if not dups.empty:
        dup_text = dups["system"].map(_LABEL) + " " + dups["record_id"].astype("string")
        facts["dup_text"] = _joined(dups.assign(text=dup_text), "anchor", "text").reindex(anchors)
        facts["dup_systems"] = _joined(dups.drop_duplicates(["anchor", "system"]), "anchor", "system", ";").reindex(anchors)
        first_dup = dups.drop_duplicates("anchor").set_index("anchor")
        facts["dup_amount"] = first_dup["amount_minor"].reindex(anchors)
        facts["dup_system"] = first_dup["system"].astype("string").reindex(anchors)
        live_t = pd.Series(pd.NaT, index=first_dup.index, dtype=first_dup["occurred_at"].dtype)
        for system in REFUND_SYSTEMS:
            sel = (first_dup["system"] == system).to_numpy()
            live_t[sel] = facts.loc[first_dup.index[sel], f"{system}_occurred_at"].to_numpy()
        facts["dup_gap"] = (first_dup["occurred_at"] - live_t).abs().reindex(anchors)
    else:
        for col in ("dup_text", "dup_systems", "dup_system"):
            facts[col] = pd.Series(pd.NA, index=anchors, dtype="string")
        facts["dup_amount"] = pd.Series(pd.NA, index=anchors, dtype="Int64")
        facts["dup_gap"] = pd.Series(pd.NaT, index=anchors, dtype="timedelta64[us]")

    # repaired links (drift, order number, fallback) and references that point nowhere
    rep = lk[lk["repaired"].notna().to_numpy() & (lk["repaired"] != "").fillna(False).to_numpy()]
    rep_text = (rep["system"].map(_LABEL) + " " + rep["record_id"].astype("string") + ": " + rep["repaired"])
    facts["repaired_text"] = _joined(rep.assign(text=rep_text), "anchor", "text").reindex(anchors).astype("string")
    facts["repaired_systems"] = _joined(rep.drop_duplicates(["anchor", "system"]), "anchor", "system", ";") \
        .reindex(anchors).astype("string")
    key_pos = Positions(keys.index.to_numpy(dtype="int64")).of(anchors.to_numpy())
    anchor_has_key = ~np.asarray(keys["key_return"].array.take(key_pos, allow_fill=True).isna(), dtype=bool)
    facts["erp_orphan_ref"] = (facts["anchor_system"] == "erp").to_numpy(dtype=bool, na_value=False) & anchor_has_key
    facts["erp_orphan_ref_text"] = _take(records, "return_ref", anchor_pos, combined)

    # support tickets still open/pending: the least recently updated one
    tickets = lk[(lk["system"] == "support").to_numpy()]
    tickets = tickets.assign(touched=tickets["updated_at"].fillna(tickets["occurred_at"]))
    # 'hold' is parked on purpose (waiting on a third party), not forgotten
    on_hold = tickets["status_raw"].astype("string").str.strip().str.lower().isin(["hold", "on-hold", "on hold"])
    open_t = tickets[tickets["stage"].isin(["open", "pending"]).fillna(False).to_numpy()
                     & ~on_hold.fillna(False).to_numpy(dtype=bool)]
    open_t = open_t.sort_values(["anchor", "touched"])
    first_open = open_t.drop_duplicates("anchor").set_index("anchor")
    facts["ticket_record_id"] = first_open["record_id"].reindex(anchors)
    facts["ticket_stage"] = first_open["stage"].reindex(anchors)
    facts["ticket_touched"] = first_open["touched"].reindex(anchors)
    facts["support_ids"] = _joined(tickets, "anchor", "record_id", ";").reindex(anchors)
    del lk, dups, rep, tickets, open_t, cache

    # case-wide attributes: earliest and latest event of every record, grouped by case
    first, last = _event_span(records, link_pos, link_slot, len(anchors))
    facts["first_event_at"] = first
    facts["last_event_at"] = last
    # the case's order, customer and currency: the portal's, else the anchor's (order, customer)
    # or the processor's, else the ERP's (currency); one take each
    facts["order_ref"] = _take(records, "order_ref", _first_present(records, "order_ref",
                                                                   (system_pos["portal"], anchor_pos)), combined)
    facts["customer"] = _take(records, "customer", _first_present(records, "customer",
                                                                  (system_pos["portal"], anchor_pos)), combined)
    currency_pos = _first_present(records, "currency", tuple(system_pos[s] for s in REFUND_SYSTEMS))
    facts["currency"] = pd.Series(_take(records, "currency", currency_pos, combined), index=anchors).str.upper()
    combined.clear()
    return facts


def _categories(records: pd.DataFrame, col: str, pos: np.ndarray, cache: dict) -> pd.Categorical:
    """A low-cardinality text column (stage, system) at positions `pos` as a categorical
    (the column is factorized once per call of case_facts: `cache`)."""
    if col not in cache:
        codes, uniques = pd.factorize(records[col])
        cache[col] = (np.asarray(codes, dtype=np.int64), uniques)
    codes, uniques = cache[col]
    taken = np.where(pos >= 0, codes[np.maximum(pos, 0)], -1)
    return pd.Categorical.from_codes(taken, categories=pd.Index(uniques, dtype="string"))


def _first_present(records: pd.DataFrame, col: str, choices: tuple[np.ndarray, ...]) -> np.ndarray:
    """Per case the first position of `choices` whose record has `col` (-1 when none has)."""
    present = records[col].notna().to_numpy(dtype=bool)
    out = np.full(len(choices[0]), -1, dtype=np.int64)
    for pos in choices:
        use = (out < 0) & (pos >= 0) & present[np.maximum(pos, 0)]
        out[use] = pos[use]
    return out


def _event_span(records: pd.DataFrame, link_pos: np.ndarray, link_slot: np.ndarray, n_cases: int):
    """Earliest and latest time of any of a case's records (NaT when none has a time)."""
    tcols = [c for c in _TIME_COLUMNS if c in records]
    keep = (link_slot >= 0) & (link_pos >= 0)
    pos, slot = link_pos[keep], link_slot[keep]
    big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    lo = np.full(n_cases, big, dtype=np.int64)
    hi = np.full(n_cases, small, dtype=np.int64)
    unit = records[tcols[0]].dtype.unit if tcols else "us"
    rec_lo = np.full(len(records), big, dtype=np.int64)     # per record first, then per case
    rec_hi = np.full(len(records), small, dtype=np.int64)
    for col in tcols:
        ints = records[col].to_numpy(dtype=f"datetime64[{unit}]").view("int64")   # naive UTC; NaT = min
        np.minimum(rec_lo, ints, out=rec_lo, where=ints != small)
        np.maximum(rec_hi, ints, out=rec_hi)
        del ints
    np.minimum.at(lo, slot, rec_lo[pos])
    np.maximum.at(hi, slot, rec_hi[pos])
    dtype = f"datetime64[{unit}]"
    lo_t = np.where(lo == big, np.datetime64("NaT", unit), lo.view(dtype))
    hi_t = np.where(hi == small, np.datetime64("NaT", unit), hi.view(dtype))
    tz = f"datetime64[{unit}, UTC]"
    return pd.array(lo_t, dtype=tz), pd.array(hi_t, dtype=tz)


def _present(facts: pd.DataFrame, anchors: pd.Index) -> pd.Series:
    """'portal;processor;erp;support' style text per case, via the 16 possible combinations."""
    names = ("portal", "processor", "erp", "support")
    bits = np.zeros(len(anchors), dtype=np.int64)
    for i, system in enumerate(names):
        bits |= facts[f"{system}_rid"].notna().to_numpy().astype(np.int64) << i
    table = [";".join(n for i, n in enumerate(names) if b >> i & 1) for b in range(16)]
    return pd.Series(pd.Categorical.from_codes(bits, categories=pd.Index(table, dtype="string")), index=anchors)
