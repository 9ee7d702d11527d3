"""The words of case work: statuses and reason codes."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from workbench.core.store.database import BUSINESS_KEY
from workbench.core.store.models import CASE_STATUSES, Setting

STATUSES = CASE_STATUSES   # open, investigating, waiting_on_it, resolved, wont_fix
CLOSED_STATUSES = ("resolved", "wont_fix")   # a resolution a reviewer approves or rejects

# Reason codes: tags with a controlled vocabulary, and the reason of every adjustment.
# A workbook may add its own in BusinessSettings.extra["reason_codes"].
REASON_CODES = (
    "connector_outage", "duplicate_refund", "restocking_fee", "rounding_difference",
    "wrong_reference", "period_cutoff", "manual_refund", "store_credit", "customer_goodwill",
    "data_entry_error", "timing_expected", "write_off",
)


def reason_codes(session: Session) -> tuple[str, ...]:
    row = session.get(Setting, BUSINESS_KEY)
    extra: list[str] = []
    if row is not None:
        try:
            extra = list(json.loads(row.value).get("extra", {}).get("reason_codes", []))
        except (ValueError, AttributeError):
            extra = []
    return REASON_CODES + tuple(c for c in extra if c not in REASON_CODES)


def check_reason_code(session: Session, code: str) -> str:
    code = (code or "").strip()
    known = reason_codes(session)
    if code not in known:
        raise ValueError(f"unknown reason code {code!r} (expected one of {', '.join(known)})")
    return code


def check_status(status: str) -> str:
    status = (status or "").strip().lower().replace("'", "").replace(" ", "_").replace("-", "_")
    status = {"waiting": "waiting_on_it", "wontfix": "wont_fix"}.get(status, status)
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    return status


def check_tag(tag: str) -> str:
    tag = (tag or "").strip()
    if not tag or len(tag) > 64:
        raise ValueError(f"a tag must be 1 to 64 characters (got {tag!r})")
    return tag
