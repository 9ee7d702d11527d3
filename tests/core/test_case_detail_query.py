"""load_case_detail: what the case detail reads, on a hand-built workbook (no Qt)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from workbench.core import audit
from workbench.core.queries.case_detail import load_case_detail

_SAMPLE = Path(__file__).resolve().parent.parent / "ui" / "test_detail_sample.py"
_spec = importlib.util.spec_from_file_location("detail_sample_for_core", _SAMPLE)
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)


@pytest.fixture
def ids(workbook):
    return sample.build_sample(workbook)


def test_systems_live_records_duplicates_and_missing(workbook, ids):
    detail = load_case_detail(workbook, ids["a"])
    assert [s.system for s in detail.systems] == ["portal", "processor", "erp", "support"]
    processor = detail.records("processor")
    assert processor.live.record_id == "re_1AAA"
    assert [d.record_id for d in processor.duplicates] == ["re_1AAB"]
    assert detail.records("support").live is None
    erp = detail.records("erp").live
    assert (erp.amount_minor, erp.currency, erp.stage) == (8499, "USD", "credited")
    assert erp.link_rule == "return_ref" and erp.link_confidence == pytest.approx(0.9)
    assert erp.repaired.startswith("zero padding removed")
    assert (erp.file_name, erp.source_row) == ("netsuite_credit_memos_2026-10.xlsx", 3)


def test_times_are_shown_in_the_business_zone_with_periods(workbook, ids):
    detail = load_case_detail(workbook, ids["a"])
    proc = detail.records("processor").live
    erp = detail.records("erp").live
    # 2026-10-31 23:55 UTC is 19:55 in New York (EDT); 2026-11-01 04:30 UTC is 00:30
    assert proc.times_local["occurred_at"] == "2026-10-31 19:55"
    assert erp.times_local["occurred_at"] == "2026-11-01 00:30"
    assert (proc.period, erp.period) == ("2026-10", "2026-11")
    berlin = workbook.business_settings().with_changes(timezone="Europe/Berlin")
    detail_b = load_case_detail(workbook, ids["a"], settings=berlin)
    assert detail_b.records("erp").live.times_local["occurred_at"] == "2026-11-01 05:30"


def test_findings_timeline_raw_rows_history_and_work(workbook, ids):
    detail = load_case_detail(workbook, ids["a"])
    assert [f.symptom for f in detail.findings] == ["duplicate_event", "partial_receipt", "period_cutoff"]
    partial = detail.findings[1]
    assert partial.systems == ("erp",) and partial.fields == ("amount",)
    assert partial.steps == ("Check the RMA receipt in the WMS", "Confirm the fee with the returns team")
    assert partial.amount_delta_minor == -1500
    assert ("amount", "erp") in detail.divergent_cells
    # timeline: every time of every linked record, sorted
    times = [e.at for e in detail.timeline]
    assert times == sorted(times)
    assert len(detail.timeline) == 3 + 1 + 1 + 1   # portal 3 times, two processor, one ERP
    assert detail.timeline[0].what == "return requested"
    assert detail.timeline[-1].system == "erp"
    # raw rows: JSON back to a dict, with file name and row
    portal_raw = next(r for r in detail.raw_rows if r.system == "portal")
    assert portal_raw.values["total"] == "99.99"
    assert (portal_raw.file_name, portal_raw.source_row) == ("loop_returns_2026-10.csv", 2)
    assert [h.action for h in detail.history] == ["case.tag"]
    assert detail.history[0].after == {"tag": "restocking"}
    assert [t.tag for t in detail.tags] == ["restocking"]
    assert detail.notes[0].body == "Fee confirmed by returns desk."
    adj = detail.adjustments[0]
    assert (adj.system, adj.amount_from_minor, adj.amount_to_minor, adj.journal_ref, adj.review_status) == (
        "erp", 8499, 9999, "JE-2026-10-77", "pending")


def test_history_only_holds_this_cases_events(workbook, ids):
    with workbook.session() as s:
        audit.record(s, "analyst1", "case.status", case_id=ids["b"], case_key="portal:84214",
                     before={"status": "open"}, after={"status": "investigating"})
    assert [h.action for h in load_case_detail(workbook, ids["b"]).history] == ["case.status"]
    assert [h.action for h in load_case_detail(workbook, ids["a"]).history] == ["case.tag"]


def test_missing_case_gives_none(workbook, ids):
    assert load_case_detail(workbook, 999_999) is None


def test_extra_source_gets_its_own_column_after_the_four(workbook, ids):
    from workbench.core.store.models import CaseLink, ImportBatch, SourceRecord
    with workbook.session() as s:
        batch = ImportBatch(file_name="wms.csv", sha256="w" * 64, size_bytes=1, system="wms",
                            profile="generic", imported_by="analyst1")
        s.add(batch)
        s.flush()
        rec = SourceRecord(batch_id=batch.id, system="wms", profile="generic", source_row=2,
                           record_id="RCV-1", raw="{}", row_hash="y" * 64)
        s.add(rec)
        s.flush()
        s.add(CaseLink(case_id=ids["b"], record_id=rec.id, system="wms", rule="order_ref", confidence=0.7))
    detail = load_case_detail(workbook, ids["b"])
    assert [s.system for s in detail.systems] == ["portal", "processor", "erp", "support", "wms"]
    assert detail.records("wms").label == "WMS"
