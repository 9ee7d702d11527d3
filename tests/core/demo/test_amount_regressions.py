"""Planted amount effects never leave the files saying something else than truth.csv.

Regression: with seed 2 and 2,000 returns a flat 10.00 restocking fee was planted on an 8.50
refund, so the NetSuite credit memo was written as -1.50; readers take the magnitude (1.50),
which is a 7.00 difference (no scheduled fee), while truth.csv said `partial_receipt`."""

from decimal import Decimal

import numpy as np
import pytest

from tests.core.demo.demo_files import load, money
from tests.core.demo.oracle import TOLERANCE, erp_amount, fees, ids
from workbench.core.demo import generate_demo
from workbench.core.demo.model import NONE
from workbench.core.demo.plan import build_plan

AMOUNT_CODES = {"partial_receipt", "rounding", "amount_mismatch"}


@pytest.mark.parametrize("returns,months", [(40, 1), (500, 1), (500, 3), (2000, 1)])
def test_every_written_refund_and_credit_is_above_zero(returns, months):
    for seed in range(1, 16):
        plan = build_plan(returns, months, "2026-10", seed, "America/New_York")
        credited = plan.erp_t != NONE
        assert (plan.erp_amount[credited] > 0).all(), (seed, plan.rid[credited & (plan.erp_amount <= 0)])
        refunded = plan.proc_t != NONE
        assert (plan.amount[refunded] > 0).all(), seed
        for extra in (plan.mp_amount, plan.me_amount, plan.or_amount):
            assert (extra > 0).all(), seed


def _amount_codes_from_files(portal: Decimal, erp: Decimal) -> set[str]:
    diff = portal - erp
    if diff > 0 and diff in fees(portal):
        return {"partial_receipt"}
    if diff != 0 and abs(diff) <= TOLERANCE:
        return {"rounding"}
    if abs(diff) > TOLERANCE:
        return {"amount_mismatch"}
    return set()


# (seed, returns, months): seed 2 / 2,000 and seed 7 / 2,000 planted a fee at or above a small
# refund (-1.50 and -2.00 credit memos), seed 10 / 3 x 500 did so in its first month
@pytest.mark.parametrize("seed,returns,months", [(2, 2000, 1), (7, 2000, 1), (10, 500, 3), (3, 300, 1)])
def test_amount_symptoms_recomputed_from_the_written_amounts(tmp_path, seed, returns, months):
    generate_demo(tmp_path, returns=returns, seed=seed, months=months)
    demo = load(tmp_path)
    assert all(money(r["Amount"]) > 0 for r in demo.netsuite.values())   # credits are written positive
    wrong = []
    for row in demo.truth:
        erps = ids(row["erp_record_ids"])
        if not row["portal_record_id"] or not erps:
            continue
        portal = money(demo.loop[row["portal_record_id"]]["refund"])
        expected = _amount_codes_from_files(portal, erp_amount(demo.netsuite[erps[0]]))
        if set(ids(row["symptoms"])) & AMOUNT_CODES != expected:
            wrong.append((row["truth_id"], row["symptoms"], portal, demo.netsuite[erps[0]]["Amount"]))
    assert wrong == [], wrong[:5]
    planted = sum("partial_receipt" in row["symptoms"] for row in demo.truth)
    assert planted > 0                       # the check above is not vacuous
