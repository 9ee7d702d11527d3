"""Settings dialog: validation, audited save, and the background re-diagnosis call."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from workbench.core.store.models import AuditEvent
from workbench.ui.settings_dialog import SettingsDialog


class ReconcileSpy:
    """Stands in for reconcile: records what it was called with, and on which thread."""

    def __init__(self):
        self.calls = []

    def __call__(self, workbook, settings, job=None):
        self.calls.append((workbook, settings, threading.current_thread() is threading.main_thread(),
                           job is not None))
        return {"changed_case_ids": [1, 2]}


@pytest.fixture
def spy():
    return ReconcileSpy()


@pytest.fixture
def dialog(qtbot, workbook, spy):
    d = SettingsDialog(workbook, reconcile_fn=spy)
    qtbot.addWidget(d)
    return d


def _ok(d):
    return d.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_shows_current_settings(dialog, workbook):
    s = workbook.business_settings()
    assert dialog.timezone.currentText() == s.timezone
    assert dialog.latency.value() == 72 and dialog.stale.value() == 48
    assert dialog.fee_percents.text() == "10, 15, 20, 25"
    assert dialog.as_of.text() == "" and _ok(dialog).isEnabled()


@pytest.mark.parametrize("edit, text, words", [
    ("tolerance", "five cents", "rounding tolerance"),
    ("tolerance", "-0.05", "must not be negative"),
    ("fee_percents", "10, abc", "not a number"),
    ("fee_flats", "5.00, -1", "must be zero or more"),
    ("period", "2026-13", "is not YYYY-MM"),
    ("as_of", "yesterday", "as-of 'yesterday' is not a time"),
])
def test_validation_messages_block_ok(dialog, edit, text, words):
    getattr(dialog, edit).setText(text)
    assert not _ok(dialog).isEnabled()
    assert words in dialog.message.text()
    getattr(dialog, edit).setText("")   # blank is valid for these except tolerance
    if edit != "tolerance":
        assert _ok(dialog).isEnabled() and dialog.message.text() == ""


def test_unknown_time_zone_is_refused(dialog):
    dialog.timezone.setCurrentText("Mars/Olympus")
    assert not _ok(dialog).isEnabled()
    assert "unknown time zone 'Mars/Olympus'" in dialog.message.text()


def test_as_of_is_read_in_the_business_zone(dialog):
    dialog.timezone.setCurrentText("Europe/Berlin")
    dialog.as_of.setText("2026-10-31 23:59")
    assert dialog.settings().as_of == datetime(2026, 10, 31, 22, 59, tzinfo=UTC)


def test_accept_saves_audits_and_rediagnoses_in_background(qtbot, dialog, workbook, spy):
    dialog.timezone.setCurrentText("Europe/London")
    dialog.latency.setValue(96)
    dialog.fee_percents.setText("10, 12.5")
    saved = []
    dialog.saved.connect(saved.append)
    with qtbot.waitSignal(dialog.rediagnosed, timeout=10_000) as blocker:
        _ok(dialog).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = workbook.business_settings()
    assert (stored.timezone, stored.latency_window_hours) == ("Europe/London", 96)
    assert stored.fee_percents == (Decimal("10"), Decimal("12.5"))
    assert saved == [stored]
    with workbook.sessions() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "settings.change")).scalars().all()
    assert len(events) == 1
    assert json.loads(events[0].before)["timezone"] == "America/New_York"
    assert json.loads(events[0].after)["latency_window_hours"] == 96
    # reconcile ran once, off the UI thread, with the saved settings and a job
    assert len(spy.calls) == 1
    wb, settings, on_main_thread, had_job = spy.calls[0]
    assert wb is workbook and settings == stored and not on_main_thread and had_job
    assert blocker.args == [{"changed_case_ids": [1, 2]}]


def test_no_change_means_no_audit_and_no_rediagnosis(dialog, workbook, spy):
    _ok(dialog).click()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.task is None
    assert dialog.save_task is None
    assert spy.calls == []
    with workbook.sessions() as s:
        assert s.execute(select(AuditEvent)).first() is None


def test_rediagnosis_failure_is_reported(qtbot, workbook):
    def broken(workbook, settings, job=None):
        raise RuntimeError("diagnosis blew up")
    d = SettingsDialog(workbook, reconcile_fn=broken)
    qtbot.addWidget(d)
    d.stale.setValue(24)
    with qtbot.waitSignal(d.rediagnosis_failed, timeout=10_000) as blocker:
        _ok(d).click()
    assert "diagnosis blew up" in str(blocker.args[0])
    assert workbook.business_settings().stale_ticket_hours == 24


def test_an_auditor_may_not_change_settings(qtbot, workbook, spy):
    from workbench.core.store.models import UserRole

    with workbook.session() as s:           # configure the role directly (no bootstrap rules here)
        s.add(UserRole(user=workbook.user, role="auditor"))
    d = SettingsDialog(workbook, reconcile_fn=spy)
    qtbot.addWidget(d)
    d.latency.setValue(12)
    _ok(d).click()
    qtbot.waitUntil(lambda: d.save_task.is_finished, timeout=10_000)
    assert d.result() != d.DialogCode.Accepted and d.task is None and _ok(d).isEnabled()
    assert "auditor" in d.message.text().lower()
    assert workbook.business_settings().latency_window_hours == 72 and spy.calls == []


def test_the_save_itself_runs_on_the_worker(qtbot, workbook, spy):
    threads = []

    def save(workbook, settings):
        threads.append(threading.current_thread() is threading.main_thread())
        workbook.save_business_settings(settings)

    d = SettingsDialog(workbook, save_fn=save, reconcile_fn=spy)
    qtbot.addWidget(d)
    d.stale.setValue(30)
    with qtbot.waitSignal(d.rediagnosed, timeout=10_000):
        _ok(d).click()
        assert d.result() != d.DialogCode.Accepted      # open until the save is done
    assert threads == [False] and workbook.business_settings().stale_ticket_hours == 30


@pytest.mark.parametrize("as_of", [
    datetime(2026, 10, 31, 23, 59, tzinfo=UTC),
    datetime(2026, 10, 31, 23, 59, 30, tzinfo=UTC),
    datetime(2026, 10, 31, 23, 59, 30, 250000, tzinfo=UTC),
])
def test_stored_as_of_reads_back_unchanged(qtbot, workbook, spy, as_of):
    workbook.save_business_settings(workbook.business_settings().with_changes(as_of=as_of))
    d = SettingsDialog(workbook, reconcile_fn=spy)
    qtbot.addWidget(d)
    assert d.settings() == d.original          # opening and pressing OK changes nothing
    _ok(d).click()
    assert d.save_task is None and spy.calls == []
