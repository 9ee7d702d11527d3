"""CaseworkPanel + CaseworkUndoStack on the bundled demo month (real ingest, reconcile, casework)."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from workbench.core import casework
from workbench.core.store import open_workbook
from workbench.core.store.models import Adjustment, AuditEvent, Case, Tag
from workbench.ui.casework_panel import CaseworkPanel
from workbench.ui.undo import CaseworkUndoStack


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    from workbench.core.ingest import import_files
    from workbench.core.reconcile import reconcile
    from workbench.paths import demo_dir

    path = tmp_path_factory.mktemp("demo_wb") / "demo.rwb"
    wb = open_workbook(path, user="setup")
    files = sorted(p for p in demo_dir().iterdir() if p.name not in ("truth.csv", "patterns.json"))
    assert len(files) == 4
    import_files(wb, files)
    assert reconcile(wb).cases > 10
    wb.close()
    return path


@pytest.fixture
def wb_path(demo_template, tmp_path):
    path = tmp_path / "work.rwb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def open_as(wb_path):
    opened = []

    def _open(user):
        wb = open_workbook(wb_path, user=user)
        opened.append(wb)
        return wb

    yield _open
    for wb in opened:
        wb.close()


def _panel(qtbot, wb, cases):
    panel = CaseworkPanel()
    qtbot.addWidget(panel)
    stack = CaseworkUndoStack(panel)
    panel.set_undo_stack(stack)
    panel.set_workbook(wb)
    panel.set_cases(cases)
    return panel, stack


def _case(wb, cid):
    with wb.sessions() as s:
        c = s.get(Case, cid)
        return c.status, c.version


def _audit_count(wb):
    with wb.sessions() as s:
        return s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _first_cases(wb, n):
    with wb.sessions() as s:
        return list(s.execute(select(Case.id).where(Case.is_active.is_(True)).order_by(Case.id).limit(n)).scalars())


def test_status_change_undo_redo_round_trip(qtbot, open_as):
    wb = open_as("ana")
    (cid,) = _first_cases(wb, 1)
    panel, stack = _panel(qtbot, wb, [cid])
    status0, _ = _case(wb, cid)
    assert status0 == "open"
    n0 = _audit_count(wb)
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("waiting_on_it"))
    with qtbot.waitSignal(panel.casesChanged) as changed:
        panel.status_button.click()
    assert changed.args[0] == [cid]
    assert _case(wb, cid)[0] == "waiting_on_it"
    assert _audit_count(wb) == n0 + 1
    assert stack.count() == 1 and stack.canUndo()
    assert "Waiting on IT" in panel.selection_label.text()

    with qtbot.waitSignal(stack.casesChanged) as undone:
        stack.undo()
    assert undone.args[0] == [cid]
    assert _case(wb, cid)[0] == "open"
    assert _audit_count(wb) == n0 + 2          # the undo is itself an audited change
    assert panel.status_combo.currentData() == "open"

    stack.redo()
    assert _case(wb, cid)[0] == "waiting_on_it"
    assert _audit_count(wb) == n0 + 3
    # the panel took the new version: a further change is not refused as a concurrent edit
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("resolved"))
    panel.status_button.click()
    assert panel.last_error == ""
    assert _case(wb, cid)[0] == "resolved"
    with wb.sessions() as s:
        actions = [a for a, in s.execute(select(AuditEvent.action).where(AuditEvent.case_id == cid))]
    assert actions.count("status.change") == 4
    assert casework.check_integrity(wb).ok


def test_bulk_tag_then_undo(qtbot, open_as):
    wb = open_as("ana")
    ids = _first_cases(wb, 6)
    panel, stack = _panel(qtbot, wb, ids)
    assert "6 cases" in panel.selection_label.text()
    assert not panel.adjustment_box.isEnabled()        # adjustments are per case
    n0 = _audit_count(wb)
    panel.tag_combo.setCurrentText("connector_outage")
    panel.reason_check.setChecked(True)
    with qtbot.waitSignal(panel.casesChanged) as changed:
        panel.tag_button.click()
    assert sorted(changed.args[0]) == sorted(ids)

    def tagged():
        with wb.sessions() as s:
            return sorted(s.execute(select(Tag.case_id).where(Tag.tag == "connector_outage",
                                                              Tag.is_reason_code.is_(True))).scalars())
    assert tagged() == sorted(ids)
    assert _audit_count(wb) == n0 + 6
    stack.undo()
    assert tagged() == []
    assert _audit_count(wb) == n0 + 12
    stack.redo()
    assert tagged() == sorted(ids)


def test_auditor_sees_everything_read_only(qtbot, open_as):
    setup = open_as("setup")
    casework.set_role(setup, "audrey", "auditor")
    wb = open_as("audrey")
    panel, _ = _panel(qtbot, wb, _first_cases(wb, 1))
    assert panel.role == "auditor"
    assert "auditor" in panel.role_label.text()
    for w in (panel.status_button, panel.assign_button, panel.tag_button, panel.untag_button,
              panel.note_button, panel.status_combo, panel.note_edit):
        assert not w.isEnabled(), w
    assert not panel.adjustment_box.isEnabled()
    assert not panel.review_box.isEnabled()
    # an analyst on the same case has the controls
    analyst_panel, _ = _panel(qtbot, open_as("ana"), _first_cases(wb, 1))
    assert analyst_panel.status_button.isEnabled() and analyst_panel.adjustment_box.isEnabled()
    assert not analyst_panel.review_box.isEnabled()


def test_maker_cannot_approve_own_adjustment(qtbot, open_as):
    setup = open_as("setup")
    casework.set_role(setup, "rita", "reviewer")
    rita = open_as("rita")
    casework.set_role(rita, "rob", "reviewer")
    (cid,) = _first_cases(rita, 1)
    panel, stack = _panel(qtbot, rita, [cid])
    panel.adj_system.setCurrentText("erp")
    panel.adj_field.setText("amount")
    panel.adj_from.setText("73.00")
    panel.adj_to.setText("72.99")
    panel.adj_reason.setCurrentText("rounding_difference")
    panel.adj_journal.setText("JE-1001")
    panel.adj_button.click()
    assert panel.last_error == ""
    with rita.sessions() as s:
        (adj,) = s.execute(select(Adjustment).where(Adjustment.case_id == cid)).scalars()
        assert (adj.created_by, adj.review_status, adj.amount_to_minor) == ("rita", "pending", 7299)
    assert panel.review_box.isEnabled() and panel.review_adjustment_combo.count() == 1
    panel.review_comment.setText("looks right")
    panel.approve_adj_button.click()
    assert "maker-checker" in panel.last_error
    assert not panel.message.isHidden()
    assert panel.refresh_button.isHidden()        # not a concurrent edit: no Refresh offered
    assert "maker-checker" in panel.message.text()
    with rita.sessions() as s:
        assert s.get(Adjustment, adj.id).review_status == "pending"
    # another reviewer may approve it
    rob_panel, _ = _panel(qtbot, open_as("rob"), [cid])
    rob_panel.review_comment.setText("checked against JE-1001")
    rob_panel.approve_adj_button.click()
    assert rob_panel.last_error == ""
    with rita.sessions() as s:
        assert s.get(Adjustment, adj.id).review_status == "approved"
        assert s.get(Adjustment, adj.id).reviewed_by == "rob"


def test_concurrent_edit_shows_refresh(qtbot, open_as):
    wb = open_as("ana")
    (cid,) = _first_cases(wb, 1)
    panel, stack = _panel(qtbot, wb, [cid])
    panel.show()
    other = open_as("bob")
    casework.assign(other, cid, "bob")
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("investigating"))
    panel.status_button.click()
    assert "bob" in panel.last_error and "refresh" in panel.last_error.lower()
    assert panel.refresh_button.isVisible()
    assert _case(wb, cid)[0] == "open"           # nothing written
    assert stack.count() == 0
    panel.refresh_button.click()
    assert not panel.refresh_button.isVisible()
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("investigating"))
    panel.status_button.click()
    assert panel.last_error == ""
    assert _case(wb, cid)[0] == "investigating"


def test_failed_undo_is_reported_not_swallowed(qtbot, open_as):
    setup = open_as("setup")
    casework.set_role(setup, "rita", "reviewer")
    wb = open_as("ana")
    (cid,) = _first_cases(wb, 1)
    panel, stack = _panel(qtbot, wb, [cid])
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("investigating"))
    panel.status_button.click()
    with wb.sessions() as s:
        period = s.get(Case, cid).period
    casework.signoff_period(open_as("rita"), period)
    with qtbot.waitSignal(stack.failed) as failed:
        stack.undo()
    assert "signed off" in failed.args[0]
    assert "signed off" in panel.last_error
    assert _case(wb, cid)[0] == "investigating"
    assert stack.count() == 0            # the failed command is dropped, nothing left to redo


def test_bulk_over_threshold_runs_in_background(qtbot, open_as, monkeypatch):
    import workbench.ui.casework_panel as cp

    monkeypatch.setattr(cp, "BULK_IN_BACKGROUND", 3)
    wb = open_as("ana")
    ids = _first_cases(wb, 5)
    panel, stack = _panel(qtbot, wb, ids)
    calls = []
    real = cp.run_in_background
    monkeypatch.setattr(cp, "run_in_background", lambda *a, **k: calls.append(1) or real(*a, **k))
    panel.assignee_edit.setText("bob")
    with qtbot.waitSignal(panel.casesChanged, timeout=30_000) as changed:
        panel.assign_button.click()
    assert calls == [1]
    assert sorted(changed.args[0]) == sorted(ids)
    with wb.sessions() as s:
        assert set(s.execute(select(Case.assignee).where(Case.id.in_(ids))).scalars()) == {"bob"}
    stack.undo()
    with wb.sessions() as s:
        assert set(s.execute(select(Case.assignee).where(Case.id.in_(ids))).scalars()) == {None}


def test_reviewer_rejects_resolution_with_comment(qtbot, open_as):
    setup = open_as("setup")
    casework.set_role(setup, "rita", "reviewer")
    ana = open_as("ana")
    (cid,) = _first_cases(ana, 1)
    casework.set_status(ana, cid, "resolved")
    panel, stack = _panel(qtbot, open_as("rita"), [cid])
    assert panel.approve_res_button.isEnabled()
    panel.reject_res_button.click()                    # no comment: refused, nothing changes
    assert "comment" in panel.last_error
    assert _case(ana, cid)[0] == "resolved"
    panel.review_comment.setText("refund not yet in the ERP")
    panel.reject_res_button.click()
    assert panel.last_error == ""
    assert _case(ana, cid)[0] == "investigating"      # a rejected resolution reopens the case
    assert stack.count() == 0                          # a review is a decision, not undoable
    assert not panel.approve_res_button.isEnabled()


def test_undo_after_someone_else_changed_the_case_is_refused(qtbot, open_as):
    wb = open_as("ana")
    (cid,) = _first_cases(wb, 1)
    panel, stack = _panel(qtbot, wb, [cid])
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("investigating"))
    panel.status_button.click()
    panel.tag_combo.setCurrentText("checked")
    panel.tag_button.click()
    stack.undo()                                  # own changes undo in order without conflicts
    assert panel.last_error == ""
    casework.set_status(open_as("bob"), cid, "waiting_on_it")
    with qtbot.waitSignal(stack.failed) as failed:
        stack.undo()
    assert "bob" in failed.args[0] and "refresh" in failed.args[0].lower()
    assert _case(wb, cid)[0] == "waiting_on_it"   # bob's change is not overwritten
    assert not panel.refresh_button.isHidden()
