"""Several demo months with planted patterns: each is found with the right verdict, nothing
else is flagged structural, and a pattern that comes back after adjustments is named."""

import json

import pytest

from workbench.core.casework.adjustments import add_adjustment
from workbench.core.demo import generate_demo
from workbench.core.ingest import import_files
from workbench.core.insights import analyse
from workbench.core.reconcile import reconcile
from workbench.core.store import open_workbook


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    out = tmp_path_factory.mktemp("months")
    demo = generate_demo(out / "files", returns=600, seed=2, months=3, start="2026-10")
    wb = open_workbook(out / "history.rwb", user="analyst1")
    import_files(wb, demo.files)
    reconcile(wb)
    patterns = json.loads((out / "files" / "patterns.json").read_text())["patterns"]
    yield wb, patterns
    wb.close()


def _focus(result, pattern):
    attr, value = pattern["attribute"], str(pattern["value"])
    return [c for c in result.clusters if c.symptom == pattern["symptom"] and c.attribute == attr
            and c.value == value]


def test_each_attribute_pattern_is_found_with_its_verdict(history):
    wb, patterns = history
    result = analyse(wb)
    checked = 0
    for pattern in patterns:
        if pattern["attribute"] not in ("source_version", "agent", "hour"):
            continue
        found = _focus(result, pattern)
        assert found, f"pattern {pattern['name']} not found among {[c.label for c in result.clusters]}"
        cluster = found[0]
        assert cluster.verdict == pattern["expected_verdict"], (pattern["name"], cluster.answers)
        integ, proc = cluster.votes
        assert max(integ, proc) >= 3
        assert all(any(ch.isdigit() for ch in a.answer) for a in cluster.answers if a.points_to)
        checked += 1
    assert checked == 3


def test_only_the_planted_structural_pattern_is_flagged(history):
    wb, patterns = history
    result = analyse(wb)
    expected = {(p["symptom"], p["boundary"]) for p in patterns if p["expected_structural"]}
    assert {(f.symptom, f.boundary) for f in result.structural} == expected
    outage = next(p for p in patterns if p["expected_structural"])
    flag = result.structural[0]
    assert flag.rate_pct > 2.0 and flag.returns > 0 and flag.cases * 100 / flag.returns == pytest.approx(flag.rate_pct, abs=0.01)
    assert str(flag.window_start) <= outage["window_end"] and str(flag.window_end) >= outage["window_start"]
    assert "STRUCTURAL" in flag.text and "%" in flag.text


def test_recurrence_names_the_failure_layer(history):
    wb, patterns = history
    result = analyse(wb)
    cutoff = next(p for p in patterns if p.get("recurring"))
    cluster = _focus(result, cutoff)[0]
    assert cluster.recurrence.failure_layer == cutoff["failure_layer"]
    connector = next(p for p in patterns if p["attribute"] == "source_version")
    assert _focus(result, connector)[0].recurrence.failure_layer == "portal-to-ERP field mapping"


def test_pattern_back_after_manual_adjustment_is_flagged(history, tmp_path):
    wb, patterns = history
    assert analyse(wb).recurrence_after_adjustment == []
    october = [c for c in analyse(wb).clusters if c.symptom == "period_cutoff" and c.attribute is None][0]
    from workbench.core.store.models import Case
    with wb.sessions() as s:
        first = [cid for cid in october.case_ids if s.get(Case, cid).period == "2026-10"]
    assert first
    for cid in first:
        add_adjustment(wb, cid, system="erp", field="posting_date", reason_code="period_cutoff",
                       journal_ref="JE-1001")
    flags = analyse(wb).recurrence_after_adjustment
    assert [f.symptom for f in flags] == ["period_cutoff"]
    assert flags[0].reappeared >= 1 and 0 < flags[0].days_after <= 60


def test_xlsx_log_states_the_flags_and_carries_the_charts(history, tmp_path):
    from openpyxl import load_workbook

    from workbench.core.export import export_log, verify_log

    wb, _ = history
    out = tmp_path / "log.xlsx"
    export_log(wb, out)
    book = load_workbook(out)
    summary = [str(v) for row in book["Summary"].iter_rows(values_only=True) for v in row if v]
    assert any(v.startswith("STRUCTURAL INTEGRATION DEBT: missing_handoff") for v in summary)
    charts = book["Insights"]._charts
    assert len(charts) == 3
    assert {type(c).__name__ for c in charts} == {"LineChart", "BarChart"}
    values = [v for row in book["Insights"].iter_rows(values_only=True) for v in row if v is not None]
    assert "Pattern clusters and verdicts (five-question checklist)" in values
    assert verify_log(out).ok


def test_chart_references_point_at_their_tables(history, tmp_path):
    """Each chart's first category is the first data row of its table, not the header."""
    from openpyxl import load_workbook

    from workbench.core.export import export_log

    wb, _ = history
    out = tmp_path / "log.xlsx"
    export_log(wb, out)
    ws = load_workbook(out)["Insights"]
    for chart in ws._charts:
        ref = chart.series[0].cat.numRef or chart.series[0].cat.strRef
        first = ref.f.split("!")[1].split(":")[0].replace("$", "")
        header = ws[first].offset(row=-1).value
        assert header in ("Week", "Boundary", "Hours from"), (chart.title, first, header)
