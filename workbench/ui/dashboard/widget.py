"""The Dashboard tab: structural flags first and loud, then the charts and the cluster table
with each cluster's five checklist answers. The analysis runs on the background worker.

The charts (pyqtgraph, about 0.25 s to import) are built when the tab is first shown or
results arrive, not with the window: opening a workbook shows its cases without them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QScrollArea, QSplitter, QTableView,
    QTextBrowser, QVBoxLayout, QWidget,
)

from workbench.ui.dashboard.cluster_model import ClusterTableModel


class DashboardWidget(QWidget):
    analysed = Signal(object)   # the Insights, once shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbook = None
        self.insights = None
        self._task = None
        self._stale = True

        self.flags = QLabel(self)
        self.flags.setObjectName("structuralFlags")
        self.flags.setWordWrap(True)
        self.flags.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("Open a workbook to see the patterns across its cases.", self)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        self.png_button = QPushButton("Save charts as PNG...", self)
        self.png_button.clicked.connect(self._save_pngs_dialog)

        self._charts: tuple = ()

        self.cluster_model = ClusterTableModel(self)
        self.cluster_table = QTableView(self)
        self.cluster_table.setModel(self.cluster_model)
        self.cluster_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.cluster_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.cluster_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.cluster_table.verticalHeader().hide()
        self.cluster_table.selectionModel().currentRowChanged.connect(self._show_answers)
        self.answers = QTextBrowser(self)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.png_button)
        top.addWidget(self.refresh_button)
        grid_host = QWidget(self)
        self._grid = QGridLayout(grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.cluster_table)
        lower.addWidget(self.answers)
        lower.setSizes([700, 400])
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(grid_host)
        body.addWidget(lower)
        body.setSizes([480, 300])
        body.setMinimumHeight(720)
        # scrolls on small screens instead of forcing the main window taller than it was left
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.flags)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self._show_flags([])

    # --- charts, built on first use -------------------------------------------------------
    @property
    def charts(self) -> tuple:
        """(rate, boundary, refund lag, ERP lag), built on first use."""
        if not self._charts:
            from workbench.ui.dashboard.charts import BoundaryChart, LagChart, RateChart

            self.rate_chart = RateChart(self)
            self.boundary_chart = BoundaryChart(self)
            self.refund_lag = LagChart("approval -> processor refund", self)
            self.erp_lag = LagChart("approval -> ERP posting", self)
            self._charts = (self.rate_chart, self.boundary_chart, self.refund_lag, self.erp_lag)
            for i, chart in enumerate(self._charts):
                self._grid.addWidget(chart, i // 2, i % 2)
        return self._charts

    # --- data ------------------------------------------------------------------------------
    def set_workbook(self, workbook) -> None:
        self.workbook = workbook
        self.insights = None
        self._stale = True
        self.cluster_model.set_clusters([])
        for chart in self._charts:
            chart.clear()
        if self.isVisible():
            self.refresh()

    def mark_stale(self) -> None:
        """The cases changed (import, re-diagnosis): analyse again when next shown."""
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.charts     # noqa: B018 - built now that they are seen
        if self._stale and self.workbook is not None:
            self.refresh()

    def refresh(self) -> None:
        if self.workbook is None or self._task is not None:
            return
        from workbench.core.insights import analyse
        from workbench.ui.background import run_in_background

        self._stale = False
        self.status.setText("Analysing patterns across every period in the workbook...")
        self._task = run_in_background(self, analyse, self.workbook, on_done=self._analysed,
                                       on_error=self._failed, progress_label="Analysing patterns")

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.status.setText(f"Analysis failed: {exc}")

    def _analysed(self, result) -> None:
        self._task = None
        self.show_insights(result)

    def show_insights(self, result) -> None:
        self.insights = result
        self.status.setText(f"{result.returns:,} returns, {result.findings:,} findings, "
                            f"{len(result.clusters)} clusters; structural threshold {result.threshold_pct:g} % "
                            f"of returns in 30 days; latency window {result.latency_window_hours} h")
        self._show_flags([f.text for f in result.structural] + [r.text for r in result.recurrence_after_adjustment])
        self.charts     # noqa: B018 - built on first use
        self.rate_chart.set_data(result.rate_by_period)
        self.boundary_chart.set_data(result.by_boundary)
        lags = {(lag.transaction_type, lag.leg): lag for lag in result.lag}
        self.refund_lag.set_data(lags.get(("all", "approval -> processor refund")), result.latency_window_hours)
        self.erp_lag.set_data(lags.get(("all", "approval -> ERP posting")), result.latency_window_hours)
        self.cluster_model.set_clusters(result.clusters)
        if result.clusters:
            self.cluster_table.selectRow(0)
        self.analysed.emit(result)

    def _show_flags(self, texts: list[str]) -> None:
        if texts:
            self.flags.setText("\n".join(f"\u26a0 {t}" for t in texts))
            self.flags.setStyleSheet("QLabel#structuralFlags { background: #8B0000; color: white; "
                                     "font-weight: bold; padding: 8px; }")
        else:
            self.flags.setText("No pattern above the structural threshold; no mismatch came back after an adjustment."
                               if self.insights is not None else "")
            self.flags.setStyleSheet("QLabel#structuralFlags { padding: 4px; }")

    def _show_answers(self, current, _previous=None) -> None:
        if not current.isValid():
            self.answers.clear()
            return
        c = self.cluster_model.cluster(current.row())
        integ, proc = c.votes
        rows = "".join(
            f"<li><b>{a.question}</b><br>{a.answer}"
            + (f" <i>&rarr; {a.points_to}</i>" if a.points_to else "") + "</li>" for a in c.answers)
        rec = (f"<p><b>Recurrence:</b> {c.recurrence.pattern} &rarr; <b>{c.recurrence.failure_layer}</b><br>"
               f"{c.recurrence.evidence}</p>" if c.recurrence else "")
        self.answers.setHtml(f"<h3>{c.label}</h3><p><b>Verdict: {c.verdict.upper()}</b> ({integ} answers "
                             f"integration, {proc} process; three or more decide)</p><ol>{rows}</ol>{rec}")

    # --- PNG export ------------------------------------------------------------------------
    def save_pngs(self, folder: str | Path) -> list[Path]:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        names = ("mismatch-rate-by-symptom", "cases-by-boundary", "lag-processor-refund", "lag-erp-posting")
        written = []
        for chart, name in zip(self.charts, names):
            path = folder / f"{name}.png"
            if chart.save_png(str(path)):
                written.append(path)
        return written

    def _save_pngs_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the charts as PNG into")
        if folder:
            written = self.save_pngs(folder)
            self.status.setText(f"Saved {len(written)} charts as PNG in {folder}")
