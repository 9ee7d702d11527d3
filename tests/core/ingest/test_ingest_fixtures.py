"""One small fixture per built-in profile, written to the vendors' real layouts with their
quirks: each is detected as the right profile and parsed to the right values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.core.ingest import detect_file, read_file
from workbench.core.ingest.profiles import BUILTIN

TZ = "Europe/Berlin"


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


# file -> (profile, {record_id: (amount_minor, currency, stage, occurred_at UTC)}, skipped_by_kind)
CASES = {
    "loop_returns.csv": ("loop_returns", {
        "84213": (9999, "USD", "refunded", utc(2026, 10, 3, 14, 5, 11)),
        "84216": (123400, "USD", "requested", utc(2026, 10, 31, 23, 30)),
        "84215": (0, "USD", "cancelled", utc(2026, 10, 5, 23, 59, 59)),
    }, {}),
    "aftership_returns.csv": ("aftership_returns", {
        "EUGCX4FL": (4990, "EUR", "refunded", utc(2026, 10, 2, 8, 15)),
        "K2LMN8QP": (1500, "EUR", "approved", utc(2026, 10, 3, 10, 0)),   # +02:00 offset
    }, {}),
    "happy_returns.csv": ("happy_returns", {   # summary lines above the header, $ amounts, local times
        "HR-7KQ2": (5900, "USD", "refunded", utc(2026, 10, 14, 13, 5)),
        "HR-9NP4": (102050, "USD", "refunded", utc(2026, 10, 30, 22, 45)),
    }, {}),
    "shopify_orders.csv": ("shopify_orders", {   # line items merged, -0500 offsets
        "#1230": (9140, "USD", "refunded", utc(2026, 10, 1, 16, 13, 25)),
        "#1232": (3240, "USD", "refunded", utc(2026, 10, 3, 16, 0)),
    }, {"order without refund": 1}),
    "stripe_balance_transactions.csv": ("stripe_balance_transactions", {
        "re_1B": (9999, "USD", "refunded", utc(2026, 10, 3, 14, 5)),
        "re_1E": (4050, "USD", "refunded", utc(2026, 10, 4, 9, 30)),
    }, {"charge": 1, "payout": 1, "stripe_fee": 1}),
    "stripe_payments.csv": ("stripe_payments", {
        "ch_3Pa1": (9999, "USD", "refunded", utc(2026, 10, 1, 10)),
        "ch_3Pa3": (20000, "USD", "refunded", utc(2026, 10, 3, 12)),
    }, {"payment without refund": 1}),
    "stripe_itemized.csv": ("stripe_itemized", {
        "re_9B": (9999, "USD", "refunded", utc(2026, 10, 3, 14, 5)),
        "re_9D": (1230, "EUR", "refunded", utc(2026, 10, 4, 9)),
    }, {"charge": 1, "fee": 1}),
    "adyen_settlement.csv": ("adyen_settlement", {   # debit/credit pair, CET column, ragged fee row
        "8835000000000099": (10000, "EUR", "refunded", utc(2026, 10, 3, 14, 5, 11)),
        "8835000000000100": (125000, "EUR", "refunded", utc(2026, 10, 29, 8)),
    }, {"Settled": 1, "Fee": 1, "MerchantPayout": 1}),
    "paypal_activity.csv": ("paypal_activity", {   # BOM, day-first, PDT and IANA zones, 1,299.00
        "9ZY87654XW321098V": (129900, "USD", "refunded", utc(2026, 10, 3, 21, 5, 11)),
        "5QR11111ST222222U": (2000, "USD", "refunded", utc(2026, 10, 15, 16)),
    }, {"Express Checkout Payment": 1, "General Withdrawal": 1}),
    "shopify_payments.csv": ("shopify_payments", {
        "#1001|2026-07-04 10:00:00 +0200|-99.99": (9999, "EUR", "refunded", utc(2026, 7, 4, 8)),
        "#1002|2026-07-05 18:30:00 +0200|-15.00": (1500, "EUR", "pending", utc(2026, 7, 5, 16, 30)),
    }, {"charge": 1, "adjustment": 1}),
    "netsuite_credit_memos.csv": ("netsuite_credit_memos", {   # M/D/YYYY h:mm pm, business zone
        "CM104233": (9999, "USD", "credited", utc(2026, 10, 3, 12, 5)),
        "CM104234": (4050, "USD", "credited", utc(2026, 10, 13, 7, 15)),
        "CM104235": (123400, "USD", "credited", utc(2026, 10, 31, 22, 59)),
    }, {}),
    "netsuite_return_authorizations.csv": ("netsuite_return_authorizations", {
        "RMA20451": (9999, "USD", "pending", utc(2026, 10, 1, 22)),
        "RMA20453": (12000, "USD", "cancelled", utc(2026, 10, 19, 22)),
    }, {}),
    "netsuite_customer_refunds.csv": ("netsuite_customer_refunds", {
        "CR5001": (9999, "USD", "credited", utc(2026, 10, 4, 22)),
    }, {}),
    "business_central_credit_memos.csv": ("business_central_credit_memos", {   # 1.230,46 and dd.mm.yyyy
        "PS-CR104001": (9999, None, "credited", utc(2026, 10, 2, 22)),
        "PS-CR104002": (123046, "EUR", "credited", utc(2026, 10, 13, 22)),
        "PS-CR104003": (1190, None, "cancelled", utc(2026, 10, 24, 22)),
    }, {}),
    "sap_billing_documents.tsv": ("sap_billing_documents", {   # tab, YYYYMMDD, 100.20-, (1,000.00), 25.00 CR
        "0090001234": (10020, "EUR", "credited", utc(2026, 10, 2, 22)),
        "0090001236": (100000, "EUR", "credited", utc(2026, 10, 29, 23)),
        "0090001237": (2500, "EUR", "credited", utc(2026, 10, 30, 23)),
    }, {"F2": 1}),
    "odoo_credit_notes.csv": ("odoo_credit_notes", {
        "RINV/2026/00001": (9999, "EUR", "credited", utc(2026, 10, 2, 22)),
        "RINV/2026/00002": (4000, "EUR", "pending", utc(2026, 10, 14, 22)),
    }, {}),
    "zendesk_tickets.csv": ("zendesk_tickets", {
        "5001": (None, None, "solved", utc(2026, 10, 3, 8, 5, 11)),
        "5003": (None, None, "pending", utc(2026, 10, 31, 23, 30)),
    }, {}),
    "gorgias_tickets.csv": ("gorgias_tickets", {   # ISO Z and naive UTC in one column
        "7001": (None, None, "closed", utc(2026, 10, 5, 10)),
        "7002": (None, None, "open", utc(2026, 10, 6, 8)),
    }, {}),
    "freshdesk_tickets.csv": ("freshdesk_tickets", {
        "9001": (None, None, "solved", utc(2026, 10, 7, 7)),
        "9002": (None, None, "pending", utc(2026, 10, 8, 8, 30)),
    }, {}),
}


def test_every_builtin_profile_has_a_fixture():
    assert {c[0] for c in CASES.values()} == {p.name for p in BUILTIN}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_is_detected_and_parsed(fixtures, name):
    profile, expected, skipped = CASES[name]
    det = detect_file(fixtures / name)
    assert det.profile is not None and det.profile.name == profile, det.alternatives
    assert det.confidence >= 0.6
    assert all(conf < det.confidence for _, conf in det.alternatives)
    parsed = read_file(fixtures / name, business_tz=TZ)
    assert parsed.profile == profile and parsed.system == det.system
    assert parsed.skipped_by_kind == skipped
    recs = parsed.records.set_index("record_id")
    for rid, (amount, currency, stage, occurred) in expected.items():
        row = recs.loc[rid]
        got_amount = None if row["amount_minor"] is None or str(row["amount_minor"]) == "<NA>" else int(row["amount_minor"])
        assert got_amount == amount, rid
        assert (None if str(row["currency"]) == "<NA>" else row["currency"]) == currency, rid
        assert row["stage"] == stage, rid
        assert row["occurred_at"].to_pydatetime() == occurred, rid


def test_refund_ids_refs_and_insight_attributes(fixtures):
    ns = read_file(fixtures / "netsuite_credit_memos.csv", business_tz=TZ).records.set_index("record_id")
    assert ns.loc["CM104233", "return_ref"] == "LOOP-84213"
    assert ns.loc["CM104233", "refund_ref"] == "re_1B"
    assert ns.loc["CM104233", "agent"] == "Integration User"
    assert ns.loc["CM104233", "channel"] == "Online"
    assert ns.loc["CM104233", "source_version"] == "Loop NetSuite Connector 2.4.1"
    assert ns.loc["CM104233", "status_raw"] == "Credit Memo:Fully Applied"
    loop = read_file(fixtures / "loop_returns.csv").records.set_index("record_id")
    assert loop.loc["84214", "channel"] == "pos" and loop.loc["84214", "category"] == "Apparel"
    assert loop.loc["84214", "order_ref"] == "#1002"
    zd = read_file(fixtures / "zendesk_tickets.csv", business_tz=TZ).records.set_index("record_id")
    assert zd.loc["5002", "channel"] == "Web form"
    assert zd.loc["5001", "return_ref"] == "84213" and zd.loc["5001", "order_ref"] == "#1001"
    stripe = read_file(fixtures / "stripe_balance_transactions.csv").records.set_index("record_id")
    assert stripe.loc["re_1B", "return_ref"] == "84213"


def test_raw_row_is_kept_verbatim(fixtures):
    import json

    parsed = read_file(fixtures / "stripe_balance_transactions.csv")
    assert parsed.raw_columns == sorted(parsed.raw_columns) and "Amount" in parsed.raw_columns
    raw = dict(zip(parsed.raw_columns, json.loads(parsed.records.iloc[0]["raw"])))
    assert raw["Amount"] == "-99.99" and raw["Source"] == "re_1B" and raw["Created (UTC)"] == "2026-10-03 14:05"
    assert parsed.records.iloc[0]["source_row"] == 3


def test_parse_decisions_are_reported(fixtures):
    report = read_file(fixtures / "paypal_activity.csv").report
    text = " | ".join(report["decisions"])
    assert "encoding utf-8-sig" in text
    assert "day-first" in text
    report = read_file(fixtures / "happy_returns.csv").report
    assert any("above the header" in d for d in report["decisions"])
