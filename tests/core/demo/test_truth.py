"""truth.csv against the files: every id exists, every record is accounted for once, and the
symptoms are what the issue-4 rules say when applied to the files' own values."""

from collections import Counter

import pytest

from tests.core.demo.demo_files import load, money, stripe_time
from tests.core.demo.oracle import expected_symptoms, ids
from workbench.core.demo import SYMPTOMS, TRUTH_HEADER


def _demos(demo_months, three_months):
    return [*(r.truth.parent for r in demo_months.values()), three_months.truth.parent]


def test_truth_header_and_codes(demo_months):
    demo = load(demo_months[1].truth.parent)
    assert list(demo.truth[0]) == TRUTH_HEADER
    for row in demo.truth:
        codes = ids(row["symptoms"])
        assert codes == sorted(set(codes)) and set(codes) <= set(SYMPTOMS), row


def test_truth_symptoms_follow_the_rules_on_the_files(demo_months, three_months):
    for folder in _demos(demo_months, three_months):
        demo = load(folder)
        wrong = [(row["truth_id"], row["symptoms"], ";".join(sorted(expected_symptoms(demo, row))))
                 for row in demo.truth if set(ids(row["symptoms"])) != expected_symptoms(demo, row)]
        assert wrong == [], f"{folder.name}: {wrong[:5]}"


def test_truth_ids_exist_and_every_record_is_in_exactly_one_row(demo_months, three_months):
    for folder in _demos(demo_months, three_months):
        demo = load(folder)
        seen = Counter()
        for row in demo.truth:
            if row["portal_record_id"]:
                assert row["portal_record_id"] in demo.loop
                seen["loop:" + row["portal_record_id"]] += 1
            for rid in ids(row["processor_record_ids"]):
                assert rid in demo.stripe and rid.startswith("re_")
                seen["stripe:" + rid] += 1
            for doc in ids(row["erp_record_ids"]):
                assert doc in demo.netsuite and doc.startswith("CM")
                seen["netsuite:" + doc] += 1
            for tid in ids(row["support_record_ids"]):
                assert tid in demo.zendesk
                seen["zendesk:" + tid] += 1
        assert max(seen.values()) == 1
        assert len(seen) == len(demo.loop) + len(demo.stripe) + len(demo.netsuite) + len(demo.zendesk)


def test_links_in_truth_are_what_the_records_say(demo_months):
    demo = load(demo_months[2].truth.parent)
    for row in demo.truth:
        rid = row["portal_record_id"]
        if not rid:
            for re_id in ids(row["processor_record_ids"]):
                assert demo.stripe[re_id]["return_id (metadata)"] == ""
            continue
        loop = demo.loop[rid]
        for re_id in ids(row["processor_record_ids"]):
            stripe = demo.stripe[re_id]
            assert stripe["return_id (metadata)"] == rid
            assert stripe["order_id (metadata)"] == loop["order_id"]
            assert -money(stripe["Amount"]) == money(loop["refund"])      # Stripe refunds are negative
        for doc in ids(row["erp_record_ids"]):
            assert demo.netsuite[doc]["Email"] == loop["customer"]
        if row["support_record_ids"]:
            ticket = demo.zendesk[row["support_record_ids"]]
            assert ticket["Return ID [txt]"] in ("", rid)
            assert ticket["Order Number [txt]"].lstrip("#") == loop["order_name"].lstrip("#")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_symptom_is_planted_at_a_measurable_rate(demo_months, seed):
    demo = load(demo_months[seed].truth.parent)
    counts = Counter(code for row in demo.truth for code in ids(row["symptoms"]))
    returns = len(demo.loop)
    low = {code: counts[code] for code in SYMPTOMS if counts[code] < 0.02 * returns}
    assert low == {}, f"seed {seed}: symptoms below 2 % of {returns} returns: {low}"
    clean = sum(1 for row in demo.truth if row["portal_record_id"] and not row["symptoms"])
    assert clean > 0.5 * returns                          # most returns are healthy
    assert any(";" in row["symptoms"] for row in demo.truth)   # some carry several codes


def test_duplicates_are_retries_of_the_same_event(demo_months):
    demo = load(demo_months[1].truth.parent)
    dups = [row for row in demo.truth if "duplicate_event" in row["symptoms"]]
    assert dups
    for row in dups:
        procs = [demo.stripe[i] for i in ids(row["processor_record_ids"])]
        if len(procs) == 2:
            a, b = procs
            assert a["Amount"] == b["Amount"] and a["return_id (metadata)"] == b["return_id (metadata)"]
            assert a["Source"] != b["Source"]
            assert abs(stripe_time(a["Created (UTC)"]) - stripe_time(b["Created (UTC)"])).total_seconds() <= 3600
        erps = [demo.netsuite[i] for i in ids(row["erp_record_ids"])]
        if len(erps) == 2:
            assert erps[0]["Reference No."] == erps[1]["Reference No."]
            assert money(erps[0]["Amount"]) == money(erps[1]["Amount"])


def test_tiny_runs_stay_consistent(tmp_path):
    from workbench.core.demo import generate_demo

    for months in (1, 2):
        for seed in (1, 2, 3):
            folder = tmp_path / f"m{months}s{seed}"
            generate_demo(folder, returns=40, seed=seed, months=months)
            demo = load(folder)
            assert all(set(ids(row["symptoms"])) == expected_symptoms(demo, row) for row in demo.truth)


@pytest.mark.parametrize("tz,start,months", [
    ("Europe/Berlin", "2026-10", 1),          # clocks go back on 25 Oct, mid-month
    ("America/New_York", "2026-03", 1),       # clocks go forward on 8 Mar
    ("Australia/Sydney", "2026-04", 2),       # southern hemisphere, back on 5 Apr
    ("Asia/Kolkata", "2026-12", 2),           # +05:30, across the year end
])
def test_truth_holds_in_other_zones_and_months(tmp_path, tz, start, months):
    from workbench.core.demo import generate_demo

    generate_demo(tmp_path, returns=300, seed=7, months=months, start=start, business_tz=tz)
    demo = load(tmp_path)
    assert str(demo.tz) == tz
    wrong = [row["truth_id"] for row in demo.truth if set(ids(row["symptoms"])) != expected_symptoms(demo, row)]
    assert wrong == []
