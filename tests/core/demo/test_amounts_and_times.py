"""Amounts are exact, fees follow the schedule, month-end cut-offs straddle local midnight."""

from decimal import Decimal

from tests.core.demo.demo_files import TZ, load, money, netsuite_created, stripe_time, utc_iso
from tests.core.demo.oracle import fees, ids


def _with(demo, code):
    return [row for row in demo.truth if code in ids(row["symptoms"])]


def test_amount_symptoms_are_exact(demo_months):
    demo = load(demo_months[1].truth.parent)
    for row in _with(demo, "partial_receipt"):
        portal = money(demo.loop[row["portal_record_id"]]["refund"])
        erp = money(demo.netsuite[ids(row["erp_record_ids"])[0]]["Amount"])
        assert portal - erp in fees(portal) and 0 < erp < portal
    for row in _with(demo, "rounding"):
        portal = money(demo.loop[row["portal_record_id"]]["refund"])
        erp = money(demo.netsuite[ids(row["erp_record_ids"])[0]]["Amount"])
        assert Decimal("0.01") <= abs(portal - erp) <= Decimal("0.05")
    for row in _with(demo, "amount_mismatch"):
        portal = money(demo.loop[row["portal_record_id"]]["refund"])
        erp = money(demo.netsuite[ids(row["erp_record_ids"])[0]]["Amount"])
        assert abs(portal - erp) > Decimal("0.05") and portal - erp not in fees(portal)


def test_planted_cutoffs_straddle_local_midnight(demo_months):
    demo = load(demo_months[1].truth.parent)
    cutoffs = _with(demo, "period_cutoff")
    assert cutoffs
    tight = 0
    for row in cutoffs:
        proc = stripe_time(demo.stripe[ids(row["processor_record_ids"])[0]]["Created (UTC)"]).astimezone(TZ)
        erp = netsuite_created(demo.netsuite[ids(row["erp_record_ids"])[0]]["Date Created"]).astimezone(TZ)
        assert (proc.year, proc.month) != (erp.year, erp.month)
        if proc.hour == 23 and erp.hour == 0 and (erp.date() - proc.date()).days == 1:
            tight += 1                   # refund 23:xx on the last day, credit 00:xx the 1st
    assert tight >= len(cutoffs) // 2


def test_latency_returns_are_inside_the_window_and_handoffs_outside(demo_months):
    demo = load(demo_months[1].truth.parent)
    for code, inside in (("timing_latency", True), ("missing_handoff", False),
                         ("missing_disbursement", False)):
        rows = _with(demo, code)
        assert rows
        for row in rows:
            age = demo.as_of - utc_iso(demo.loop[row["portal_record_id"]]["created_at"])
            assert (age.total_seconds() < 72 * 3600) == inside
            # kept clear of the window edge, so minute rounding cannot flip the verdict
            assert abs(age.total_seconds() - 72 * 3600) > 3600


def test_money_columns_parse_with_decimal_everywhere(demo_months):
    demo = load(demo_months[3].truth.parent)
    total = sum((money(r["Amount"]) for r in demo.stripe_all), Decimal(0))
    assert total == total.quantize(Decimal("0.01"))
    for r in demo.loop.values():
        for col in ("total", "handling_fee", "refund"):
            money(r[col])
