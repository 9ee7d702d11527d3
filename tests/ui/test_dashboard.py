"""The Dashboard tab in the real window: flags, charts, cluster table, PNG export."""

import pytest

from workbench.core.demo import generate_demo
from workbench.core.ingest import import_files
from workbench.core.reconcile import reconcile
from workbench.core.store import open_workbook
from workbench.ui.dashboard.cluster_model import ClusterTableModel


@pytest.fixture(scope="module")
def history_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("dash")
    demo = generate_demo(out / "files", returns=600, seed=2, months=3)
    wb = open_workbook(out / "history.rwb")
    import_files(wb, demo.files)
    reconcile(wb)
    wb.close()
    return out / "history.rwb"


def test_dashboard_tab_analyses_in_background_and_exports_pngs(qtbot, history_path, tmp_path):
    from PySide6.QtCore import QSettings

    from workbench.ui.main_window import MainWindow

    window = MainWindow(qsettings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert window.open_workbook(str(history_path))
    dash = window.dashboard
    with qtbot.waitSignal(dash.analysed, timeout=60_000):
        window.tabs.setCurrentWidget(dash)
    assert "STRUCTURAL INTEGRATION DEBT: missing_handoff" in dash.flags.text()
    labels = [dash.cluster_model.cluster(r).label for r in range(dash.cluster_model.rowCount())]
    assert any("agent = jdoe" in label for label in labels)
    row = next(r for r, label in enumerate(labels) if "agent = jdoe" in label)
    dash.cluster_table.selectRow(row)
    assert "Verdict: PROCESS" in dash.answers.toPlainText()
    assert len(dash.rate_chart.series) >= 5
    assert dash.erp_lag.window_line is not None and dash.erp_lag.window_line.value() == 72
    written = dash.save_pngs(tmp_path / "png")
    assert [p.name for p in written] == ["mismatch-rate-by-symptom.png", "cases-by-boundary.png",
                                         "lag-processor-refund.png", "lag-erp-posting.png"]
    assert all(p.stat().st_size > 2000 for p in written)


def test_cluster_model_passes_qtmodeltester(qtmodeltester, history_path):
    from workbench.core.insights import analyse

    wb = open_workbook(history_path)
    model = ClusterTableModel()
    model.set_clusters(analyse(wb).clusters)
    assert model.rowCount() > 5
    qtmodeltester.check(model)
    wb.close()
