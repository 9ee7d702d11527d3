"""ERPs: NetSuite saved searches (user labels: matched on meaning), Business Central, SAP, Odoo."""

from __future__ import annotations

from workbench.core.ingest.profile import Profile, RowFilter

# NetSuite saved-search columns carry whatever label the user typed, so every role has the
# usual labels and their common variants; detection also checks the status words.
_NS_COMMON = {
    "record_id": ("document number", "document no", "document #", "doc number", "doc no",
                  "number", "tran id", "transaction number", "transaction #", "ref no", "credit memo #",
                  "return authorization #", "rma #", "refund #"),
    "customer": ("email", "customer email", "e-mail", "customer", "name", "customer name"),
    "amount": ("amount", "amount (foreign currency)", "total", "amount (gross)", "gross amount"),
    "currency": ("currency", "currency code"),
    "status": ("status", "document status", "approval status"),
    "occurred_at": ("date created", "created", "datecreated", "date", "transaction date", "tran date"),
    "agent": ("created by", "entered by", "user", "employee"),
    "channel": ("class", "channel", "sales channel", "department"),
    "source_version": ("integration", "source", "integration version", "connector"),
    "category": ("item category", "category", "item type"),
}

# a processor's refund/payment id inside a free-text Memo ("Refund re_3Nx..., via Loop"):
# Stripe re_/pyr_/ch_/pi_/py_ ids, Adyen 16-digit PSP references, PayPal 17-character
# transaction ids; "Return credit" holds none (RE2 syntax: Arrow's extract_regex runs it)
_PSP_REFERENCE = r"\b(?:re|pyr|ch|pi|py)_[A-Za-z0-9]{2,}\b|\b\d{16}\b|\b[A-Z0-9]{17}\b"

NETSUITE_CREDIT_MEMOS = Profile(
    name="netsuite_credit_memos", system="erp", vendor="NetSuite",
    label="NetSuite saved search - credit memos",
    columns={**_NS_COMMON,
             "return_ref": ("reference no.", "reference no", "reference #", "reference", "external id",
                            "rma", "return reference", "created from", "po/check number", "otherrefnum"),
             "refund_ref": ("memo", "refund reference", "processor reference")},
    extract={"refund_ref": _PSP_REFERENCE},
    required=("record_id", "amount", "status"),
    signature=("internal id", "document number", "date", "date created", "reference no", "memo",
               "created by", "class", "integration", "applied to", "amount remaining"),
    amount_sign="abs",
    stages={"open": "credited", "fully applied": "credited", "partially applied": "credited",
            "voided": "cancelled", "void": "cancelled"},
    stage_prefixes={"credit memo:": ""},
    default_stage="credited",
    timezone="business",
    dayfirst=False,
    value_checks={"record_id": r"^(CM|CRM|CR)[\w-]*\d+$", "status": r"(?i)^(credit memo:)?\s*(open|fully applied|voided|partially applied)$"},
    status_words=("credit memo:fully applied", "credit memo:open", "fully applied", "open"),
)

NETSUITE_RETURN_AUTHORIZATIONS = Profile(
    name="netsuite_return_authorizations", system="erp", vendor="NetSuite",
    label="NetSuite saved search - return authorizations",
    columns={**_NS_COMMON,
             "return_ref": ("reference no.", "reference no", "external id", "otherrefnum", "po/check number",
                            "rma reference", "return reference"),
             "order_ref": ("created from", "sales order", "order", "order #")},
    required=("record_id", "status"),
    signature=("internal id", "document number", "date", "created from", "memo", "status"),
    amount_sign="abs",
    stages={"pending approval": "pending", "pending receipt": "pending", "partially received": "pending",
            "pending refund/partially received": "pending", "pending refund": "pending",
            "refunded": "credited", "closed": "credited", "cancelled": "cancelled"},
    stage_prefixes={"return authorization:": ""},
    default_stage="pending",
    timezone="business",
    dayfirst=False,
    value_checks={"record_id": r"^(RMA|RA)[\w-]*\d+$",
                  "status": r"(?i)^(return authorization:)?\s*(pending|partially|refunded|closed|cancelled)"},
    status_words=("return authorization:pending receipt", "pending approval", "pending receipt",
                  "pending refund", "refunded"),
)

NETSUITE_CUSTOMER_REFUNDS = Profile(
    name="netsuite_customer_refunds", system="erp", vendor="NetSuite",
    label="NetSuite saved search - customer refunds",
    columns={**_NS_COMMON,
             "return_ref": ("reference no.", "reference no", "external id", "otherrefnum", "return reference"),
             "refund_ref": ("check #", "payment reference", "pnref", "processor reference", "memo")},
    extract={"refund_ref": _PSP_REFERENCE},
    required=("record_id", "amount"),
    signature=("internal id", "document number", "date", "account", "payment method", "memo", "applied to"),
    amount_sign="abs",
    stages={"voided": "cancelled", "void": "cancelled"},
    stage_prefixes={"customer refund:": ""},
    default_stage="credited",
    timezone="business",
    dayfirst=False,
    value_checks={"record_id": r"^(CR|REF|CRF)[\w-]*\d+$", "status": r"(?i)customer refund"},
    status_words=("customer refund",),
)

BUSINESS_CENTRAL = Profile(
    name="business_central_credit_memos", system="erp", vendor="Microsoft Dynamics 365 Business Central",
    label="Business Central - posted sales credit memos",
    columns={
        "record_id": ("no.", "no"),
        "return_ref": ("external document no.", "external document no", "return order no."),
        "order_ref": ("your reference", "applies-to doc. no."),
        "customer": ("customer name", "sell-to customer name", "sell-to e-mail"),
        "amount": ("amount including vat", "amount"),
        "currency": ("currency code",),
        "occurred_at": ("posting date", "document date", "due date"),
        "status": ("cancelled",),
        "agent": ("user id", "posted by"),
    },
    required=("record_id", "amount"),
    signature=("sell-to customer no.", "customer name", "currency code", "due date", "amount",
               "amount including vat", "remaining amount", "paid", "cancelled", "corrective"),
    amount_sign="abs",
    stages={"no": "credited", "false": "credited", "yes": "cancelled", "true": "cancelled"},
    default_stage="credited",
    timezone="business",
    value_checks={"record_id": r"^[A-Z]+-?CR\w*\d+$"},
)

SAP_BILLING = Profile(
    name="sap_billing_documents", system="erp", vendor="SAP", label="SAP billing documents (VF05 / VBRK)",
    columns={
        "record_id": ("billing document", "vbeln", "billing doc."),
        "kind": ("billing type", "fkart", "billtype"),
        "customer": ("sold-to party", "kunag", "payer"),
        "amount": ("net value", "netwr", "net value (doc. curr.)"),
        "currency": ("document currency", "waerk", "currency"),
        "occurred_at": ("billing date", "fkdat"),
        "return_ref": ("reference", "xblnr", "reference document"),
        "order_ref": ("sales document", "aubel", "sales doc."),
        "agent": ("created by", "ernam"),
    },
    required=("record_id", "kind", "amount"),
    signature=("vbeln", "fkart", "fkdat", "kunag", "netwr", "mwsbp", "waerk", "tax amount"),
    amount_sign="abs",
    default_stage="credited",
    row_filter=RowFilter(keep=("g2", "re", "ren", "s2")),
    timezone="business",
    dayfirst=True,
    value_checks={"record_id": r"^\d{8,10}$"},
    status_words=("f2", "g2", "re", "l2", "s1"),
)

ODOO_CREDIT_NOTES = Profile(
    name="odoo_credit_notes", system="erp", vendor="Odoo", label="Odoo credit notes (account.move export)",
    columns={
        "record_id": ("number", "name", "reference"),
        "return_ref": ("source document", "origin", "invoice origin"),
        "refund_ref": ("payment reference", "payment ref"),
        "customer": ("partner", "customer", "partner/email"),
        "amount": ("total", "amount total", "total signed", "amount_total"),
        "currency": ("currency", "currency_id"),
        "occurred_at": ("invoice/bill date", "invoice date", "date", "accounting date"),
        "status": ("status", "state", "payment status"),
        "agent": ("salesperson", "invoice_user_id"),
    },
    required=("record_id", "amount", "status"),
    signature=("partner", "invoice/bill date", "due date", "source document", "payment status",
               "total signed", "untaxed amount signed", "tax excluded"),
    amount_sign="abs",
    stages={"posted": "credited", "paid": "credited", "in payment": "credited", "reversed": "credited",
            "not paid": "credited", "partial": "credited", "draft": "pending", "cancelled": "cancelled",
            "cancel": "cancelled"},
    default_stage="credited",
    timezone="business",
    value_checks={"record_id": r"^R(INV|FAC)?/\d{4}/\d+$"},
    status_words=("posted", "draft", "paid", "not paid", "in payment"),
)

PROFILES = (NETSUITE_CREDIT_MEMOS, NETSUITE_RETURN_AUTHORIZATIONS, NETSUITE_CUSTOMER_REFUNDS,
            BUSINESS_CENTRAL, SAP_BILLING, ODOO_CREDIT_NOTES)
