"""The tables of a resolution log and their columns (name, kind).

`CASE_CONTRACT` is the stable CSV contract (issue 4); the CSV writes it first, in this order,
followed by the extra columns. Every table ends with `row_no` (the row's original position)
and `row_hash` (see manifest.py).
"""

from __future__ import annotations

from workbench.core.export.cells import INT, MONEY, TEXT, TIME

CASE_CONTRACT = (
    "case_id", "status", "symptoms", "boundary", "fix_type", "scope", "portal_refs",
    "processor_refs", "erp_refs", "support_refs", "order_ref", "customer", "portal_amount",
    "processor_amount", "erp_amount", "currency", "tags", "adjustment_total", "evidence",
)
SYSTEMS = ("portal", "processor", "erp", "support")

KINDS = {
    "portal_amount": MONEY, "processor_amount": MONEY, "erp_amount": MONEY,
    "adjustment_total": MONEY, "amount_from": MONEY, "amount_to": MONEY, "delta": MONEY,
    "portal_time": TIME, "processor_time": TIME, "erp_time": TIME, "support_time": TIME,
    "created_at": TIME, "reviewed_at": TIME, "at": TIME,
    "row_no": INT, "seq": INT, "adjustment_id": INT,
}

CASE_EXTRA = (
    "case_key", "assignee", "period",
    "portal_stage", "processor_stage", "erp_stage", "support_stage",
    "portal_time", "processor_time", "erp_time", "support_time",
)

# the people-facing order of the XLSX Cases sheet: each system's values side by side
CASE_SHEET = (
    "case_id", "status", "symptoms", "boundary", "fix_type", "scope", "order_ref", "customer", "currency",
    "portal_refs", "portal_amount", "portal_stage", "portal_time",
    "processor_refs", "processor_amount", "processor_stage", "processor_time",
    "erp_refs", "erp_amount", "erp_stage", "erp_time",
    "support_refs", "support_stage", "support_time",
    "tags", "adjustment_total", "assignee", "period", "case_key", "evidence",
)

ADJUSTMENT_COLUMNS = (
    "adjustment_id", "case_id", "system", "field", "amount_from", "amount_to", "delta", "currency",
    "reason_code", "journal_ref", "comment", "created_by", "created_at", "review_status",
    "reviewed_by", "reviewed_at", "review_comment",
)

AUDIT_COLUMNS = ("seq", "at", "actor", "action", "case_id", "case_key", "entity", "before", "after", "hash")

ROW_NO, ROW_HASH = "row_no", "row_hash"
KEY_COLUMN = {"cases": "case_id", "adjustments": "adjustment_id", "audit_trail": "seq"}


def kind_of(column: str) -> str:
    return KINDS.get(column, TEXT)


def with_row_columns(columns) -> tuple[str, ...]:
    return (*columns, ROW_NO, ROW_HASH)
