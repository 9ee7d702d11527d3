import pytest
from sqlalchemy import select

from workbench.core import casework
from workbench.core.errors import PeriodLocked, PermissionDenied
from workbench.core.store.models import Adjustment, AuditEvent, Case, Review


@pytest.fixture
def staffed(workbook, cases):
    """boss is the reviewer (bootstrap: set by the first user), audrey the auditor."""
    casework.set_role(workbook, "boss", "reviewer")
    casework.set_role(workbook, "audrey", "auditor", actor="boss")
    return cases


def test_bootstrap_then_only_reviewers_configure_roles(workbook, staffed):
    with pytest.raises(PermissionDenied, match="analyst1 is an analyst and may not configure roles"):
        casework.set_role(workbook, "analyst1", "reviewer")
    with pytest.raises(PermissionDenied, match="last reviewer"):
        casework.set_role(workbook, "boss", "analyst", actor="boss")
    with pytest.raises(ValueError, match="unknown role"):
        casework.set_role(workbook, "x", "admin", actor="boss")


def test_maker_checker_refuses_self_approval_of_an_adjustment(workbook, staffed):
    c1 = staffed[0]
    own = casework.add_adjustment(workbook, c1, system="erp", field="amount", amount_from="99.99",
                                  amount_to="84.99", reason_code="restocking_fee", actor="boss")
    with pytest.raises(PermissionDenied, match="maker-checker"):
        casework.review_adjustment(workbook, own.created_id, approve=True, comment="fine", actor="boss")
    theirs = casework.add_adjustment(workbook, c1, system="erp", field="amount", amount_from="99.99",
                                     amount_to="84.99", reason_code="restocking_fee", journal_ref="JE-7")
    with pytest.raises(PermissionDenied, match="analyst1 is an analyst and may not approve"):
        casework.review_adjustment(workbook, theirs.created_id, approve=True, comment="self", actor="analyst1")
    with pytest.raises(ValueError, match="comment"):
        casework.review_adjustment(workbook, theirs.created_id, approve=True, comment=" ", actor="boss")
    casework.review_adjustment(workbook, theirs.created_id, approve=False, comment="wrong JE", actor="boss")
    with workbook.sessions() as s:
        adj = s.get(Adjustment, theirs.created_id)
        assert (adj.review_status, adj.reviewed_by, adj.review_comment) == ("rejected", "boss", "wrong JE")
        assert s.get(Adjustment, own.created_id).review_status == "pending"


def test_maker_checker_on_resolutions(workbook, staffed):
    c1, c2, _ = staffed
    casework.set_status(workbook, c1, "resolved", actor="boss")
    with pytest.raises(PermissionDenied, match="boss resolved case C-000001 and may not review it"):
        casework.review_resolution(workbook, c1, approve=True, comment="ok", actor="boss")
    with pytest.raises(PermissionDenied, match="only a resolved"):
        casework.review_resolution(workbook, c2, approve=True, comment="ok", actor="boss")
    casework.set_status(workbook, c2, "wont_fix")
    casework.review_resolution(workbook, c2, approve=False, comment="fix it", actor="boss")
    with workbook.sessions() as s:
        assert s.get(Case, c2).status == "investigating"
        assert [r.decision for r in s.execute(select(Review)).scalars()] == ["rejected"]


def test_auditor_is_read_only(workbook, staffed):
    c1 = staffed[0]
    writes = [
        lambda: casework.add_tag(workbook, c1, "x", actor="audrey"),
        lambda: casework.set_status(workbook, c1, "resolved", actor="audrey"),
        lambda: casework.assign(workbook, c1, "audrey", actor="audrey"),
        lambda: casework.add_note(workbook, c1, "hi", actor="audrey"),
        lambda: casework.add_adjustment(workbook, c1, system="erp", field="amount", amount_to="1",
                                        reason_code="write_off", actor="audrey"),
        lambda: casework.override_link(workbook, "erp:CM104234", c1, actor="audrey"),
        lambda: casework.change_settings(workbook, {"latency_window_hours": 1}, actor="audrey"),
        lambda: casework.signoff_period(workbook, "2026-10", actor="audrey"),
        lambda: casework.set_role(workbook, "audrey", "reviewer", actor="audrey"),
    ]
    before = casework.check_integrity(workbook).events
    for write in writes:
        with pytest.raises(PermissionDenied, match="audrey is an auditor"):
            write()
    assert casework.check_integrity(workbook).events == before


def test_signed_off_period_refuses_edits_until_reopened(workbook, staffed):
    c1 = staffed[0]
    with pytest.raises(PermissionDenied):
        casework.signoff_period(workbook, "2026-10")          # analysts cannot sign off
    signed = casework.signoff_period(workbook, "2026-10", actor="boss")
    assert set(signed.case_ids) == set(staffed)
    for write in (lambda: casework.add_tag(workbook, c1, "late"),
                  lambda: casework.add_note(workbook, c1, "late"),
                  lambda: casework.set_status(workbook, c1, "resolved", actor="boss")):
        with pytest.raises(PeriodLocked, match="C-000001 is in period 2026-10, which is signed off"):
            write()
    with pytest.raises(PeriodLocked, match="already signed off"):
        casework.signoff_period(workbook, "2026-10", actor="boss")
    with pytest.raises(ValueError, match="reason"):
        casework.reopen_period(workbook, "2026-10", reason="", actor="boss")
    casework.reopen_period(workbook, "2026-10", reason="late credit memo CM1", actor="boss")
    casework.add_tag(workbook, c1, "late")
    with workbook.sessions() as s:
        reopen = s.execute(select(AuditEvent).where(AuditEvent.action == "period.reopen")).scalar_one()
        assert reopen.actor == "boss" and "late credit memo CM1" in reopen.after
    assert casework.check_integrity(workbook).ok
