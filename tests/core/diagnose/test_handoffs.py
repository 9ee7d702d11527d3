"""missing_handoff, timing_latency, missing_disbursement and their window boundary."""

import pandas as pd
import pytest
from diag_builders import at, erp, finding, portal, proc, run, symptoms

APPROVED = "2026-10-10T12:00:00Z"


def test_missing_handoff_beyond_window():
    d = run([portal(1, "84214", 9999, APPROVED), proc(10, "re_A", "84214", 9999, "2026-10-10T15:00:00Z")],
            as_of="2026-10-14T12:00:00Z")
    assert symptoms(d, 1) == {"missing_handoff"}
    f = finding(d, 1, "missing_handoff")
    assert f["boundary"] == "portal -> ERP middleware" and f["scope"] == "it" and f["cause"] == "integration"
    assert f["systems"] == "erp"
    assert "96 h since approval, beyond the 72 h window" in f["evidence"]
    assert "99.99" in f["evidence"] and "re_A" in f["evidence"]


@pytest.mark.parametrize("as_of, expected", [
    ("2026-10-13T11:59:00Z", {"timing_latency"}),   # 71 h 59 min: inside
    ("2026-10-13T12:00:00Z", {"missing_handoff"}),  # exactly 72 h: the window has closed
    ("2026-10-13T12:01:00Z", {"missing_handoff"}),
])
def test_window_boundary_at_exactly_72_hours(as_of, expected):
    d = run([portal(1, "84214", 9999, APPROVED), proc(10, "re_A", "84214", 9999, "2026-10-10T15:00:00Z")],
            as_of=as_of)
    assert symptoms(d, 1) == expected


def test_timing_latency_names_when_the_window_closes_and_what_is_missing():
    d = run([portal(1, "84214", 9999, APPROVED, stage="requested")], as_of="2026-10-11T12:00:00Z")
    f = finding(d, 1, "timing_latency")
    assert f["window_closes_at"] == pd.Timestamp(at("2026-10-13T12:00:00Z"))
    assert f["systems"] == "processor;erp"
    assert "closes 2026-10-13 08:00" in f["evidence"]       # shown in New York time
    assert f["evidence"].startswith("Processor refund missing, ERP credit missing; approved 2026-10-10 08:00")


def test_latency_window_setting_is_used():
    rows = [portal(1, "84214", 9999, APPROVED), proc(10, "re_A", "84214", 9999, "2026-10-10T15:00:00Z")]
    assert symptoms(run(rows, as_of="2026-10-14T12:00:00Z", latency_window_hours=120), 1) == {"timing_latency"}


def test_pending_erp_inside_window_is_latency_not_a_finding_after_credit():
    rows = [portal(1, "84214", 9999, APPROVED), proc(10, "re_A", "84214", 9999, "2026-10-10T15:00:00Z"),
            erp(20, "CM1", "LOOP-84214", 9999, "2026-10-11T09:00:00Z", stage="pending")]
    assert symptoms(run(rows, as_of="2026-10-11T12:00:00Z"), 1) == {"timing_latency"}
    rows[2] = erp(20, "CM1", "LOOP-84214", 9999, "2026-10-11T09:00:00Z")
    assert symptoms(run(rows, as_of="2026-10-11T12:00:00Z"), 1) == set()


def test_missing_disbursement():
    rows = [portal(1, "84214", 9999, APPROVED), erp(20, "CM1", "LOOP-84214", 9999, "2026-10-11T09:00:00Z")]
    d = run(rows, as_of="2026-10-20T00:00:00Z")
    assert symptoms(d, 1) == {"missing_disbursement"}
    f = finding(d, 1, "missing_disbursement")
    assert f["systems"] == "processor" and f["amount_delta_minor"] == -9999
    # inside the window it is only latency
    assert symptoms(run(rows, as_of="2026-10-11T12:00:00Z"), 1) == {"timing_latency"}


def test_exchange_without_refund_amount_is_clean():
    d = run([portal(1, "84214", 0, APPROVED)], as_of="2026-10-11T12:00:00Z")
    assert symptoms(d, 1) == set()


def test_as_of_defaults_to_the_latest_event():
    d = run([portal(1, "84214", 9999, APPROVED), proc(10, "re_A", "84214", 9999, "2026-10-14T13:00:00Z")])
    assert d.as_of == at("2026-10-14T13:00:00Z")
    assert symptoms(d, 1) == {"missing_handoff"}
