"""Helpdesks: Zendesk, Gorgias, Freshdesk. Tickets carry no amount."""

from __future__ import annotations

from workbench.core.ingest.profile import Profile

ZENDESK = Profile(
    name="zendesk_tickets", system="support", vendor="Zendesk", label="Zendesk ticket export",
    columns={
        "record_id": ("id", "ticket id"),
        "customer": ("requester email", "requester"),
        "status": ("status",),
        "occurred_at": ("created at",),
        "updated_at": ("updated at",),
        "order_ref": ("order number [txt]", "order number", "order id [txt]", "order [txt]", "order #"),
        "return_ref": ("return id [txt]", "return id", "rma [txt]", "rma number [txt]", "rma"),
        "channel": ("via",),
        "category": ("ticket type", "type"),
        "agent": ("assignee",),
    },
    required=("record_id", "status", "occurred_at"),
    signature=("summation column", "requester", "requester id", "requester email", "submitter",
               "assignee", "group", "subject", "tags", "priority", "via", "ticket type", "solved at"),
    stages={"new": "open", "open": "open", "pending": "pending", "hold": "pending",
            "on-hold": "pending", "solved": "solved", "closed": "closed"},
    timezone="business",
    value_checks={"record_id": r"^\d+$"},
    status_words=("new", "open", "pending", "hold", "solved", "closed"),
)

GORGIAS = Profile(
    name="gorgias_tickets", system="support", vendor="Gorgias", label="Gorgias tickets export",
    columns={
        "record_id": ("id", "ticket id"),
        "customer": ("customer email", "customer_email", "customer", "requester"),
        "status": ("status",),
        "occurred_at": ("created_datetime", "created datetime", "created"),
        "updated_at": ("updated_datetime", "last_message_datetime", "closed_datetime"),
        "channel": ("channel", "via"),
        "order_ref": ("order number", "order", "shopify order"),
        "return_ref": ("return id", "rma"),
        "agent": ("assignee_user", "assignee", "assignee user"),
        "category": ("tags",),
    },
    required=("record_id", "status", "occurred_at"),
    signature=("channel", "subject", "tags", "assignee_user", "created_datetime", "closed_datetime",
               "last_message_datetime", "spam"),
    stages={"open": "open", "closed": "closed", "snoozed": "pending"},
    timezone="UTC",
    status_words=("open", "closed"),
)

FRESHDESK = Profile(
    name="freshdesk_tickets", system="support", vendor="Freshdesk", label="Freshdesk tickets export",
    columns={
        "record_id": ("ticket id", "id"),
        "customer": ("contact email", "requester email", "email", "full name"),
        "status": ("status",),
        "occurred_at": ("created time", "created at"),
        "updated_at": ("last updated time", "last update time", "updated at"),
        "channel": ("source",),
        "order_ref": ("order number", "order id", "cf_order_number"),
        "return_ref": ("return id", "rma number", "cf_rma"),
        "agent": ("agent",),
        "category": ("type",),
    },
    required=("record_id", "status", "occurred_at"),
    signature=("subject", "priority", "source", "type", "agent", "group", "created time",
               "due by time", "resolved time", "closed time", "last updated time",
               "initial response time", "first response time (in hrs)"),
    stages={"open": "open", "pending": "pending", "resolved": "solved", "closed": "closed",
            "waiting on customer": "pending", "waiting on third party": "pending",
            "2": "open", "3": "pending", "4": "solved", "5": "closed"},
    timezone="business",
    status_words=("open", "pending", "resolved", "closed"),
)

PROFILES = (ZENDESK, GORGIAS, FRESHDESK)
