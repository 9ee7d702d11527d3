"""One wide row per case (indexed by anchor rid): the live record of each system side by side,
duplicates, repaired links and open tickets. The symptom rules read only this frame."""

from __future__ import annotations

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
    lk = links.merge(records[cols], on="rid", how="left")
    anchors = pd.Index(links.loc[links["rule"] == "anchor", "anchor"].unique(), name="anchor")
    facts = pd.DataFrame(index=anchors)
    facts["anchor_system"] = rec.loc[anchors, "system"].to_numpy()
    facts["anchor_record_id"] = rec.loc[anchors, "record_id"].to_numpy()
    live = lk[~lk["is_duplicate"]]
    for system in REFUND_SYSTEMS:
        sub = live[live["system"] == system].drop_duplicates("anchor").set_index("anchor")
        for col in _PER_SYSTEM:
            facts[f"{system}_{col}"] = sub[col].reindex(anchors)
    portal = live[live["system"] == "portal"].set_index("anchor")
    for col in ("approved_at", "refunded_at", "order_ref", "customer", "return_ref"):
        facts[f"portal_{col}"] = portal[col].reindex(anchors)
    facts["present"] = _present(facts, lk, anchors)

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
        live_of = live.drop_duplicates(["anchor", "system"])[["anchor", "system", "occurred_at"]]
        paired = first_dup.reset_index()[["anchor", "system", "occurred_at"]].merge(
            live_of, on=["anchor", "system"], how="left", suffixes=("", "_live"))
        gap = (paired["occurred_at"] - paired["occurred_at_live"]).abs()
        facts["dup_gap"] = pd.Series(gap.to_numpy(), index=paired["anchor"].to_numpy()).reindex(anchors)
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
    facts["erp_orphan_ref_text"] = rec.loc[anchors, "return_ref"].astype("string").to_numpy()

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

    # case-wide attributes
    times = pd.concat([lk[["anchor", c]].rename(columns={c: "t"}) for c in
                       ("occurred_at", "approved_at", "refunded_at", "updated_at")])
    grouped = times.groupby("anchor")["t"]
    facts["first_event_at"] = grouped.min().reindex(anchors)
    facts["last_event_at"] = grouped.max().reindex(anchors)
    any_order = lk.dropna(subset=["order_ref"]).drop_duplicates("anchor").set_index("anchor")["order_ref"]
    any_cust = lk.dropna(subset=["customer"]).drop_duplicates("anchor").set_index("anchor")["customer"]
    any_cur = lk.dropna(subset=["currency"]).drop_duplicates("anchor").set_index("anchor")["currency"]
    facts["order_ref"] = facts["portal_order_ref"].fillna(any_order.reindex(anchors))
    facts["customer"] = facts["portal_customer"].fillna(any_cust.reindex(anchors))
    facts["currency"] = any_cur.reindex(anchors).astype("string").str.upper()
    return facts


def _present(facts: pd.DataFrame, lk: pd.DataFrame, anchors: pd.Index) -> pd.Series:
    present = pd.Series("", index=anchors, dtype="string")
    has_support = pd.Series(False, index=anchors)
    has_support.loc[lk.loc[lk["system"] == "support", "anchor"].unique()] = True
    for system in ("portal", "processor", "erp", "support"):
        has = has_support if system == "support" else facts[f"{system}_rid"].notna()
        present = present.where(~has, present.where(present == "", present + ";") + system)
    return present
