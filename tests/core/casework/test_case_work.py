from decimal import Decimal

import pytest
from sqlalchemy import select

from workbench.core import audit, casework
from workbench.core.errors import ConcurrentEditError, PermissionDenied
from workbench.core.store.models import Adjustment, AuditEvent, Case, CaseLink, Note, Tag


def _events(wb):
    with wb.sessions() as s:
        return [(e.actor, e.action, e.case_id) for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]


def _tags(wb, case_id):
    with wb.sessions() as s:
        return sorted(s.execute(select(Tag.tag).where(Tag.case_id == case_id)).scalars())


def test_every_action_lands_in_the_chain_and_it_verifies(workbook, cases):
    c1, c2, c3 = cases
    casework.add_tag(workbook, c1, "needs-it")
    casework.add_tag(workbook, [c1, c2], "restocking_fee", reason_code=True)
    casework.remove_tag(workbook, c1, "needs-it")
    casework.set_status(workbook, [c1, c2, c3], "investigating")
    casework.assign(workbook, "C-000002", "bob")
    casework.add_note(workbook, "portal:84213", "called the warehouse")
    casework.add_adjustment(workbook, c1, system="erp", field="amount", amount_from=Decimal("99.99"),
                            amount_to=Decimal("84.99"), reason_code="restocking_fee", journal_ref="JE-1")
    casework.override_link(workbook, "erp:CM104234", c1)
    casework.change_settings(workbook, {"latency_window_hours": 48})
    actions = [a for _, a, _ in _events(workbook)]
    assert actions == ["tag.add", "tag.add", "tag.add", "tag.remove", "status.change", "status.change",
                       "status.change", "case.assign", "note.add", "adjustment.add", "link.override",
                       "settings.change"]
    assert {actor for actor, _, _ in _events(workbook)} == {"analyst1"}
    report = casework.check_integrity(workbook)
    assert report.ok and report.events == 12
    assert workbook.business_settings().latency_window_hours == 48
    with workbook.sessions() as s:
        adj = s.execute(select(Adjustment)).scalar_one()
        assert (adj.amount_from_minor, adj.amount_to_minor, adj.currency) == (9999, 8499, "USD")
        assert s.get(Case, c1).status == "investigating" and s.get(Case, c2).assignee == "bob"
        link = s.execute(select(CaseLink).where(CaseLink.case_id == c1, CaseLink.system == "erp")
                         .order_by(CaseLink.id)).scalars().all()
        assert len(link) == 2 and link[-1].is_override and link[-1].rule == "manual"
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "link.override")).scalar_one()
        assert '"case_id":2' in ev.before and ev.case_id == c1


def test_changes_report_cases_and_versions(workbook, cases):
    ch = casework.add_tag(workbook, cases, "x")
    assert ch.case_ids == tuple(cases)
    assert ch.versions == {c: 2 for c in cases}
    again = casework.add_tag(workbook, cases, "x")   # nothing to do: no event, no version bump
    assert again.case_ids == () and not again


def test_stale_version_is_refused_naming_who_changed_it(workbook, cases):
    c1 = cases[0]
    first = casework.set_status(workbook, c1, "investigating", expected=1, actor="bob")
    assert first.versions[c1] == 2
    with pytest.raises(ConcurrentEditError, match=r"case C-000001 was changed by bob at .*refresh and try again"):
        casework.add_note(workbook, c1, "my stale view", expected=1)
    casework.add_note(workbook, c1, "fresh view", expected=2)
    with workbook.sessions() as s:
        assert [n.body for n in s.execute(select(Note)).scalars()] == ["fresh view"]


def test_bulk_is_one_transaction(workbook, cases):
    with pytest.raises(ConcurrentEditError):
        casework.add_tag(workbook, cases, "bulk", expected={cases[0]: 1, cases[1]: 1, cases[2]: 7})
    assert all(_tags(workbook, c) == [] for c in cases)
    assert _events(workbook) == []


def test_unknown_reason_code_and_status_are_refused(workbook, cases):
    with pytest.raises(ValueError, match="unknown reason code"):
        casework.add_tag(workbook, cases[0], "because", reason_code=True)
    with pytest.raises(ValueError, match="unknown status"):
        casework.set_status(workbook, cases[0], "done")
    with pytest.raises(casework.CaseNotFound):
        casework.add_tag(workbook, "C-999999", "x")


def test_undo_and_redo_through_inverse_ops(workbook, cases):
    c1, c2, _ = cases
    casework.add_tag(workbook, c2, "t")
    ch = casework.add_tag(workbook, [c1, c2], "t")          # only c1 gains it
    assert ch.case_ids == (c1,)
    undo = casework.apply(workbook, ch.inverse)
    assert _tags(workbook, c1) == [] and _tags(workbook, c2) == ["t"]
    casework.apply(workbook, undo.inverse)                   # redo
    assert _tags(workbook, c1) == ["t"]

    casework.set_status(workbook, c1, "waiting_on_it")
    st = casework.set_status(workbook, [c1, c2], "resolved")
    casework.apply(workbook, st.inverse, expected=st.versions)
    with workbook.sessions() as s:
        assert (s.get(Case, c1).status, s.get(Case, c2).status) == ("waiting_on_it", "open")

    note = casework.add_note(workbook, c1, "oops")
    casework.apply(workbook, note.inverse)
    adj = casework.add_adjustment(workbook, c1, system="erp", field="amount", amount_from="99.99",
                                  amount_to="84.99", reason_code="restocking_fee")
    back = casework.apply(workbook, adj.inverse)
    with workbook.sessions() as s:
        assert s.execute(select(Note)).first() is None and s.execute(select(Adjustment)).first() is None
    redo = casework.apply(workbook, back.inverse)
    with workbook.sessions() as s:
        assert s.get(Adjustment, redo.created_id).amount_to_minor == 8499
    actions = [a for _, a, _ in _events(workbook)]
    assert actions.count("note.remove") == 1 and actions.count("adjustment.withdraw") == 1
    assert casework.check_integrity(workbook).ok


def test_only_the_author_withdraws_a_note(workbook, cases):
    ch = casework.add_note(workbook, cases[0], "mine")
    with pytest.raises(PermissionDenied, match="only its author"):
        casework.apply(workbook, ch.inverse, actor="bob")


def test_broken_chain_is_reported(workbook, cases):
    casework.add_tag(workbook, cases[0], "a")
    casework.add_tag(workbook, cases[1], "b")
    with workbook.session() as s:
        s.get(AuditEvent, 1).after = '{"tags":["forged"]}'
    report = casework.check_integrity(workbook)
    assert not report.ok and report.broken_at_seq == 1
    assert "BROKEN" in casework.warning_text(report)
    with workbook.sessions() as s:
        assert audit.chain_head(s)[0] == 2


def test_conflict_after_rediagnosis_says_so(workbook, cases):
    from datetime import UTC, datetime

    c1 = cases[0]
    with workbook.session() as s:
        case = s.get(Case, c1)
        case.symptoms, case.diagnosed_at = "rounding", datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    with pytest.raises(ConcurrentEditError, match=r"C-000001 was changed by a re-import or re-diagnosis "
                                                  r"at 2026-11-02 10:00 \(America/New_York\)"):
        casework.add_tag(workbook, c1, "x", expected=1)
