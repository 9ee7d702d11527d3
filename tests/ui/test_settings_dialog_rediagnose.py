"""Settings dialog with the real reconcile: change the latency window, see the diagnosis follow."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select

from workbench.core.store.models import Finding
from workbench.ui.settings_dialog import SettingsDialog


@pytest.fixture
def demo_workbook(workbook, tmp_path):
    from workbench.core.demo import generate_demo
    from workbench.core.ingest import import_files
    from workbench.core.reconcile import reconcile

    files = generate_demo(tmp_path / "demo", returns=80, seed=3).files
    import_files(workbook, files)
    reconcile(workbook)
    return workbook


def _count(workbook, symptom):
    with workbook.sessions() as s:
        return s.execute(select(func.count()).select_from(Finding).where(Finding.symptom == symptom)).scalar_one()


def test_longer_latency_window_turns_missing_handoffs_into_latency(qtbot, demo_workbook):
    before = _count(demo_workbook, "missing_handoff")
    latency_before = _count(demo_workbook, "timing_latency")
    assert before > 0
    dialog = SettingsDialog(demo_workbook)
    qtbot.addWidget(dialog)
    dialog.latency.setValue(24 * 365)
    with qtbot.waitSignal(dialog.rediagnosed, timeout=60_000) as blocker:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert blocker.args[0].changed_case_ids
    assert _count(demo_workbook, "missing_handoff") == 0
    assert _count(demo_workbook, "timing_latency") >= latency_before + before
