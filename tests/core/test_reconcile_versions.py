"""reconcile and the people working cases: a changed diagnosis bumps cases.version (a stale
editor gets ConcurrentEditError), signed-off periods stay frozen, the save leaves the foreign
keys consistent and checked again afterwards."""

import json

import pytest
from sqlalchemy import select, text, update

from tests.core.test_reconcile import AS_OF, BASE, cases_by_key, load, rec
from workbench.core.casework import add_tag, reopen_period, set_role, signoff_period
from workbench.core.errors import ConcurrentEditError
from workbench.core.reconcile import reconcile
from workbench.core.settings import BusinessSettings
from workbench.core.store.models import AuditEvent, CaseLink, Finding, SourceRecord

SETTINGS = BusinessSettings(as_of=AS_OF)


def stored(wb, case_id):
    with wb.session() as s:
        links = sorted((l.record_id, l.rule) for l in s.execute(select(CaseLink).where(CaseLink.case_id == case_id)).scalars())
        findings = sorted((f.symptom, f.evidence) for f in s.execute(select(Finding).where(Finding.case_id == case_id)).scalars())
    return links, findings


def test_a_changed_diagnosis_bumps_the_version_and_a_stale_edit_is_refused(workbook):
    ids = load(workbook, BASE)
    reconcile(workbook, SETTINGS)
    before = cases_by_key(workbook)
    with workbook.session() as s:     # the ERP credit now matches: partial_receipt goes away
        s.execute(update(SourceRecord).where(SourceRecord.id == ids[2]).values(amount_minor=9999))
        s.execute(update(SourceRecord).where(SourceRecord.id == ids[5]).values(is_current=False))
    summary = reconcile(workbook, SETTINGS)
    after = cases_by_key(workbook)
    changed, same, gone = after["portal:84214"], after["portal:84216"], after["processor:re_M"]
    assert changed.version == before["portal:84214"].version + 1 and changed.id in summary.changed_case_ids
    assert gone.version == before["processor:re_M"].version + 1 and not gone.is_active
    assert same.version == before["portal:84216"].version     # diagnosis unchanged: no bump
    with pytest.raises(ConcurrentEditError):
        add_tag(workbook, changed.id, "late-credit", expected=before["portal:84214"].version)
    add_tag(workbook, changed.id, "late-credit", expected=changed.version)
    add_tag(workbook, same.id, "checked", expected=before["portal:84216"].version)


def test_signed_off_period_is_frozen_until_reopened(workbook):
    ids = load(workbook, BASE)
    reconcile(workbook, SETTINGS)
    set_role(workbook, workbook.user, "reviewer")
    signoff_period(workbook, "2026-10")
    before = cases_by_key(workbook)
    c84214, c84216 = before["portal:84214"], before["portal:84216"]
    kept = {c.id: stored(workbook, c.id) for c in before.values()}
    # after sign-off: the credit memo is corrected and a late credit memo arrives for 84216
    with workbook.session() as s:
        s.execute(update(SourceRecord).where(SourceRecord.id == ids[2]).values(amount_minor=9999))
    load(workbook, [rec("erp", "CM2", 5000, at="2026-10-02T09:00:00Z", return_ref="LOOP-84216")])

    summary = reconcile(workbook, SETTINGS)
    after = cases_by_key(workbook)
    assert summary.frozen_signed_off == 3
    for key, old in before.items():
        new = after[key]
        assert (new.symptoms, new.version, new.diagnosed_at, new.is_active) == \
            (old.symptoms, old.version, old.diagnosed_at, old.is_active), key
        assert stored(workbook, new.id) == kept[old.id], key
    assert after["portal:84214"].symptoms == "partial_receipt"      # not re-diagnosed
    late = after["erp:CM2"]                                          # the late record: a case of its own
    assert late.is_active and late.id not in kept
    assert summary.cases == 4 and summary.by_symptom["partial_receipt"] == 1
    with workbook.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "reconcile")
                       .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert json.loads(ev.after)["frozen_signed_off"] == 3

    reopen_period(workbook, "2026-10", reason="late credit memo")
    summary = reconcile(workbook, SETTINGS)
    after = cases_by_key(workbook)
    assert summary.frozen_signed_off == 0
    assert after["portal:84214"].symptoms == "" and after["portal:84214"].version == c84214.version + 1
    assert after["portal:84216"].symptoms == "" and after["portal:84216"].version == c84216.version + 1
    assert not after["erp:CM2"].is_active
    with workbook.session() as s:
        linked = s.execute(select(CaseLink.case_id).join(SourceRecord, SourceRecord.id == CaseLink.record_id)
                           .where(SourceRecord.record_id == "CM2")).scalar_one()
    assert linked == c84216.id


def test_save_leaves_foreign_keys_consistent_and_checked_again(workbook):
    load(workbook, BASE)
    reconcile(workbook, SETTINGS)
    reconcile(workbook, SETTINGS)
    with workbook.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with workbook.session() as s:    # checks are on again for the next writer
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError):
            s.execute(text("INSERT INTO case_links (case_id, record_id, system, rule, confidence, is_duplicate, "
                           "is_override) VALUES (999999, 1, 'erp', 'manual', 1.0, 0, 0)"))
            s.flush()
