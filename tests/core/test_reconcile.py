"""reconcile(): persistence, upsert by case_key, case work survives, inactive cases, overrides,
cancel, audit, incremental."""

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, update

from workbench.core.errors import ImportCancelled
from workbench.core.jobs import Job
from workbench.core.reconcile import reconcile
from workbench.core.settings import BusinessSettings
from workbench.core.store.models import (AuditEvent, Case, CaseLink, Finding, ImportBatch, LinkCandidate,
                                         SourceRecord)
from workbench.core.timeutil import parse_iso_utc

AS_OF = parse_iso_utc("2026-10-20T00:00:00Z")


def rec(system, record_id, amount=None, at="2026-10-01T12:00:00Z", **kw):
    row = dict(system=system, profile=system, source_row=2, record_id=record_id, amount_minor=amount,
               currency="USD", occurred_at=parse_iso_utc(at), raw="{}", row_hash="h", version=1,
               is_current=True, stage={"portal": "refunded", "processor": "refunded", "erp": "credited",
                                       "support": "open"}[system])
    row.update(kw)
    return row


def load(wb, rows):
    with wb.session() as s:
        batch = ImportBatch(file_name="x", sha256="0" * 64, size_bytes=1, system="portal", profile="p",
                            imported_by="t")
        s.add(batch)
        s.flush()
        ids = []
        for row in rows:
            res = s.execute(insert(SourceRecord).values(batch_id=batch.id, **row))
            ids.append(res.inserted_primary_key[0])
    return ids


BASE = [
    rec("portal", "84214", 9999, order_ref="#1001", customer="ann@x.com"),
    rec("processor", "re_A", 9999, at="2026-10-01T15:00:00Z", return_ref="84214"),
    rec("erp", "CM1", 8499, at="2026-10-02T09:00:00Z", return_ref="LOOP-84214"),
    rec("portal", "84216", 5000, order_ref="#1003", customer="bob@x.com"),
    rec("processor", "re_B", 5000, at="2026-10-01T15:00:00Z", return_ref="84216"),
    rec("processor", "re_M", 2500, at="2026-10-03T15:00:00Z"),
]


def cases_by_key(wb):
    with wb.session() as s:
        return {c.case_key: c for c in s.execute(select(Case)).scalars()}


def test_reconcile_persists_cases_links_findings_and_audit(workbook):
    load(workbook, BASE)
    summary = reconcile(workbook, BusinessSettings(as_of=AS_OF))
    assert summary.cases == 3 and summary.cases_with_findings == 3
    assert summary.by_symptom == {"manual_bypass": 1, "missing_handoff": 1, "partial_receipt": 1}
    cases = cases_by_key(workbook)
    c = cases["portal:84214"]
    assert c.symptoms == "partial_receipt" and c.symptom_count == 1 and c.is_active
    assert (c.portal_amount_minor, c.processor_amount_minor, c.erp_amount_minor) == (9999, 9999, 8499)
    assert c.systems_present == "portal;processor;erp" and c.period == "2026-10"
    assert c.boundary == "WMS -> portal -> ERP" and c.scope == "ops" and c.cause == "process"
    assert c.first_event_at == parse_iso_utc("2026-10-01T12:00:00Z")
    assert cases["portal:84216"].symptoms == "missing_handoff"
    assert cases["processor:re_M"].symptoms == "manual_bypass"
    with workbook.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseLink)) == 6
        f = s.execute(select(Finding).where(Finding.case_id == c.id)).scalar_one()
        assert f.evidence == "ERP 84.99 = portal 99.99 - 15 % restocking fee (15.00)"
        assert f.amount_delta_minor == -1500 and f.systems == "portal;erp"
        # the normalised keys are the linker's working data, not stored (nothing reads them)
        keyed = s.execute(select(SourceRecord.key_return).where(SourceRecord.record_id == "CM1")).scalar_one()
        assert keyed is None
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "reconcile")).scalar_one()
        after = json.loads(ev.after)
        assert after["cases"] == 3 and "America/New_York" in after["settings"]


def test_case_work_survives_and_unlinked_case_becomes_inactive(workbook):
    ids = load(workbook, BASE)
    reconcile(workbook, BusinessSettings(as_of=AS_OF))
    with workbook.session() as s:
        s.execute(update(Case).where(Case.case_key == "portal:84214").values(status="investigating", assignee="kim"))
    first = cases_by_key(workbook)
    # the manual refund disappears from the current export (a newer version superseded it)
    with workbook.session() as s:
        s.execute(update(SourceRecord).where(SourceRecord.id == ids[5]).values(is_current=False))
    summary = reconcile(workbook, BusinessSettings(as_of=AS_OF))
    after = cases_by_key(workbook)
    kept = after["portal:84214"]
    assert kept.id == first["portal:84214"].id and kept.status == "investigating" and kept.assignee == "kim"
    assert not kept.source_changed      # its diagnosis did not change
    gone = after["processor:re_M"]
    assert not gone.is_active and gone.symptoms == ""
    assert summary.cases == 2 and gone.id in summary.changed_case_ids
    assert kept.id not in summary.changed_case_ids


def test_re_reconcile_is_idempotent(workbook):
    load(workbook, BASE)
    reconcile(workbook, BusinessSettings(as_of=AS_OF))
    again = reconcile(workbook, BusinessSettings(as_of=AS_OF))
    assert again.changed_case_ids == () and again.new_cases == 0
    with workbook.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 3
        assert s.scalar(select(func.count()).select_from(CaseLink)) == 6


def test_cancel_before_commit_leaves_the_store_unchanged(workbook):
    load(workbook, BASE)
    job = Job()
    calls = []

    def progress(fraction, message):
        calls.append(message)
        if message == "Saving":
            job.cancel()

    job._on_progress = progress
    with pytest.raises(ImportCancelled):
        reconcile(workbook, BusinessSettings(as_of=AS_OF), job=job)
    with workbook.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_link_override_is_kept(workbook):
    ids = load(workbook, BASE)
    reconcile(workbook, BusinessSettings(as_of=AS_OF))
    target = cases_by_key(workbook)["portal:84214"]
    with workbook.session() as s:   # a person moved the manual refund into the 84214 case
        s.execute(update(CaseLink).where(CaseLink.record_id == ids[5])
                  .values(case_id=target.id, rule="manual", is_override=True))
    reconcile(workbook, BusinessSettings(as_of=AS_OF))
    with workbook.session() as s:
        link = s.execute(select(CaseLink).where(CaseLink.record_id == ids[5])).scalar_one()
        assert link.case_id == target.id and link.is_override and link.rule == "manual"
    assert not cases_by_key(workbook)["processor:re_M"].is_active


def test_incremental_rewrites_only_touched_cases(workbook):
    load(workbook, BASE)
    reconcile(workbook, BusinessSettings(as_of=AS_OF))
    before = cases_by_key(workbook)
    new_ids = load(workbook, [rec("erp", "CM2", 5000, at="2026-10-02T09:00:00Z", return_ref="LOOP-84216")])
    summary = reconcile(workbook, BusinessSettings(as_of=AS_OF), only_record_ids=new_ids)
    after = cases_by_key(workbook)
    assert summary.incremental
    assert after["portal:84216"].symptoms == ""
    assert summary.changed_case_ids == (before["portal:84216"].id,)
    assert after["portal:84214"].diagnosed_at == before["portal:84214"].diagnosed_at
    with workbook.session() as s:
        assert s.scalar(select(func.count()).select_from(CaseLink)) == 7


def test_cli_reconcile_saves_settings_with_audit_and_prints_the_table(tmp_path, capsys):
    from workbench.cli.main import main
    from workbench.core.store import open_workbook

    path = tmp_path / "cli.rwb"
    wb = open_workbook(path)
    load(wb, BASE)
    wb.close()
    code = main(["reconcile", "--db", str(path), "--as-of", "2026-10-20T00:00:00Z", "--tz", "Europe/Berlin",
                 "--period", "2026-10", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "into 3 cases" in out and "Europe/Berlin" in out
    assert [l for l in out.splitlines() if l.startswith("missing_handoff")][0].split() == ["missing_handoff", "1", "1"]
    wb = open_workbook(path)
    try:
        s = wb.business_settings()
        assert s.timezone == "Europe/Berlin" and s.as_of == AS_OF and s.period == "2026-10"
        with wb.session() as session:
            actions = [e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
        assert actions == ["settings.change", "reconcile"]
    finally:
        wb.close()


def test_cli_reconcile_bad_zone_fails_with_one_line(tmp_path, capsys):
    from workbench.cli.main import main

    code = main(["reconcile", "--db", str(tmp_path / "x.rwb"), "--tz", "Mars/Olympus", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "Mars/Olympus" in err


def test_packed_sqlite_read_equals_the_plain_driver_read(workbook):
    from workbench.core.reconcile import _RECORD_SCHEMA, _RECORD_SQL, read_records
    from workbench.core.store.frames import fetch_frame

    load(workbook, BASE + [rec("support", "40001", None, return_ref=None, customer=None, currency=None,
                               updated_at=parse_iso_utc("2026-10-02T00:00:00Z"))])
    with workbook.engine.connect() as conn:
        packed = read_records(conn)
        plain = fetch_frame(conn, _RECORD_SQL, (True,), _RECORD_SCHEMA)
    plain["rid"] = plain["rid"].astype("int64")
    assert len(packed) == 7
    assert packed.sort_values("rid").reset_index(drop=True).equals(plain.sort_values("rid").reset_index(drop=True))
    row = packed.set_index("record_id").loc["40001"]
    assert row["amount_minor"] is pd.NA and row["updated_at"] == parse_iso_utc("2026-10-02T00:00:00Z")


def test_changed_diagnosis_of_a_worked_case_sets_source_changed(workbook):
    ids = load(workbook, BASE)
    reconcile(workbook, BusinessSettings(as_of=AS_OF))
    with workbook.session() as s:
        s.execute(update(Case).where(Case.case_key.in_(["portal:84214", "portal:84216"]))
                  .values(status="investigating"))
        s.execute(update(SourceRecord).where(SourceRecord.id == ids[2]).values(amount_minor=9999))
    summary = reconcile(workbook, BusinessSettings(as_of=AS_OF))
    after = cases_by_key(workbook)
    assert after["portal:84214"].symptoms == "" and after["portal:84214"].source_changed
    assert not after["portal:84216"].source_changed
    assert summary.changed_case_ids == (after["portal:84214"].id,)


def test_incremental_with_a_big_scope_deletes_through_id_tables(workbook, monkeypatch):
    import workbench.core.reconcile as rc

    monkeypatch.setattr(rc, "_BULK_SCOPE", 0)      # every scope counts as big here
    test_incremental_rewrites_only_touched_cases(workbook)
    with workbook.engine.connect() as conn:        # the temporary id tables are gone
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_temp_master").scalar() == 0
