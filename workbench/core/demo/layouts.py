"""The four demo file layouts, exactly as docs/ARCHITECTURE.md "Demo month files" states them."""

from __future__ import annotations

LOOP_HEADER = ["id", "state", "return_type", "created_at", "updated_at", "order_id", "order_name",
               "customer", "currency", "total", "handling_fee", "refund", "outcome", "channel",
               "product_type"]
STRIPE_HEADER = ["id", "Type", "Source", "Amount", "Fee", "Net", "Currency", "Created (UTC)",
                 "Available On (UTC)", "Description", "Customer Facing Amount",
                 "Customer Facing Currency", "Transfer", "Transfer Date (UTC)", "Transfer Group",
                 "return_id (metadata)", "order_id (metadata)"]
NETSUITE_HEADER = ["Internal ID", "Document Number", "Date", "Date Created", "Reference No.", "Memo",
                   "Customer", "Email", "Amount", "Currency", "Status", "Created By", "Class",
                   "Integration"]
ZENDESK_HEADER = ["Summation column", "Id", "Requester", "Requester email", "Subject", "Tags",
                  "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Solved at",
                  "Order Number [txt]", "Return ID [txt]"]

# columns whose text can hold commas or quotes (names, descriptions, memos, subjects)
FREE_TEXT = ("customer", "Description", "Memo", "Customer", "Status", "Subject", "Requester",
             "Reference No.", "Tags")

HEADERS = {"loop": LOOP_HEADER, "stripe": STRIPE_HEADER, "netsuite": NETSUITE_HEADER,
           "zendesk": ZENDESK_HEADER}


def file_name(system: str, period: str, csv_only: bool = False) -> str:
    if system == "loop":
        return f"loop_returns_{period}.csv"
    if system == "stripe":
        return f"stripe_balance_transactions_{period}.csv"
    if system == "netsuite":
        return f"netsuite_credit_memos_{period}.{'csv' if csv_only else 'xlsx'}"
    if system == "zendesk":
        return f"zendesk_tickets_{period}.csv"
    raise ValueError(f"unknown demo system {system!r}")
