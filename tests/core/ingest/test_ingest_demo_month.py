"""The demo month files (docs/ARCHITECTURE.md "Demo month files") import completely: every
record id the ground truth names is loaded for its system."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from workbench.core.ingest import detect_file, import_files
from workbench.core.store.models import SourceRecord

demo = pytest.importorskip("workbench.core.demo")


def test_demo_month_imports_every_truth_record(workbook, tmp_path):
    result = demo.generate_demo(tmp_path / "demo", returns=150, seed=3)
    expected = {"loop_returns": "portal", "stripe_balance_transactions": "processor",
                "netsuite_credit_memos": "erp", "zendesk_tickets": "support"}
    for f in result.files:
        det = detect_file(f)
        assert det.profile is not None and det.profile.name in expected, f.name
    summary = import_files(workbook, result.files)
    assert {f.profile for f in summary.files} == set(expected)
    stripe = next(f for f in summary.files if f.profile == "stripe_balance_transactions")
    assert stripe.rows_skipped > 0 and "refund" not in stripe.skipped_by_kind
    with workbook.sessions() as s:
        have = {(sys_, rid) for sys_, rid in s.execute(select(SourceRecord.system, SourceRecord.record_id))}
    columns = {"portal_record_id": "portal", "processor_record_ids": "processor",
               "erp_record_ids": "erp", "support_record_ids": "support"}
    missing = []
    with open(result.truth, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for col, system in columns.items():
                for rid in filter(None, (row.get(col) or "").split(";")):
                    if (system, rid) not in have:
                        missing.append((system, rid))
    assert missing == []
