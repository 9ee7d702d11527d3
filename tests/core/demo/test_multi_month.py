"""Several months with the planted cross-month patterns of issue 7 (patterns.json)."""

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from tests.core.demo.demo_files import TZ, load, money, netsuite_created, stripe_time, utc_iso
from tests.core.demo.oracle import ids
from workbench.core.demo import SYMPTOMS


BOUNDARIES = ("portal -> ERP middleware", "middleware -> ERP linkage", "WMS -> portal -> ERP",
              "processing queue", "processor -> ERP posting", "support <- any")


def _patterns(result):
    return json.loads(result.patterns.read_text(encoding="utf-8"))


def test_each_month_has_its_four_files(three_months):
    names = {p.name for p in three_months.files}
    for period in ("2026-08", "2026-09", "2026-10"):
        assert {f"loop_returns_{period}.csv", f"stripe_balance_transactions_{period}.csv",
                f"netsuite_credit_memos_{period}.xlsx", f"zendesk_tickets_{period}.csv"} <= names
    assert len(names) == 12 and three_months.periods == ["2026-08", "2026-09", "2026-10"]


def test_patterns_json_describes_four_patterns(three_months):
    doc = _patterns(three_months)
    pats = {p["name"]: p for p in doc["patterns"]}
    assert len(pats) == 4
    for p in pats.values():
        assert p["symptom"] in SYMPTOMS
        assert p["expected_verdict"] in ("integration", "process")
        assert isinstance(p["expected_structural"], bool) and p["months"]
        assert {"attribute", "value"} <= set(p)
        assert p["boundary"] in BOUNDARIES
    assert [p["name"] for p in pats.values() if p["expected_structural"]] == ["middleware_queue_outage"]
    assert pats["jdoe_manual_credits_under_50"]["expected_verdict"] == "process"
    assert pats["month_end_cutoff_recurring"]["recurs_after_adjustment"] is True


def test_connector_version_fault_is_uniform_and_on_most_of_its_records(three_months):
    demo = load(three_months.truth.parent)
    version = next(p["value"] for p in _patterns(three_months)["patterns"] if p["attribute"] == "source_version")
    by_doc = {doc: row for row in demo.truth for doc in ids(row["erp_record_ids"])}
    docs = [d for d, r in demo.netsuite.items() if r["Integration"] == version]
    hit = [d for d in docs if "amount_mismatch" in by_doc[d]["symptoms"]]
    assert len(hit) >= 0.8 * len(docs) and len(docs) >= 10
    months = {netsuite_created(demo.netsuite[d]["Date Created"]).astimezone(TZ).strftime("%Y-%m") for d in hit}
    assert months >= {"2026-08", "2026-09", "2026-10"}
    classes = Counter(demo.netsuite[d]["Class"] for d in hit)
    assert classes["Online"] and classes["Store"] or len(hit) < 8     # not one channel only
    others = [d for d, r in demo.netsuite.items() if r["Integration"] not in (version, "Manual")]
    assert sum("amount_mismatch" in by_doc[d]["symptoms"] for d in others) < 0.01 * len(others)


def test_agent_process_fault_under_the_threshold(three_months):
    demo = load(three_months.truth.parent)
    jdoe = [r for r in demo.netsuite.values() if r["Created By"] == "jdoe"]
    assert len(jdoe) >= 6
    assert all(r["Integration"] == "Manual" and money(r["Amount"]) < Decimal("50.00") for r in jdoe)
    months = {netsuite_created(r["Date Created"]).astimezone(TZ).strftime("%Y-%m") for r in jdoe}
    assert months == {"2026-08", "2026-09", "2026-10"}
    manual_by_others = [r for r in demo.netsuite.values()
                        if r["Integration"] == "Manual" and r["Created By"] != "jdoe"]
    assert len(manual_by_others) < len(jdoe) / 2


def test_cutoff_recurs_at_every_month_end(three_months):
    demo = load(three_months.truth.parent)
    ends = Counter()
    for row in demo.truth:
        if "period_cutoff" in row["symptoms"]:
            proc = stripe_time(demo.stripe[ids(row["processor_record_ids"])[0]]["Created (UTC)"]).astimezone(TZ)
            ends[proc.strftime("%Y-%m")] += 1
    assert set(ends) == {"2026-08", "2026-09", "2026-10"}


def _row_time(demo, row):
    if row["portal_record_id"]:
        return utc_iso(demo.loop[row["portal_record_id"]]["created_at"])
    if row["processor_record_ids"]:
        return stripe_time(demo.stripe[ids(row["processor_record_ids"])[0]]["Created (UTC)"])
    return netsuite_created(demo.netsuite[ids(row["erp_record_ids"])[0]]["Date Created"])


def test_only_the_planted_pattern_passes_two_percent_in_a_rolling_30_days(three_months):
    demo = load(three_months.truth.parent)
    returns = sorted(utc_iso(r["created_at"]) for r in demo.loop.values())
    rows = [(_row_time(demo, row), ids(row["symptoms"])) for row in demo.truth]
    worst = {}
    start = returns[0] - timedelta(days=10)
    while start < demo.as_of:
        end = start + timedelta(days=30)
        n = sum(start <= t < end for t in returns)
        if n >= 250:
            counts = Counter(c for t, codes in rows if start <= t < end for c in codes)
            for code, k in counts.items():
                worst[code] = max(worst.get(code, 0), k / n)
        start += timedelta(hours=12)
    over = {c: round(r * 100, 2) for c, r in worst.items() if r > 0.02}
    assert over.keys() == {"missing_handoff"}, over
