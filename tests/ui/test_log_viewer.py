"""LogViewer on real exports of the demo month: INTACT for untouched logs, TAMPERED naming the
edited row, and the table model passes qtmodeltester."""

from __future__ import annotations

import csv

import pytest

from workbench.core import casework
from workbench.core.export import export_log
from workbench.core.store import open_workbook
from workbench.ui.log_viewer import LogViewer


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from workbench.core.ingest import import_files
    from workbench.core.reconcile import reconcile
    from workbench.paths import demo_dir

    d = tmp_path_factory.mktemp("logs")
    wb = open_workbook(d / "demo.rwb", user="ana")
    import_files(wb, sorted(p for p in demo_dir().iterdir() if p.name not in ("truth.csv", "patterns.json")))
    reconcile(wb)
    casework.add_adjustment(wb, 1, system="erp", field="amount", amount_from="73.00", amount_to="72.99",
                            reason_code="rounding_difference", journal_ref="JE-7")
    casework.set_status(wb, [1, 2], "investigating")
    out = {ext: export_log(wb, d / f"log.{ext}") for ext in ("csv", "xlsx", "json")}
    wb.close()
    return out


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_untouched_log_is_intact(qtbot, qtmodeltester, exported, ext):
    res = exported[ext]
    viewer = LogViewer(res.path)
    qtbot.addWidget(viewer)
    assert viewer.verdict_text == "INTACT"
    assert "#1b5e20" in viewer.verdict.styleSheet()
    facts = viewer.facts.text()
    assert res.content_sha256 in facts
    assert res.chain_head[1] in facts and f"event {res.chain_head[0]}" in facts
    assert str(res.cases) in facts
    assert viewer.problems.isHidden()
    cases = viewer.models["cases"]
    assert cases.rowCount() == res.cases
    qtmodeltester.check(cases)
    if ext != "csv":
        titles = [viewer.tabs.tabText(i) for i in range(viewer.tabs.count())]
        assert any(t.startswith("Adjustments (1)") for t in titles), titles
        assert any(t.startswith("Audit trail") for t in titles), titles
        qtmodeltester.check(viewer.models["audit_trail"])
        assert titles[0] == "Summary"
        summary = viewer.models["summary"]
        qtmodeltester.check(summary)
        items = {summary.data(summary.index(r, 0)): summary.data(summary.index(r, 1))
                 for r in range(summary.rowCount())}
        if ext == "xlsx":
            assert items.get("Cases") == str(res.cases)


def test_edited_csv_row_is_tampered_and_named(qtbot, exported, tmp_path):
    src = exported["csv"].path
    with open(src, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    col = header.index("status")
    target = 3                                    # file row 4 (header is row 1)
    case_id = rows[target][header.index("case_id")]
    rows[target][col] = "resolved" if rows[target][col] != "resolved" else "open"
    edited = tmp_path / "edited.csv"
    with open(edited, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)

    viewer = LogViewer(edited)
    qtbot.addWidget(viewer)
    assert viewer.verdict_text.startswith("TAMPERED")
    assert "#b00020" in viewer.verdict.styleSheet()
    problems = [viewer.problems.item(i).text() for i in range(viewer.problems.count())]
    assert any("row 4" in p and case_id in p and "edited" in p for p in problems), problems
    assert not viewer.problems.isHidden()
    model = viewer.models["cases"]
    row = next(r for r in range(model.rowCount()) if model.file_row(r) == 4)
    assert model.data(model.index(row, 0), 8) is not None          # BackgroundRole: tinted
    other = next(r for r in range(model.rowCount()) if model.file_row(r) == 5)
    assert model.data(model.index(other, 0), 8) is None


def test_unreadable_file_says_so(qtbot, tmp_path):
    bad = tmp_path / "not_a_log.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    viewer = LogViewer(bad)
    qtbot.addWidget(viewer)
    assert viewer.verdict_text == "UNREADABLE"
    assert "case_id" in viewer.error


def test_checked_against_another_workbook_is_tampered(qtbot, exported, tmp_path):
    other = open_workbook(tmp_path / "other.rwb", user="eve")
    try:
        viewer = LogViewer(exported["json"].path, workbook=other)
        qtbot.addWidget(viewer)
        assert viewer.verdict_text.startswith("TAMPERED")
        problems = [viewer.problems.item(i).text() for i in range(viewer.problems.count())]
        assert any("chain" in p for p in problems), problems
    finally:
        other.close()
