"""Returns portals: Loop Returns, AfterShip Returns, Happy Returns, Shopify order export."""

from __future__ import annotations

import pandas as pd

from workbench.core.ingest.profile import Profile, RowFilter

LOOP = Profile(
    name="loop_returns", system="portal", vendor="Loop Returns", label="Loop Returns - returns export",
    columns={
        "record_id": ("id", "return id"),
        "status": ("state", "status"),
        "occurred_at": ("created_at", "created at", "created"),
        "updated_at": ("updated_at", "updated at"),
        "order_ref": ("order_name", "order name", "order"),
        "customer": ("customer", "customer email", "email"),
        "currency": ("currency", "currency code"),
        "amount": ("refund", "refund amount", "total"),
        "category": ("product_type", "product type"),
        "channel": ("channel", "sales channel"),
    },
    required=("record_id", "status", "order_ref", "occurred_at"),
    signature=("return_type", "order_id", "handling_fee", "outcome", "total", "refund", "state"),
    stages={"open": "requested", "review": "requested", "needs review": "requested",
            "closed": "refunded", "cancelled": "cancelled", "canceled": "cancelled",
            "expired": "cancelled", "rejected": "rejected"},
    timezone="UTC",
    value_checks={"order_ref": r"^#?\w+", "record_id": r"^\d+$"},
    status_words=("open", "closed", "cancelled", "expired", "review"),
)

AFTERSHIP = Profile(
    name="aftership_returns", system="portal", vendor="AfterShip Returns",
    label="AfterShip Returns - returns export",
    columns={
        "record_id": ("rma_number", "rma number", "rma", "return number"),
        "order_ref": ("order_name", "order name", "order_number", "order number"),
        "status": ("status", "return status"),
        "occurred_at": ("created_at", "created at", "submitted at", "requested at"),
        "approved_at": ("approved_at", "approved at"),
        "refunded_at": ("refunded_at", "refunded at"),
        "updated_at": ("updated_at", "updated at"),
        "customer": ("customer_email", "customer email", "email"),
        "amount": ("refund_amount", "refund amount", "return total"),
        "currency": ("refund_currency", "currency"),
    },
    required=("record_id", "order_ref", "status"),
    signature=("rma_number", "order_number", "approved_at", "received_at", "return_method"),
    stages={"submitted": "requested", "approved": "approved", "shipped": "approved",
            "received": "received", "done": "refunded", "resolved": "refunded",
            "rejected": "rejected", "expired": "cancelled", "cancelled": "cancelled"},
    timezone="UTC",
    value_checks={"record_id": r"^[A-Z0-9]{8}$"},
    status_words=("submitted", "approved", "shipped", "received", "done", "rejected", "expired"),
)

HAPPY = Profile(
    name="happy_returns", system="portal", vendor="Happy Returns", label="Happy Returns - return viewer export",
    columns={
        "record_id": ("express code", "express_code", "rma"),
        "order_ref": ("order #", "order number", "order"),
        "status": ("refund status", "status"),
        "customer": ("customer", "customer email", "email"),
        "occurred_at": ("created", "created at", "created date"),
        "amount": ("refund amount", "refund total", "amount"),
        "currency": ("currency",),
    },
    required=("record_id", "order_ref", "status"),
    signature=("items approved", "return method", "return bar", "express code"),
    stages={"pending": "requested", "approved": "approved", "received": "received",
            "refunded": "refunded", "issued": "refunded", "processed": "refunded",
            "rejected": "rejected", "denied": "rejected", "cancelled": "cancelled"},
    timezone="business",
    status_words=("pending", "refunded", "approved", "processed"),
)


def _shopify_refunded(frame: pd.DataFrame, cols) -> pd.Series:
    """Orders with a refund: financial status *refunded, or a refunded amount > 0 on any line."""
    keep = pd.Series(False, index=frame.index)
    if "status" in cols:
        keep |= frame[cols["status"]].str.strip().str.lower().str.contains("refunded", na=False)
    if "amount" in cols:
        amt = frame[cols["amount"]].str.strip()
        keep |= amt.ne("") & ~amt.str.fullmatch(r"[0.,\s$€£-]*", na=True)
    return keep


SHOPIFY_ORDERS = Profile(
    name="shopify_orders", system="portal", vendor="Shopify", label="Shopify order export (refunded orders)",
    columns={
        "record_id": ("name", "order name"),
        "order_ref": ("name", "order name"),
        "customer": ("email",),
        "status": ("financial status",),
        "amount": ("refunded amount",),
        "currency": ("currency",),
        "occurred_at": ("created at",),
        "channel": ("source",),
    },
    required=("record_id", "status", "amount"),
    signature=("financial status", "fulfillment status", "lineitem quantity", "lineitem name",
               "lineitem price", "refunded amount", "subtotal", "shipping", "taxes", "total"),
    stages={"refunded": "refunded", "partially_refunded": "refunded", "voided": "cancelled"},
    default_stage="refunded",
    row_filter=RowFilter(keep_if=_shopify_refunded, skipped_label="order without refund"),
    timezone="business",
    aggregate=True,
    value_checks={"record_id": r"^#?\d+"},
    status_words=("paid", "refunded", "partially_refunded", "pending", "authorized"),
)

PROFILES = (LOOP, AFTERSHIP, HAPPY, SHOPIFY_ORDERS)
