"""End to end on a generated demo month: the import dialog imports the four files (real ingest
and reconcile, off the UI thread), then the detail of every diagnosed case highlights exactly
the cells its findings name, names the handoff of every absent system, and shows duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workbench.core.store.models import Case, Finding
from workbench.ui.detail import CaseDetailWidget
from workbench.ui.detail.divergence import FIELD_KEYS, normalise_field
from workbench.ui.import_dialog import ImportDialog


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    from workbench.core.demo import generate_demo

    return generate_demo(tmp_path_factory.mktemp("demo"), returns=80, seed=3).files


@pytest.fixture
def imported(qtbot, workbook, demo_files):
    dialog = ImportDialog(workbook, demo_files)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.pending_detections == 0, timeout=30_000)
    systems = {e.system for e in dialog.files.entries()}
    assert systems == {"portal", "processor", "erp", "support"}
    assert all(e.detection.profile is not None for e in dialog.files.entries())
    with qtbot.waitSignal(dialog.imported, timeout=60_000) as blocker:
        dialog.import_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    return blocker.args[0]


def test_demo_month_detail_matches_the_diagnosis(qtbot, workbook, imported):
    assert imported, "reconcile reported no changed cases"
    with workbook.sessions() as s:
        cases = s.execute(select(Case.id, Case.symptoms).where(Case.symptoms != "")).all()
        findings = s.execute(select(Finding.case_id, Finding.symptom, Finding.systems, Finding.fields)).all()
    assert cases
    by_case: dict[int, list] = {}
    for f in findings:
        by_case.setdefault(f.case_id, []).append(f)
    widget = CaseDetailWidget()
    qtbot.addWidget(widget)
    widget.set_workbook(workbook)
    seen_symptoms, seen_missing, seen_duplicates = set(), 0, 0
    for case_id, symptoms in cases:
        widget.show_case(case_id)
        keys = widget.model.column_keys()
        expected = set()
        for f in by_case[case_id]:
            seen_symptoms.add(f.symptom)
            for system in filter(None, (f.systems or "").split(";")):
                for name in filter(None, (f.fields or "").split(";")):
                    field = normalise_field(name)
                    assert field in FIELD_KEYS, f"finding names unknown field {name!r}"
                    for key in keys:
                        if key == system or (f.symptom == "duplicate_event" and key.startswith(system + "#dup")):
                            expected.add((field, key))
        assert widget.divergent_cells() == expected, (case_id, symptoms)
        for column in widget.model.columns():
            if column.record is None:
                seen_missing += 1
                assert column.missing.startswith(f"No ") and " should have " in column.missing
            elif column.key != column.system:
                seen_duplicates += 1
    assert {"missing_handoff", "amount_mismatch"} & seen_symptoms
    assert seen_missing > 0
    assert len(seen_symptoms) >= 5
    if "duplicate_event" in seen_symptoms:
        assert seen_duplicates > 0
