"""import_files: all-or-nothing, re-import no-op, overlapping exports update with history,
worked cases flagged (never silently rewritten), audit events, touched ids."""

from __future__ import annotations

import json
import shutil

from ingest_helpers import table_counts
from sqlalchemy import select

from workbench.core.audit import verify_chain
from workbench.core.ingest import import_files
from workbench.core.store.models import AuditEvent, Case, CaseLink, ImportBatch, SourceRecord, Tag

HEADER = ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,"
          "Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC),Transfer Group,"
          "return_id (metadata),order_id (metadata)\n")


def stripe_file(path, refunds, extra=""):
    lines = [HEADER, "txn_c,charge,ch_1,50.00,-1.00,49.00,usd,2026-10-01 10:00,2026-10-03 00:00,x,,,,,,,\n"]
    for rid, amount in refunds:
        lines.append(f"txn_{rid},refund,{rid},-{amount},0.00,-{amount},usd,2026-10-03 14:05,"
                     f"2026-10-05 00:00,Refund,,,,,,R-{rid},#1\n")
    path.write_text("".join(lines) + extra, encoding="utf-8")
    return path


def current(workbook):
    with workbook.sessions() as s:
        rows = s.execute(select(SourceRecord.record_id, SourceRecord.amount_minor, SourceRecord.version)
                         .where(SourceRecord.is_current.is_(True)).order_by(SourceRecord.record_id)).all()
    return [tuple(r) for r in rows]


def test_import_writes_batches_records_and_audit(workbook, fixtures):
    files = [fixtures / "loop_returns.csv", fixtures / "stripe_balance_transactions.csv"]
    summary = import_files(workbook, files)
    assert [f.status for f in summary.files] == ["imported", "imported"]
    assert len(summary.touched_record_ids) == 4 + 2
    with workbook.sessions() as s:
        batches = s.execute(select(ImportBatch).order_by(ImportBatch.id)).scalars().all()
        assert [(b.system, b.profile, b.rows_total, b.rows_loaded, b.rows_skipped) for b in batches] == [
            ("portal", "loop_returns", 4, 4, 0), ("processor", "stripe_balance_transactions", 5, 2, 3)]
        report = json.loads(batches[1].report)
        assert report["skipped_by_kind"] == {"charge": 1, "payout": 1, "stripe_fee": 1}
        assert len(batches[1].sha256) == 64
        rec = s.execute(select(SourceRecord).where(SourceRecord.record_id == "re_1B")).scalar_one()
        assert rec.amount_minor == 9999 and rec.currency == "USD" and rec.version == 1 and rec.is_current
        assert rec.occurred_at.isoformat() == "2026-10-03T14:05:00+00:00"
        assert dict(zip(json.loads(batches[1].raw_columns), json.loads(rec.raw)))["Source"] == "re_1B"
        assert len(rec.row_hash) == 64
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "import")).scalars().all()
        assert len(events) == 2 and json.loads(events[1].after)["rows_skipped"] == 3
        assert verify_chain(s).ok


def test_reimport_identical_file_is_a_noop(workbook, fixtures, tmp_path):
    copy = shutil.copy(fixtures / "loop_returns.csv", tmp_path / "renamed.csv")
    first = import_files(workbook, [fixtures / "loop_returns.csv"])
    before = table_counts(workbook)
    summary = import_files(workbook, [copy, copy])
    assert [f.status for f in summary.files] == ["unchanged", "unchanged"]
    assert summary.files[0].batch_id == first.files[0].batch_id and summary.files[0].profile == "loop_returns"
    assert summary.touched_record_ids == []
    assert table_counts(workbook) == before


def test_overlapping_export_updates_with_history(workbook, tmp_path):
    first = stripe_file(tmp_path / "oct_a.csv", [("re_1", "10.00"), ("re_2", "20.00")])
    import_files(workbook, [first])
    second = stripe_file(tmp_path / "oct_b.csv", [("re_2", "25.00"), ("re_1", "10.00"), ("re_3", "30.00")])
    summary = import_files(workbook, [second])
    f = summary.files[0]
    assert (f.rows_loaded, f.rows_updated, f.rows_unchanged) == (2, 1, 1)
    assert current(workbook) == [("re_1", 1000, 1), ("re_2", 2500, 2), ("re_3", 3000, 1)]
    with workbook.sessions() as s:
        history = s.execute(select(SourceRecord.amount_minor, SourceRecord.version, SourceRecord.is_current)
                            .where(SourceRecord.record_id == "re_2").order_by(SourceRecord.version)).all()
        assert [tuple(h) for h in history] == [(2000, 1, False), (2500, 2, True)]
        touched = s.execute(select(SourceRecord.record_id).where(SourceRecord.id.in_(summary.touched_record_ids))
                            .order_by(SourceRecord.record_id)).scalars().all()
    assert touched == ["re_2", "re_3"]


def _case_for(workbook, record_id, *, tag=None, status="open"):
    with workbook.session() as s:
        rec = s.execute(select(SourceRecord).where(SourceRecord.record_id == record_id,
                                                   SourceRecord.is_current.is_(True))).scalar_one()
        case = Case(case_key=f"processor:{record_id}", status=status)
        s.add(case)
        s.flush()
        s.add(CaseLink(case_id=case.id, record_id=rec.id, system="processor", rule="anchor", confidence=1.0))
        if tag:
            s.add(Tag(case_id=case.id, tag=tag, created_by="analyst1"))
        return case.id


def test_changed_record_of_a_worked_case_flags_it(workbook, tmp_path):
    import_files(workbook, [stripe_file(tmp_path / "a.csv", [("re_1", "10.00"), ("re_2", "20.00"),
                                                             ("re_3", "30.00")])])
    worked = _case_for(workbook, "re_1", tag="waiting_on_erp")
    untouched = _case_for(workbook, "re_2")
    resolved = _case_for(workbook, "re_3", status="resolved")
    summary = import_files(workbook, [stripe_file(tmp_path / "b.csv", [("re_1", "11.00"), ("re_2", "21.00"),
                                                                       ("re_3", "30.00")])])
    assert summary.flagged_case_ids == [worked]
    with workbook.sessions() as s:
        flags = dict(s.execute(select(Case.id, Case.source_changed)).all())
        assert flags == {worked: True, untouched: False, resolved: False}   # re_3 did not change
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "source_changed")).scalar_one()
        assert ev.case_id == worked and json.loads(ev.after)["record_ids"] == ["re_1"]
        assert verify_chain(s).ok


def test_one_bad_file_means_nothing_is_written(workbook, fixtures, tmp_path):
    bad = stripe_file(tmp_path / "bad.csv", [("re_1", "10.00")],
                      extra="txn_x,refund,re_x,-abc,0,0,usd,2026-10-03 14:05,,,,,,,,,\n")
    before = table_counts(workbook)
    try:
        import_files(workbook, [fixtures / "loop_returns.csv", bad])
    except Exception as exc:  # noqa: BLE001 - asserted below
        err = exc
    assert type(err).__name__ == "ImportFailure"
    assert "bad.csv, row 4, column 'Amount': not an amount (got '-abc'" in str(err)
    assert table_counts(workbook) == before


def test_profiles_per_file_and_business_zone_from_workbook(workbook, fixtures):
    settings = workbook.business_settings().with_changes(timezone="Europe/Berlin")
    workbook.save_business_settings(settings)
    import_files(workbook, [fixtures / "zendesk_tickets.csv"], profiles={"zendesk_tickets.csv": "zendesk_tickets"})
    with workbook.sessions() as s:
        rec = s.execute(select(SourceRecord).where(SourceRecord.record_id == "5001")).scalar_one()
        batch = s.execute(select(ImportBatch)).scalar_one()
    assert rec.occurred_at.isoformat() == "2026-10-03T08:05:11+00:00"    # 10:05:11 CEST
    assert batch.profile == "zendesk_tickets"
    assert json.loads(batch.report)["business_tz"] == "Europe/Berlin"


def test_cancel_writes_nothing(workbook, fixtures):
    import pytest

    from workbench.core.errors import ImportCancelled
    from workbench.core.jobs import Job

    before = table_counts(workbook)
    job = Job(lambda fraction, message: job.cancel() if message.startswith("loading") else None)
    with pytest.raises(ImportCancelled):
        import_files(workbook, [fixtures / "loop_returns.csv", fixtures / "zendesk_tickets.csv"], job=job)
    assert table_counts(workbook) == before


def test_reordered_later_export_is_not_a_change(workbook, fixtures, tmp_path):
    import csv

    import_files(workbook, [fixtures / "loop_returns.csv"])
    rows = list(csv.reader((fixtures / "loop_returns.csv").open(encoding="utf-8")))
    order = list(reversed(range(len(rows[0]))))
    moved = tmp_path / "loop_later.csv"
    with moved.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[r[i] for i in order] for r in rows])
    summary = import_files(workbook, [moved])
    f = summary.files[0]
    assert f.status == "imported" and (f.rows_loaded, f.rows_unchanged) == (0, 4)
