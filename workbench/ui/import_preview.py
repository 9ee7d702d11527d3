"""Preview of a file through a mapping, and the profile a corrected mapping makes.
Plain Python over ingest's objects (no Qt): the dialog shows what these return."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.core.canonical import SYSTEMS
from workbench.core.money import format_money
from workbench.core.timeutil import format_business

PREVIEW_ROWS = 10
_SHOWN = ("record_id", "return_ref", "order_ref", "refund_ref", "customer", "amount_minor",
          "currency", "stage", "status_raw", "occurred_at")
_SHOWN_LABELS = {"record_id": "Record id", "return_ref": "Return / RMA", "order_ref": "Order",
                 "refund_ref": "Refund ref", "customer": "Customer", "amount_minor": "Amount",
                 "currency": "Currency", "stage": "Stage", "status_raw": "Status",
                 "occurred_at": "Event time"}


def mapped_preview(detection, mapping: dict[str, str], rows: int = PREVIEW_ROWS):
    """(headers, rows): each mapped role's column as the file writes it ('Amount <- Total')."""
    frame = getattr(detection, "preview", None)
    roles = [(role, header) for role, header in mapping.items() if header]
    headers = [f"{role} <- {header}" for role, header in roles]
    if frame is None:
        return headers, []
    out = []
    for _, row in frame.head(rows).iterrows():
        out.append([("" if header not in frame.columns else str(row[header])) for _, header in roles])
    return headers, out


def profile_for(detection, mapping: dict[str, str | None], *, name: str | None = None,
                system: str | None = None, base=None):
    """A user profile from the confirmed mapping, based on the detected profile (its stages,
    sign, zone and row filter) or, for a generic guess, a new one. ProfileError if unusable."""
    from workbench.core.ingest import make_profile

    base = base if base is not None else getattr(detection, "profile", None)
    system = system or getattr(detection, "system", None) or SYSTEMS[0]
    stem = Path(str(getattr(detection, "path", "custom"))).stem
    name = name or f"{getattr(base, 'name', 'custom')}_{stem}"[:64]
    return make_profile(name, system, {r: h for r, h in mapping.items() if h}, base=base)


def parsed_preview(detection, profile, business_tz: str, rows: int = PREVIEW_ROWS):
    """(headers, rows) of the first rows read through `profile` into canonical values, as the
    import would store them. Raises ImportFailure when a value does not fit the mapping."""
    from workbench.core.ingest.normalise import apply_profile
    from workbench.core.ingest.reader import RawTable

    frame = detection.preview.head(rows).copy()
    header_row = int(getattr(detection, "header_row", 1) or 1)
    table = RawTable(path=Path(detection.path), headers=list(detection.headers), frame=frame,
                     rows=np.arange(header_row + 1, header_row + 1 + len(frame)),
                     header_row=header_row, sheet=getattr(detection, "sheet", None))
    canonical, _report = apply_profile(profile, table, business_tz=business_tz)
    out = []
    for _, rec in canonical.iterrows():
        line = []
        for col in _SHOWN:
            value = rec[col]
            if value is None or (not isinstance(value, str) and _isna(value)):
                line.append("")
            elif col == "amount_minor":
                line.append(format_money(int(value), rec["currency"] if isinstance(rec["currency"], str) else None))
            elif col == "occurred_at":
                line.append(format_business(value.to_pydatetime(), business_tz))
            else:
                line.append(str(value))
        out.append(line)
    return [_SHOWN_LABELS[c] for c in _SHOWN], out


def _isna(value) -> bool:
    try:
        import pandas as pd
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
