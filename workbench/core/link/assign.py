"""Set-based one-to-one assignment of records to cases from scored candidate pairs."""

from __future__ import annotations

import pandas as pd


def mutual_best(pairs: pd.DataFrame, rounds: int = 6) -> pd.DataFrame:
    """Greedy one-to-one matching: in each round every record proposes its best-scoring
    case, every case keeps its best proposer; accepted pairs leave the pool.

    `pairs` has columns rid, anchor, score (higher is better; ties broken by the lower ids,
    so the result is deterministic). Returns the accepted rows of `pairs`."""
    if pairs.empty:
        return pairs.iloc[0:0]
    pool = pairs.sort_values(["score", "rid", "anchor"], ascending=[False, True, True])
    accepted: list[pd.DataFrame] = []
    for _ in range(rounds):
        if pool.empty:
            break
        proposals = pool.drop_duplicates("rid")
        winners = proposals.drop_duplicates("anchor")
        accepted.append(winners)
        pool = pool[~pool["rid"].isin(winners["rid"]) & ~pool["anchor"].isin(winners["anchor"])]
    return pd.concat(accepted) if accepted else pairs.iloc[0:0]
