"""Build a linker input frame from plain dicts (tests, tools, small scripts).

Each dict needs `system` and `record_id`; times may be ISO strings (UTC) or datetimes; amounts
are integer minor units. `rid` defaults to 1..n and `profile` to the system's name."""

from __future__ import annotations

import pandas as pd

from workbench.core.canonical import UTC_DTYPE
from workbench.core.link.linker import RECORD_COLUMNS


def records_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if "rid" not in frame:
        frame["rid"] = range(1, len(frame) + 1)
    if "profile" not in frame:
        frame["profile"] = frame["system"]
    for col in RECORD_COLUMNS:
        if col not in frame:
            frame[col] = None
    for col in ("occurred_at", "approved_at", "refunded_at", "updated_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype(UTC_DTYPE)
    for col in ("system", "profile", "record_id", "return_ref", "order_ref", "refund_ref",
                "customer", "currency", "stage"):
        frame[col] = frame[col].astype("string")
    frame["amount_minor"] = frame["amount_minor"].astype("Int64")
    frame["rid"] = frame["rid"].astype("int64")
    return frame[list(RECORD_COLUMNS) + [c for c in frame.columns if c not in RECORD_COLUMNS]]
