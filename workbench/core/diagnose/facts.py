"""One wide row per case (indexed by anchor rid): the live record of each system side by side,
duplicates, repaired links and open tickets. The symptom rules read only this frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

REFUND_SYSTEMS = ("portal", "processor", "erp")
_PER_SYSTEM = ("rid", "record_id", "amount_minor", "currency", "stage", "occurred_at")
_LABEL = {"portal": "Portal", "processor": "Processor", "erp": "ERP", "support": "Support"}


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


def case_facts(records: pd.DataFrame, links: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    if "status_raw" not in records:
        records = records.assign(status_raw=pd.Series(pd.NA, index=records.index, dtype="string"))
    rec = records.set_index("rid", drop=False)
    cols = ["rid", "record_id", "return_ref", "order_ref", "customer", "amount_minor", "currency",
            "stage", "status_raw", "occurred_at", "approved_at", "refunded_at", "updated_at"]
    anchors = pd.Index(links.loc[links["rule"] == "anchor", "anchor"].unique(), name="anchor")
    facts = pd.DataFrame(index=anchors)
    anchor_pos = rec.index.get_indexer(anchors)
    facts["anchor_system"] = rec["system"].array.take(anchor_pos)
    facts["anchor_record_id"] = rec["record_id"].array.take(anchor_pos)
    # the live record of each system: positions into `rec`, one take per column
    live_links = links[~links["is_duplicate"].to_numpy(dtype=bool)]
    for system in REFUND_SYSTEMS + ("support",):
        sub = live_links[live_links["system"] == system].drop_duplicates("anchor")
        rid_of = pd.Series(sub["rid"].to_numpy(), index=sub["anchor"].to_numpy()).reindex(anchors)
        pos = rec.index.get_indexer(rid_of.fillna(-1).astype("int64"))
        wanted = _PER_SYSTEM + (("approved_at", "refunded_at", "order_ref", "customer", "return_ref")
                                if system == "portal" else ())
        if system == "support":
            facts["support_rid"] = rid_of.astype("Int64")
            continue
        for col in wanted:
            facts[f"{system}_{col}"] = rec[col].array.take(pos, allow_fill=True)
        facts[f"{system}_rid"] = rid_of.astype("Int64").to_numpy()
    facts["present"] = _present(facts, anchors)
    # only the small subsets (duplicates, repaired links, tickets) carry record columns
    special = links[links["is_duplicate"].to_numpy(dtype=bool) | links["repaired"].notna().to_numpy()
                    | (links["system"] == "support").to_numpy()]
    lk = special.merge(records[cols], on="rid", how="left")
    live = lk[~lk["is_duplicate"]]

    # duplicates of refund-carrying systems
    dups = lk[lk["is_duplicate"] & lk["system"].isin(REFUND_SYSTEMS)]
    facts["dup_count"] = dups.groupby("anchor").size().reindex(anchors).fillna(0).astype(int)
    facts["dup_latest"] = dups.groupby("anchor")["occurred_at"].max().reindex(anchors)
    if not dups.empty:
        dup_text = dups["system"].map(_LABEL) + " " + dups["record_id"].astype("string")
        facts["dup_text"] = _joined(dups.assign(text=dup_text), "anchor", "text").reindex(anchors)
        facts["dup_systems"] = _joined(dups.drop_duplicates(["anchor", "system"]), "anchor", "system", ";").reindex(anchors)
        first_dup = dups.drop_duplicates("anchor").set_index("anchor")
        facts["dup_amount"] = first_dup["amount_minor"].reindex(anchors)
        facts["dup_system"] = first_dup["system"].reindex(anchors)
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
    rep = lk[lk["repaired"].notna() & (lk["repaired"] != "")]
    rep_text = (rep["system"].map(_LABEL) + " " + rep["record_id"].astype("string") + ": " + rep["repaired"])
    facts["repaired_text"] = _joined(rep.assign(text=rep_text), "anchor", "text").reindex(anchors).astype("string")
    facts["repaired_systems"] = _joined(rep.drop_duplicates(["anchor", "system"]), "anchor", "system", ";") \
        .reindex(anchors).astype("string")
    anchor_keys = keys["key_return"].reindex(anchors)
    facts["erp_orphan_ref"] = ((facts["anchor_system"] == "erp") & anchor_keys.notna().to_numpy())
    facts["erp_orphan_ref_text"] = rec["return_ref"].array.take(anchor_pos)

    # support tickets still open/pending: the least recently updated one
    tickets = lk[lk["system"] == "support"].copy()
    tickets["touched"] = tickets["updated_at"].fillna(tickets["occurred_at"])
    # 'hold' is parked on purpose (waiting on a third party), not forgotten
    on_hold = tickets["status_raw"].astype("string").str.strip().str.lower().isin(["hold", "on-hold", "on hold"])
    open_t = tickets[tickets["stage"].isin(["open", "pending"]) & ~on_hold.fillna(False)]
    open_t = open_t.sort_values(["anchor", "touched"])
    first_open = open_t.drop_duplicates("anchor").set_index("anchor")
    facts["ticket_record_id"] = first_open["record_id"].reindex(anchors)
    facts["ticket_stage"] = first_open["stage"].reindex(anchors)
    facts["ticket_touched"] = first_open["touched"].reindex(anchors)
    facts["support_ids"] = _joined(tickets, "anchor", "record_id", ";").reindex(anchors)

    # case-wide attributes: earliest and latest event of every record, grouped by case
    tcols = [c for c in ("occurred_at", "approved_at", "refunded_at", "updated_at") if c in records]
    pos = rec.index.get_indexer(links["rid"])
    first = rec[tcols].min(axis=1).array.take(pos)
    last = rec[tcols].max(axis=1).array.take(pos)
    by_case = pd.DataFrame({"anchor": links["anchor"].to_numpy(), "first": first, "last": last}).groupby("anchor")
    facts["first_event_at"] = by_case["first"].min().reindex(anchors)
    facts["last_event_at"] = by_case["last"].max().reindex(anchors)
    anchor_order = rec["order_ref"].array.take(anchor_pos)
    anchor_cust = rec["customer"].array.take(anchor_pos)
    facts["order_ref"] = facts["portal_order_ref"].fillna(pd.Series(anchor_order, index=anchors))
    facts["customer"] = facts["portal_customer"].fillna(pd.Series(anchor_cust, index=anchors))
    currency = facts["portal_currency"].astype("string")
    for system in ("processor", "erp"):
        currency = currency.fillna(facts[f"{system}_currency"].astype("string"))
    facts["currency"] = currency.str.upper()
    return facts


def _present(facts: pd.DataFrame, anchors: pd.Index) -> pd.Series:
    """'portal;processor;erp;support' style text per case, via the 16 possible combinations."""
    names = ("portal", "processor", "erp", "support")
    bits = np.zeros(len(anchors), dtype=np.int64)
    for i, system in enumerate(names):
        bits |= facts[f"{system}_rid"].notna().to_numpy().astype(np.int64) << i
    table = np.array([";".join(n for i, n in enumerate(names) if b >> i & 1) for b in range(16)], dtype=object)
    return pd.Series(pd.array(table[bits], dtype="string"), index=anchors)
