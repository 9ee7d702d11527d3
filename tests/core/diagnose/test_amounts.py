"""partial_receipt vs amount_mismatch vs rounding: the fee schedule, the tolerance, exact cents."""

from decimal import Decimal

import pytest
from diag_builders import erp, finding, portal, proc, run, symptoms

T0, T1, T2 = "2026-10-01T12:00:00Z", "2026-10-01T15:00:00Z", "2026-10-02T09:00:00Z"
AS_OF = "2026-10-20T00:00:00Z"


def case(portal_amount, erp_amount, proc_amount=None, **settings):
    rows = [portal(1, "84214", portal_amount, T0), proc(10, "re_A", "84214", proc_amount or portal_amount, T1),
            erp(20, "CM1", "LOOP-84214", erp_amount, T2)]
    return run(rows, as_of=AS_OF, **settings)


def test_restocking_fee_percent_is_partial_receipt_with_the_arithmetic():
    d = case(9999, 8499)
    assert symptoms(d, 1) == {"partial_receipt"}
    f = finding(d, 1, "partial_receipt")
    assert f["evidence"] == "ERP 84.99 = portal 99.99 - 15 % restocking fee (15.00)"
    assert f["systems"] == "portal;erp" and f["fields"] == "amount_minor"
    assert f["amount_delta_minor"] == -1500
    assert f["scope"] == "ops" and f["cause"] == "process"


def test_percent_fee_rounds_half_up_to_the_cent():
    # 25 % of 10.10 = 2.525 -> 2.53
    assert symptoms(case(1010, 757), 1) == {"partial_receipt"}
    assert symptoms(case(1010, 758), 1) == {"amount_mismatch"}


def test_flat_fee_is_partial_receipt():
    d = case(4000, 3250)
    assert symptoms(d, 1) == {"partial_receipt"}
    assert "flat restocking fee 7.50" in finding(d, 1, "partial_receipt")["evidence"]


def test_nine_ninety_nine_off_is_not_the_ten_dollar_fee():
    d = case(5000, 4001)
    assert symptoms(d, 1) == {"amount_mismatch"}
    assert "differs by 9.99, not a scheduled fee" in finding(d, 1, "amount_mismatch")["evidence"]


def test_erp_higher_than_portal_by_a_fee_amount_is_a_mismatch():
    assert symptoms(case(5000, 5500), 1) == {"amount_mismatch"}




@pytest.mark.parametrize("delta, expected", [
    (1, {"rounding"}), (-5, {"rounding"}), (5, {"rounding"}), (6, {"amount_mismatch"}),
    (-6, {"amount_mismatch"}), (0, set()),
])
def test_rounding_tolerance_edges(delta, expected):
    assert symptoms(case(9999, 9999 + delta), 1) == expected


def test_tolerance_setting_changes_the_verdict():
    assert symptoms(case(9999, 9989, rounding_tolerance=Decimal("0.10")), 1) == {"rounding"}
    assert symptoms(case(9999, 9989), 1) == {"amount_mismatch"}


def test_fee_schedule_setting_is_used():
    d = case(10000, 8800, fee_percents=(Decimal("12"),), fee_flats=())
    assert symptoms(d, 1) == {"partial_receipt"}
    assert symptoms(case(10000, 8500, fee_percents=(Decimal("12"),), fee_flats=()), 1) == {"amount_mismatch"}


def test_processor_rounding_against_portal_is_flagged_on_the_processor():
    d = case(9999, 9999, proc_amount=9998)
    assert symptoms(d, 1) == {"rounding"}
    assert finding(d, 1, "rounding")["systems"] == "portal;processor"
