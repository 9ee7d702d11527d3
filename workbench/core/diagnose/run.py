"""Link result -> case facts -> findings -> one summary row per case (the `cases` columns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.diagnose.catalog import PRIORITY
from workbench.core.diagnose.facts import case_facts
from workbench.core.diagnose.rules import diagnose
from workbench.core.diagnose.text import period_code, period_text
from workbench.core.link.linker import LinkResult
from workbench.core.memory import release_memory, system_pool
from workbench.core.store.models import SYMPTOMS as SYMPTOM_CODES
from workbench.core.settings import BusinessSettings


# the case facts the summary is built from (Diagnosis.facts keeps these)
SUMMARY_INPUTS = (
    "anchor_system", "anchor_record_id", "present", "order_ref", "customer", "currency",
    "portal_record_id", "processor_record_id", "erp_record_id", "support_ids",
    "portal_amount_minor", "processor_amount_minor", "erp_amount_minor",
    "portal_approved_at", "portal_occurred_at", "first_event_at", "last_event_at",
)


@dataclass
class Diagnosis:
    as_of: datetime
    facts: pd.DataFrame      # one row per case, indexed by anchor rid: SUMMARY_INPUTS (the
                             # rule-only columns of diagnose.facts are dropped once the rules ran)
    findings: pd.DataFrame   # rules.FINDING_COLUMNS
    cases: pd.DataFrame      # summary per case, indexed by anchor rid (see summarise)


def default_as_of(records: pd.DataFrame) -> datetime | None:
    """The latest event in the data."""
    latest = pd.concat([records[c] for c in ("occurred_at", "approved_at", "refunded_at", "updated_at")
                        if c in records]).max()
    return None if pd.isna(latest) else latest.to_pydatetime()


def diagnose_cases(records: pd.DataFrame, linked: LinkResult,
                   settings: BusinessSettings | None = None) -> Diagnosis:
    with system_pool():
        return _diagnose_cases(records, linked, settings or BusinessSettings())


def _diagnose_cases(records: pd.DataFrame, linked: LinkResult, settings: BusinessSettings) -> Diagnosis:
    as_of = settings.as_of or default_as_of(records)
    if as_of is None:
        as_of = pd.Timestamp.now(tz="UTC").to_pydatetime()
    facts = case_facts(records, linked.links, linked.keys)
    release_memory()
    findings = diagnose(facts, settings, as_of)
    # the columns only the rules read go before the summary is built (memory at 1M cases)
    facts = facts.drop(columns=[c for c in facts.columns if c not in SUMMARY_INPUTS])
    release_memory()
    cases = summarise(facts, findings, settings)
    release_memory()
    return Diagnosis(as_of=as_of, facts=facts, findings=findings, cases=cases)


def _large_text(series: pd.Series) -> pa.Array:
    """A text column as one Arrow large_string array (no copy when it already is one)."""
    arr = pa.array(series.astype("string").array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    return arr if pa.types.is_large_string(arr.type) else arr.cast(pa.large_string())


_SEARCH_CHUNK = 200_000


def _search_text(facts: pd.DataFrame) -> pd.Series:
    """Ids, order and customer joined in lower case, built a slice of cases at a time (the
    joined text is the largest column of a case; building it whole doubled it in memory)."""
    parts = [_large_text(facts[c]) for c in
             ("portal_record_id", "processor_record_id", "erp_record_id", "support_ids", "order_ref", "customer")]
    sep = pa.scalar(" ", pa.large_string())
    chunks = [pc.utf8_lower(pc.binary_join_element_wise(*(p.slice(i, _SEARCH_CHUNK) for p in parts), sep,
                                                        null_handling="skip"))
              for i in range(0, len(facts), _SEARCH_CHUNK)]
    text = pa.chunked_array(chunks, type=pa.large_string())
    return pd.Series(pd.array(text, dtype="string"), index=facts.index)


def summarise(facts: pd.DataFrame, findings: pd.DataFrame, settings: BusinessSettings) -> pd.DataFrame:
    idx = facts.index
    out = pd.DataFrame(index=idx)
    # one bit per code (sorted), then the few distinct combinations become text
    codes = sorted(SYMPTOM_CODES)
    row = idx.get_indexer(findings["anchor"].to_numpy())   # each finding's case row, once
    code_bit = {code: np.int64(1) << i for i, code in enumerate(codes)}
    finding_bits = findings["symptom"].map(code_bit).fillna(0).to_numpy(dtype=np.int64)
    bits = np.zeros(len(idx), dtype=np.int64)
    known = row >= 0
    np.bitwise_or.at(bits, row[known], finding_bits[known])
    uniq, inverse = np.unique(bits, return_inverse=True)
    text = np.array([";".join(c for i, c in enumerate(codes) if b >> i & 1) for b in uniq], dtype=object)
    # low-cardinality text columns are categoricals: a byte per case instead of a string
    out["symptoms"] = pd.Categorical.from_codes(inverse, categories=pd.Index(text, dtype="string"))
    out["symptom_count"] = np.array([bin(b).count("1") for b in uniq], dtype=np.int64)[inverse]
    # the primary finding of each case: the most consequential code (PRIORITY); positions only
    rank = findings["symptom"].map({code: i for i, code in enumerate(PRIORITY)}).to_numpy(dtype=np.int64)
    order = np.lexsort((rank, row))
    order = order[row[order] >= 0]
    first = order[np.r_[True, row[order][1:] != row[order][:-1]]] if len(order) else order
    at = np.full(len(idx), -1, dtype=np.int64)
    at[row[first]] = first
    for col in ("boundary", "fix_type", "scope", "cause"):
        values = findings[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes_of = values.cat.codes.to_numpy(dtype=np.int64)
            taken = np.where(at >= 0, codes_of[np.maximum(at, 0)] if len(codes_of) else -1, -1)
            out[col] = pd.Categorical.from_codes(taken, dtype=values.dtype)
        else:
            out[col] = pd.Series(values.astype("string").array.take(at, allow_fill=True), index=idx)
    out["order_ref"] = facts["order_ref"].astype("string")
    out["customer"] = facts["customer"].astype("string")
    out["currency"] = facts["currency"].astype("category")
    for system in ("portal", "processor", "erp"):
        out[f"{system}_amount_minor"] = facts[f"{system}_amount_minor"].astype("Int64")
    out["amount_minor"] = (out["portal_amount_minor"].fillna(out["processor_amount_minor"])
                           .fillna(out["erp_amount_minor"]))
    out["systems_present"] = facts["present"]
    out["first_event_at"] = facts["first_event_at"]
    out["last_event_at"] = facts["last_event_at"]
    ref_time = facts["portal_approved_at"].fillna(facts["portal_occurred_at"]).fillna(facts["first_event_at"])
    out["period"] = period_text(period_code(ref_time, settings.timezone)).astype("category")
    out["search_text"] = _search_text(facts)
    out["anchor_system"] = facts["anchor_system"]
    out["anchor_record_id"] = facts["anchor_record_id"].astype("string")
    out["case_key"] = out["anchor_system"].astype("string") + ":" + out["anchor_record_id"]
    return out
