"""Payment processors: Stripe (three layouts), Adyen, PayPal, Shopify Payments."""

from __future__ import annotations

import pandas as pd

from workbench.core.ingest.profile import Profile, RowFilter

STRIPE_BALANCE = Profile(
    name="stripe_balance_transactions", system="processor", vendor="Stripe",
    label="Stripe balance transactions (legacy export)",
    columns={
        "record_id": ("source",),
        "refund_ref": ("source",),
        "kind": ("type",),
        "amount": ("amount",),
        "currency": ("currency",),
        "occurred_at": ("created (utc)", "created"),
        "return_ref": ("return_id (metadata)", "return id (metadata)", "rma (metadata)"),
        "order_ref": ("order_id (metadata)", "order id (metadata)", "order (metadata)"),
        "customer": ("customer_email (metadata)", "customer email (metadata)"),
    },
    required=("record_id", "kind", "amount", "occurred_at"),
    signature=("id", "fee", "net", "available on (utc)", "customer facing amount",
               "customer facing currency", "transfer", "transfer date (utc)", "transfer group"),
    amount_sign="abs",
    default_stage="refunded",
    row_filter=RowFilter(keep=("refund", "payment_refund")),
    timezone="UTC",
    value_checks={"record_id": r"^(re|pyr|ch|py|po|txn|tr)_\w+$"},
    status_words=("charge", "refund", "payout", "stripe_fee", "payment", "adjustment"),
)


def _stripe_refunded(frame: pd.DataFrame, cols) -> pd.Series:
    col = cols.get("amount")
    if col is None:
        return pd.Series(False, index=frame.index)
    amt = frame[col].str.strip()
    return amt.ne("") & ~amt.str.fullmatch(r"[0.,\s]*", na=True)


STRIPE_PAYMENTS = Profile(
    name="stripe_payments", system="processor", vendor="Stripe", label="Stripe payments export (refunded payments)",
    columns={
        "record_id": ("id",),
        "refund_ref": ("paymentintent id", "payment intent id", "id"),
        "amount": ("amount refunded",),
        "currency": ("currency", "converted currency"),
        "occurred_at": ("created (utc)", "created date (utc)", "created"),
        "status": ("status",),
        "customer": ("customer email", "customer_email"),
        "order_ref": ("order_id (metadata)", "order id (metadata)", "description"),
        "return_ref": ("return_id (metadata)", "return id (metadata)"),
    },
    required=("record_id", "amount", "occurred_at"),
    signature=("description", "seller message", "amount", "amount refunded", "captured",
               "card id", "customer id", "paymentintent id", "invoice id", "fee"),
    stages={"refunded": "refunded", "paid": "refunded", "succeeded": "refunded",
            "failed": "failed", "canceled": "cancelled", "pending": "pending"},
    default_stage="refunded",
    row_filter=RowFilter(keep_if=_stripe_refunded, skipped_label="payment without refund"),
    timezone="UTC",
    value_checks={"record_id": r"^(ch|py|pi)_\w+$"},
    status_words=("paid", "refunded", "failed"),
)

STRIPE_ITEMIZED = Profile(
    name="stripe_itemized", system="processor", vendor="Stripe",
    label="Stripe itemized balance change report",
    columns={
        "record_id": ("source_id", "balance_transaction_id"),
        "refund_ref": ("source_id", "balance_transaction_id"),
        "kind": ("reporting_category",),
        "amount": ("gross",),
        "currency": ("currency",),
        "occurred_at": ("created_utc", "created"),
        "customer": ("customer_email",),
        "order_ref": ("payment_metadata[order_id]", "order_id (metadata)"),
        "return_ref": ("payment_metadata[return_id]", "refund_metadata[return_id]"),
    },
    required=("record_id", "kind", "amount"),
    signature=("balance_transaction_id", "created_utc", "available_on_utc", "gross", "fee", "net",
               "reporting_category", "charge_id", "payment_intent_id"),
    amount_sign="abs",
    default_stage="refunded",
    row_filter=RowFilter(keep=("refund",)),
    timezone="UTC",
    status_words=("charge", "refund", "fee", "payout"),
)

ADYEN = Profile(
    name="adyen_settlement", system="processor", vendor="Adyen", label="Adyen settlement details report",
    columns={
        "record_id": ("modification reference",),
        "refund_ref": ("modification reference",),
        "return_ref": ("modification merchant reference",),
        "order_ref": ("merchant reference",),
        "kind": ("type", "record type"),
        "debit": ("gross debit (gc)",),
        "credit": ("gross credit (gc)",),
        "currency": ("gross currency",),
        "occurred_at": ("creation date",),
        "zone": ("timezone", "time zone"),
    },
    required=("record_id", "kind", "debit", "credit", "currency"),
    signature=("company account", "merchant account", "psp reference", "payment method",
               "exchange rate", "net currency", "net debit (nc)", "net credit (nc)",
               "commission (nc)", "batch number"),
    default_stage="refunded",
    row_filter=RowFilter(keep=("refunded",)),
    timezone="UTC",
    status_words=("settled", "refunded", "fee", "merchantpayout", "chargeback", "balancetransfer"),
)

PAYPAL = Profile(
    name="paypal_activity", system="processor", vendor="PayPal", label="PayPal activity download",
    columns={
        "record_id": ("transaction id", "transaktionscode", "id de transaction"),
        "refund_ref": ("transaction id", "transaktionscode", "id de transaction"),
        "order_ref": ("invoice number", "rechnungsnummer", "numéro de facture"),
        "return_ref": ("reference txn id", "zugehöriger transaktionscode"),
        "kind": ("type", "typ"),
        "status": ("status",),
        "amount": ("gross", "brutto", "avant commission"),
        "currency": ("currency", "währung", "devise"),
        "occurred_date": ("date", "datum"),
        "occurred_time": ("time", "uhrzeit", "heure"),
        "zone": ("timezone", "time zone", "zeitzone", "fuseau horaire"),
        "customer": ("to email address", "empfänger e-mail-adresse", "from email address"),
    },
    required=("record_id", "kind", "amount", "occurred_date"),
    signature=("name", "fee", "net", "from email address", "to email address", "balance",
               "reference txn id", "receipt id", "subject",
               "gebühr", "netto", "absender e-mail-adresse", "empfänger e-mail-adresse"),
    amount_sign="abs",
    stages={"completed": "refunded", "pending": "pending", "denied": "failed",
            "reversed": "cancelled", "failed": "failed", "abgeschlossen": "refunded"},
    default_stage="refunded",
    row_filter=RowFilter(keep=("refund", "payment refund", "rückzahlung", "remboursement"), prefix=True),
    timezone="America/Los_Angeles",
    dayfirst=True,
    status_words=("completed", "pending", "refund", "payment refund", "express checkout payment",
                  "general withdrawal", "abgeschlossen", "rückzahlung", "handyzahlung"),
)

SHOPIFY_PAYMENTS = Profile(
    name="shopify_payments", system="processor", vendor="Shopify",
    label="Shopify Payments transactions",
    columns={
        "record_id": ("transaction id", "id"),
        "refund_ref": ("transaction id", "checkout"),
        "order_ref": ("order",),
        "kind": ("type",),
        "amount": ("amount",),
        "currency": ("currency",),
        "occurred_at": ("transaction date",),
        "status": ("payout status",),
    },
    required=("order_ref", "kind", "amount", "occurred_at"),
    record_id_from=("order_ref", "occurred_at", "amount"),
    signature=("card brand", "card source", "payout status", "payout date", "payout id",
               "available on", "fee", "net", "checkout"),
    amount_sign="abs",
    stages={"paid": "refunded", "pending": "pending", "in_transit": "pending", "scheduled": "pending"},
    default_stage="refunded",
    row_filter=RowFilter(keep=("refund",)),
    timezone="UTC",
    status_words=("charge", "refund", "chargeback", "adjustment"),
)

PROFILES = (STRIPE_BALANCE, STRIPE_PAYMENTS, STRIPE_ITEMIZED, ADYEN, PAYPAL, SHOPIFY_PAYMENTS)
