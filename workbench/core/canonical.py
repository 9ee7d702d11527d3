"""The canonical return record: the contract between ingest, the store, linking and diagnosis.

Every importer turns a vendor file into a pandas DataFrame with exactly the columns in
`CANONICAL_COLUMNS` (extra columns are dropped by `conform`). One row is one refund-relevant
record of one system. Conventions:

* `record_id` is the record's own id exactly as it appears in the source (portal return id or
  RMA, processor refund id such as Stripe `re_...` / Adyen modification reference / PayPal
  transaction id, ERP document number, ticket id). Never blank.
* `return_ref`, `order_ref`, `refund_ref` are references to *other* things as the source
  writes them (un-normalised): the return/RMA the record is about, the order, and the
  processor refund or payment id the record mentions. Blank -> None.
* `amount_minor` is the refund amount in integer minor units of `currency`, positive when
  money goes (or should go) back to the customer, whatever sign convention the file uses.
  Support tickets carry no amount (None).
* `stage` is one of `STAGES`; `status_raw` keeps the source's own words.
* `occurred_at` is the record's main event time as an aware UTC timestamp: portal -> the
  return's creation/request time, processor -> when the refund was created, ERP -> posting
  time, support -> ticket creation. `approved_at` / `refunded_at` (portal) and `updated_at`
  (support: last update) are optional further times, all UTC.
* `channel`, `agent`, `category`, `source_version` are optional attributes used by the
  pattern analysis (order channel online/pos, the user who processed it, product category,
  the connector or export version that wrote the record).
* `raw` is the source row verbatim as JSON (header -> cell text), for audit and display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # pandas is imported where a frame is built: the GUI reads the constants at start-up
    import pandas as pd

SYSTEMS: tuple[str, ...] = ("portal", "processor", "erp", "support")
SYSTEM_LABELS = {"portal": "Portal", "processor": "Processor", "erp": "ERP", "support": "Support"}

# Normalised lifecycle stages.
# portal:    requested, approved, received, refunded, rejected, cancelled
# processor: pending, refunded, failed, cancelled
# erp:       pending (RA awaiting receipt/refund), credited (credit memo / refund posted), cancelled
# support:   open, pending, solved, closed
STAGES: tuple[str, ...] = (
    "requested", "approved", "received", "refunded", "credited",
    "pending", "failed", "cancelled", "rejected", "open", "solved", "closed",
)

STRING_COLUMNS = (
    "record_id", "return_ref", "order_ref", "refund_ref", "customer", "currency",
    "stage", "status_raw", "channel", "agent", "category", "source_version", "raw",
)
TIME_COLUMNS = ("occurred_at", "approved_at", "refunded_at", "updated_at")

CANONICAL_COLUMNS: tuple[str, ...] = (
    "source_row", "record_id", "return_ref", "order_ref", "refund_ref", "customer",
    "amount_minor", "currency", "stage", "status_raw",
    "occurred_at", "approved_at", "refunded_at", "updated_at",
    "channel", "agent", "category", "source_version", "raw",
)

UTC_DTYPE = "datetime64[us, UTC]"


def empty_frame() -> pd.DataFrame:
    import pandas as pd

    return conform(pd.DataFrame({c: [] for c in CANONICAL_COLUMNS}))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Return `df` with exactly the canonical columns and dtypes (missing ones are null)."""
    import pandas as pd

    out = pd.DataFrame(index=df.index)
    out["source_row"] = df["source_row"].astype("int64") if "source_row" in df else pd.Series(
        range(2, len(df) + 2), index=df.index, dtype="int64")
    for col in STRING_COLUMNS:
        if col in df:
            series = df[col].astype("string")
            series = series.mask(series.str.strip() == "")
        else:
            series = pd.Series(pd.NA, index=df.index, dtype="string")
        out[col] = series
    out["amount_minor"] = (df["amount_minor"] if "amount_minor" in df
                           else pd.Series(pd.NA, index=df.index)).astype("Int64")
    for col in TIME_COLUMNS:
        series = df[col] if col in df else pd.Series(pd.NaT, index=df.index)
        out[col] = pd.to_datetime(series, utc=True).astype(UTC_DTYPE)
    return out[list(CANONICAL_COLUMNS)]


def validate(df: pd.DataFrame) -> list[str]:
    """Problems that make a canonical frame unusable (empty list when fine)."""
    problems: list[str] = []
    missing = [c for c in CANONICAL_COLUMNS if c not in df]
    if missing:
        problems.append(f"missing canonical columns: {', '.join(missing)}")
        return problems
    if df["record_id"].isna().any():
        problems.append("record_id is blank on some rows")
    bad_stage = ~df["stage"].isin(STAGES) & df["stage"].notna()
    if bad_stage.any():
        problems.append(f"unknown stages: {sorted(set(df.loc[bad_stage, 'stage']))}")
    return problems
