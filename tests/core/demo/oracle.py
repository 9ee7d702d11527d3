"""The diagnosis rules of issue 4 (default settings), applied to what the demo files say about
each truth row's records. An independent re-derivation of truth.csv's `symptoms` column."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from tests.core.demo.demo_files import (Demo, money, netsuite_created, period, stripe_time,
                                        utc_iso, zendesk_time)

WINDOW = timedelta(hours=72)
STALE = timedelta(hours=48)
TOLERANCE = Decimal("0.05")


def fees(amount: Decimal) -> set[Decimal]:
    pct = {(amount * p / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for p in (10, 15, 20, 25)}
    return pct | {Decimal("5.00"), Decimal("7.50"), Decimal("10.00")}


def erp_amount(row: dict) -> Decimal:
    """A credit memo's amount as the app reads it: the magnitude (the ERP profiles take
    amounts unsigned), so a negative credit in the file would not pass for a larger fee."""
    return abs(money(row["Amount"]))


def ids(text: str) -> list[str]:
    return [x for x in text.split(";") if x]


def expected_symptoms(demo: Demo, row: dict) -> set[str]:
    procs = sorted((demo.stripe[i] for i in ids(row["processor_record_ids"])),
                   key=lambda r: stripe_time(r["Created (UTC)"]))
    erps = sorted((demo.netsuite[i] for i in ids(row["erp_record_ids"])),
                  key=lambda r: (netsuite_created(r["Date Created"], demo.tz), r["Document Number"]))
    if not row["portal_record_id"]:
        if procs:
            return {"manual_bypass"}
        if erps[0]["Integration"] == "Manual":
            return {"manual_bypass"}
        return {"id_linkage"}                     # a connector credit for a return that does not exist
    loop = demo.loop[row["portal_record_id"]]
    out: set[str] = set()
    refund_outcome = loop["outcome"] == "refund"
    approved_ok = refund_outcome and loop["state"] in ("open", "closed")
    refunded = refund_outcome and loop["state"] == "closed"
    in_window = demo.as_of - utc_iso(loop["created_at"]) < WINDOW
    if approved_ok and procs and not erps and not in_window:
        out.add("missing_handoff")
    if approved_ok and (not procs or not erps) and in_window:
        out.add("timing_latency")
    if refunded and erps and not procs and not in_window:
        out.add("missing_disbursement")
    if erps:
        erp = erps[0]
        if erp["Reference No."] != f"LOOP-{loop['id']}":
            out.add("id_linkage")
        portal = money(loop["refund"])
        diff = portal - erp_amount(erp)
        is_fee = diff > 0 and diff in fees(portal)
        if is_fee:
            out.add("partial_receipt")
        elif diff != 0 and abs(diff) <= TOLERANCE:
            out.add("rounding")
        elif abs(diff) > TOLERANCE:
            out.add("amount_mismatch")
    if len(procs) > 1 or len(erps) > 1:
        out.add("duplicate_event")
    if procs and erps and period(stripe_time(procs[0]["Created (UTC)"]), demo.tz) != period(
            netsuite_created(erps[0]["Date Created"], demo.tz), demo.tz):
        out.add("period_cutoff")
    if row["support_record_ids"]:
        ticket = demo.zendesk[row["support_record_ids"]]
        times = [stripe_time(r["Created (UTC)"]) for r in procs]
        times += [netsuite_created(r["Date Created"], demo.tz) for r in erps]
        if times and ticket["Status"] in ("new", "open", "pending"):
            latest = max(times)
            if zendesk_time(ticket["Updated at"], demo.tz) < latest and demo.as_of - latest > STALE:
                out.add("stale_ticket")
    return out
