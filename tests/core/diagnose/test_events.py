"""id_linkage, duplicate_event, period_cutoff, manual_bypass, stale_ticket."""

from diag_builders import erp, finding, portal, proc, run, symptoms, ticket

T0, T1, T2 = "2026-10-01T12:00:00Z", "2026-10-01T15:00:00Z", "2026-10-02T09:00:00Z"
AS_OF = "2026-10-20T00:00:00Z"


def healthy(n, start_rid=100):
    """Returns that set the ERP's convention (LOOP-<id>)."""
    rows = []
    for i in range(n):
        rid = start_rid + 3 * i
        rows += [portal(rid, str(90000 + 2 * i), 5000, T0), proc(rid + 1, f"re_h{i}", str(90000 + 2 * i), 5000, T1),
                 erp(rid + 2, f"CM{500 + i}", f"LOOP-{90000 + 2 * i}", 5000, T2)]
    return rows


def test_drifted_reference_is_id_linkage_with_the_repair():
    rows = healthy(4) + [portal(1, "84214", 9999, T0), proc(10, "re_A", "84214", 9999, T1),
                         erp(20, "CM1", "84214", 9999, T2)]
    d = run(rows, as_of=AS_OF)
    assert symptoms(d, 1) == {"id_linkage"}
    f = finding(d, 1, "id_linkage")
    assert f["evidence"] == "ERP CM1: prefix LOOP- missing"
    assert f["systems"] == "erp" and f["fields"] == "return_ref"
    assert all(symptoms(d, 100 + 3 * i) == set() for i in range(4))


def test_erp_reference_to_a_return_that_does_not_exist():
    d = run(healthy(3) + [erp(20, "CM9", "LOOP-99998", 4200, T2)], as_of=AS_OF)
    assert symptoms(d, 20) == {"id_linkage"}
    assert "refers to LOOP-99998, which matches no return" in finding(d, 20, "id_linkage")["evidence"]


def test_blank_reference_linked_by_fallback_is_id_linkage():
    rows = healthy(3) + [portal(1, "84214", 9999, T0), proc(10, "re_A", "84214", 9999, T1),
                         dict(erp(20, "CM1", None, 9999, T2), customer="ann@x.com")]
    d = run(rows, as_of=AS_OF)
    assert symptoms(d, 1) == {"id_linkage"}
    assert "reference blank; linked by customer, amount and time" in finding(d, 1, "id_linkage")["evidence"]


def test_retried_webhook_is_a_duplicate_event_two_genuine_refunds_are_not():
    rows = [portal(1, "84214", 9999, T0), proc(10, "re_A", "84214", 9999, T1),
            proc(11, "re_B", "84214", 9999, "2026-10-01T15:12:00Z"), erp(20, "CM1", "LOOP-84214", 9999, T2),
            portal(2, "84216", 9999, T0), proc(12, "re_C", "84216", 9999, T1),
            proc(13, "re_D", "84216", 2000, "2026-10-01T15:12:00Z"), erp(21, "CM2", "LOOP-84216", 9999, T2)]
    d = run(rows, as_of=AS_OF)
    assert symptoms(d, 1) == {"duplicate_event"}
    f = finding(d, 1, "duplicate_event")
    assert "re_B" in f["evidence"] and "12 min after the first" in f["evidence"] and f["systems"] == "processor"
    assert "duplicate_event" not in symptoms(d, 2)
    assert symptoms(d, 13) == {"manual_bypass"}   # a different refund with no return behind it


def test_period_cutoff_across_midnight_of_month_end_in_business_zone():
    # 23:30 New York on Oct 31 is 03:30 UTC Nov 1: same UTC month as the ERP posting, yet
    # in the business zone the refund is October and the posting November
    rows = [portal(1, "84214", 9999, "2026-10-31T20:00:00Z"), proc(10, "re_A", "84214", 9999, "2026-11-01T03:30:00Z"),
            erp(20, "CM1", "LOOP-84214", 9999, "2026-11-01T05:00:00Z")]
    d = run(rows, as_of="2026-11-10T00:00:00Z")
    assert symptoms(d, 1) == {"period_cutoff"}
    assert "(2026-10)" in finding(d, 1, "period_cutoff")["evidence"]
    # read in UTC both are November: no cut-off
    assert symptoms(run(rows, as_of="2026-11-10T00:00:00Z", timezone="UTC"), 1) == set()


def test_manual_bypass_processor_and_erp():
    d = run(healthy(3) + [proc(10, "re_T", None, 2500, T1), erp(20, "CM7", None, 3000, T2)], as_of=AS_OF)
    assert symptoms(d, 10) == {"manual_bypass"}
    assert symptoms(d, 20) == {"manual_bypass"}
    assert finding(d, 20, "manual_bypass")["evidence"] == "ERP credit CM7 30.00 with no portal return behind it"


def stale_rows(status="open", updated="2026-10-01T13:00:00Z"):
    return [portal(1, "84214", 9999, T0), proc(10, "re_A", "84214", 9999, T1),
            erp(20, "CM1", "LOOP-84214", 9999, T2), ticket(30, "40001", "84214", "2026-10-01T12:30:00Z", updated, status)]


def test_stale_ticket_and_its_age_boundary():
    # latest credit 2026-10-02 09:00; stale strictly after 48 h
    assert symptoms(run(stale_rows(), as_of="2026-10-04T09:01:00Z"), 1) == {"stale_ticket"}
    assert symptoms(run(stale_rows(), as_of="2026-10-04T09:00:00Z"), 1) == set()
    assert symptoms(run(stale_rows(), as_of="2026-10-04T09:01:00Z", stale_ticket_hours=72), 1) == set()


def test_ticket_updated_after_the_refund_or_solved_or_on_hold_is_not_stale():
    assert symptoms(run(stale_rows(updated="2026-10-02T10:00:00Z"), as_of=AS_OF), 1) == set()
    assert symptoms(run(stale_rows(status="solved"), as_of=AS_OF), 1) == set()
    assert symptoms(run(stale_rows(status="hold"), as_of=AS_OF), 1) == set()
    assert symptoms(run(stale_rows(status="new"), as_of=AS_OF), 1) == {"stale_ticket"}


def test_case_summary_columns():
    d = run(stale_rows() + [erp(21, "CM2", "LOOP-84214", 9999, "2026-10-02T09:03:00Z")], as_of=AS_OF)
    row = d.cases.loc[1]
    assert row["symptoms"] == "duplicate_event;stale_ticket" and row["symptom_count"] == 2
    assert row["boundary"] == "processing queue"     # the duplicate outranks the ticket
    assert row["case_key"] == "portal:84214" and row["systems_present"] == "portal;processor;erp;support"
    assert row["period"] == "2026-10" and row["amount_minor"] == 9999
    assert "re_a" in row["search_text"] and "40001" in row["search_text"]
