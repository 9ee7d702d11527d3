"""Honour a person's link overrides (`case_links.is_override`): re-linking never undoes them."""

from __future__ import annotations

import pandas as pd


def apply_overrides(links: pd.DataFrame, pins: pd.DataFrame) -> pd.DataFrame:
    """Move pinned records to their pinned anchor, rule 'manual', confidence 1.0.

    `pins` has rid and anchor (the target case's anchor record). A pinned record that anchored
    a case of its own hands the anchor to the next member of that case, so no case loses its
    name while it still has records."""
    if pins.empty:
        return links.assign(is_override=False)
    links = links.copy()
    links["is_override"] = False
    pins = pins[pins["rid"].isin(links["rid"]) & pins["anchor"].isin(links["anchor"])]
    pins = pins[pins["rid"] != pins["anchor"]]
    if pins.empty:
        return links
    # cases whose anchor is being moved away: promote the next member
    moved_anchors = pins.loc[pins["rid"].isin(links.loc[links["rule"] == "anchor", "rid"]), "rid"]
    for old in moved_anchors:   # a handful of manual overrides, not a per-record loop
        members = links[(links["anchor"] == old) & (links["rid"] != old) & ~links["rid"].isin(pins["rid"])]
        if members.empty:
            continue
        new = members.sort_values(["is_duplicate", "confidence"], ascending=[True, False])["rid"].iloc[0]
        links.loc[links["anchor"] == old, "anchor"] = new
        links.loc[links["rid"] == new, ["rule", "confidence", "repaired"]] = ["anchor", 1.0, pd.NA]
    target = pins.set_index("rid")["anchor"]
    mask = links["rid"].isin(target.index)
    links.loc[mask, "anchor"] = target.reindex(links.loc[mask, "rid"]).to_numpy()
    links.loc[mask, "rule"] = "manual"
    links.loc[mask, "confidence"] = 1.0
    links.loc[mask, "is_duplicate"] = False
    links.loc[mask, "repaired"] = pd.NA
    links.loc[mask, "is_override"] = True
    return links
